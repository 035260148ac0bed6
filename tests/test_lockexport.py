"""Exporting the lock as pylock.toml and as a pip constraints file."""

from __future__ import annotations

import sys
import unittest
from typing import Any

from packaging.utils import canonicalize_name

from zc.buildout.dists.lock.export import constraints, exporter, pylock_toml
from zc.buildout.dists.lock.file import Lock, LockedDistribution, LockedFile
from zc.buildout.errors import Location, UserError

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

A = "a" * 64
B = "b" * 64
C = "c" * 64
D = "d" * 64


def lock(*dists: LockedDistribution) -> Lock:
    return Lock("/x/buildout.lock", {canonicalize_name(dist.name): dist for dist in dists})


def parsed(text: str) -> dict[str, Any]:
    return tomllib.loads(text)


class PylockTests(unittest.TestCase):
    def test_wheels_and_sdist(self) -> None:
        files = (
            LockedFile("https://index.example/f/Demo-1.0-py3-none-any.whl", A),
            LockedFile("https://index.example/f/Demo-1.0-cp311-cp311-linux_x86_64.whl", B),
            LockedFile("https://index.example/f/demo-1.0.zip", D),
            LockedFile("https://index.example/f/demo-1.0.tar.gz", C),
        )
        text = pylock_toml(lock(LockedDistribution("Demo", "1.0", files)))
        data = parsed(text)
        self.assertEqual(data["lock-version"], "1.0")
        self.assertEqual(data["created-by"], "zc.buildout")
        self.assertNotIn("requires-python", data)
        [package] = data["packages"]
        self.assertEqual(list(package), ["name", "version", "sdist", "wheels"])
        self.assertEqual(package["name"], "demo")
        self.assertEqual(package["version"], "1.0")
        # Only one sdist: the first by URL.
        self.assertEqual(package["sdist"], {
            "name": "demo-1.0.tar.gz", "url": "https://index.example/f/demo-1.0.tar.gz",
            "hashes": {"sha256": C}})
        self.assertEqual([wheel["name"] for wheel in package["wheels"]], [
            "Demo-1.0-cp311-cp311-linux_x86_64.whl", "Demo-1.0-py3-none-any.whl"])
        self.assertEqual(list(package["wheels"][0]), ["name", "url", "hashes"])
        self.assertEqual(package["wheels"][1]["hashes"], {"sha256": A})
        # Top-level keys come in the specification's order.
        self.assertLess(text.index("lock-version"), text.index("created-by"))
        self.assertLess(text.index("created-by"), text.index("[[packages]]"))

    def test_packages_sorted_by_canonical_name(self) -> None:
        wheel = LockedFile("https://index.example/f/x-1-py3-none-any.whl", A)
        data = parsed(pylock_toml(lock(
            LockedDistribution("zope.interface", "6.0", (wheel,)),
            LockedDistribution("Acme_Tools", "2.0", (wheel,)),
            LockedDistribution("beta", "1.0", (wheel,)),
        )))
        self.assertEqual([p["name"] for p in data["packages"]], ["acme-tools", "beta", "zope-interface"])

    def test_sdist_only_and_wheels_only(self) -> None:
        data = parsed(pylock_toml(lock(
            LockedDistribution("s", "1", (LockedFile("https://index.example/s-1.tar.gz", A),)),
            LockedDistribution("w", "1", (LockedFile("https://index.example/w-1-py3-none-any.whl", B),)),
        )))
        sdist_only, wheels_only = data["packages"]
        self.assertNotIn("wheels", sdist_only)
        self.assertEqual(sdist_only["sdist"]["hashes"], {"sha256": A})
        self.assertNotIn("sdist", wheels_only)
        self.assertEqual(len(wheels_only["wheels"]), 1)

    def test_local_files_become_paths(self) -> None:
        files = (
            LockedFile("file:///srv/dists/my%20demo-1.0-py3-none-any.whl", A),
            LockedFile("file:///srv/dists/demo-1.0.tar.gz", B),
        )
        package = parsed(pylock_toml(lock(LockedDistribution("demo", "1.0", files))))["packages"][0]
        self.assertEqual(package["wheels"], [{
            "name": "my demo-1.0-py3-none-any.whl",
            "path": "/srv/dists/my demo-1.0-py3-none-any.whl", "hashes": {"sha256": A}}])
        self.assertEqual(package["sdist"]["path"], "/srv/dists/demo-1.0.tar.gz")
        self.assertNotIn("url", package["sdist"])

    def test_strings_are_escaped(self) -> None:
        odd = 'https://index.example/q"uo\\te/\t\x01\x7f\u00e9/demo-1.0-py3-none-any.whl'
        text = pylock_toml(lock(LockedDistribution("demo", "1.0", (LockedFile(odd, A),))),
                           requires_python='>=3.10, "odd"')
        data = parsed(text)
        self.assertEqual(data["requires-python"], '>=3.10, "odd"')
        self.assertEqual(data["packages"][0]["wheels"][0]["url"], odd)
        self.assertIn("\\u0001", text)
        self.assertIn("\\u007F", text)
        self.assertIn("\\t", text)
        self.assertNotIn("\t", text)
        self.assertLess(text.index("requires-python"), text.index("created-by"))

    def test_distribution_without_files(self) -> None:
        where = Location("/x/buildout.lock", 3)
        with self.assertRaises(UserError) as caught:
            pylock_toml(lock(LockedDistribution("Demo", "1.0", location=where)))
        message = str(caught.exception)
        self.assertIn("/x/buildout.lock:3", message)
        self.assertIn("Demo 1.0", message)
        self.assertIn("Run buildout online once", message)

    def test_distribution_with_eggs_only(self) -> None:
        egg = LockedFile("https://index.example/demo-1.0-py2.7.egg", A)
        with self.assertRaises(UserError) as caught:
            pylock_toml(lock(LockedDistribution("demo", "1.0", (egg,), location=Location("/x/buildout.lock", 4))))
        self.assertEqual(str(caught.exception), (
            "/x/buildout.lock:4: The lock holds only eggs of demo 1.0, and pylock.toml names wheels and"
            " sdists only.\nMake a wheel or sdist of it available on the index or in find-links, and run"
            " buildout."))

    def test_empty_lock(self) -> None:
        self.assertEqual(parsed(pylock_toml(lock())), {"lock-version": "1.0", "created-by": "zc.buildout"})


class ConstraintsTests(unittest.TestCase):
    def test_pins_sorted_without_hashes(self) -> None:
        wheel = LockedFile("https://index.example/f/x-1-py3-none-any.whl", A)
        text = constraints(lock(
            LockedDistribution("zope.interface", "6.0", (wheel,)),
            LockedDistribution("Acme_Tools", "2.0"),
            LockedDistribution("beta", "1.0b1", (wheel,)),
        ))
        self.assertEqual(text, (
            "# Exported by zc.buildout from its lock: the exact version of each distribution.\n"
            "Acme_Tools==2.0\n"
            "beta==1.0b1\n"
            "zope.interface==6.0\n"
        ))


class ExporterTests(unittest.TestCase):
    def test_names(self) -> None:
        for name in ("pylock.toml", "out/pylock.toml", "pylock.prod.toml", "/a/b/pylock.x-y.toml"):
            with self.subTest(name=name):
                self.assertIs(exporter(name), pylock_toml)
        for name in ("constraints.txt", "out/c.txt"):
            with self.subTest(name=name):
                self.assertIs(exporter(name), constraints)
        for name in ("pylock.a.b.toml", "Pylock.toml", "lock.toml", "pylock..toml", "constraints.cfg"):
            with self.subTest(name=name):
                with self.assertRaises(UserError) as caught:
                    exporter(name)
                self.assertIn(name, str(caught.exception))
                self.assertIn("pylock.toml", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
