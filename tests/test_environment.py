"""The eggs layout and looking distributions up in develop-eggs and the eggs directory."""

from __future__ import annotations

import os
import sys
import sysconfig
import unittest

from packaging.tags import parse_tag

from tests.builder_fixtures import ScratchTestCase
from zc.buildout.dists.install.wheel import install_wheel
from zc.buildout.dists.store.eggs import InstalledEggs, egg_directory_name
from zc.buildout.testing import packages

PY = f"py{sys.version_info[0]}.{sys.version_info[1]}"
PLATFORM = sysconfig.get_platform()


class EggDirectoryNameTests(unittest.TestCase):
    def test_names(self) -> None:
        cases = [
            ("demo", "1.0", "py3-none-any", f"demo-1.0-{PY}.egg"),
            ("Tiny-Pkg", "1.0", "py3-none-any", f"Tiny_Pkg-1.0-{PY}.egg"),
            ("zope.interface", "7.1", "py2.py3-none-any", f"zope.interface-7.1-{PY}.egg"),
            ("fast", "2.0", "cp311-cp311-manylinux_2_17_x86_64", f"fast-2.0-{PY}-{PLATFORM}.egg"),
            ("stable", "1.0", "cp39-abi3-linux_x86_64", f"stable-1.0-{PY}-{PLATFORM}.egg"),
            ("local", "1.0+ubuntu.1", "py3-none-any", f"local-1.0_ubuntu.1-{PY}.egg"),
        ]
        for name, version, tag, expected in cases:
            with self.subTest(tag=tag):
                self.assertEqual(egg_directory_name(name, version, [t.platform for t in parse_tag(tag)]), expected)

    def test_pure_python_needs_every_tag_to_be_any(self) -> None:
        self.assertTrue(egg_directory_name("x", "1", ["any", "linux_x86_64"]).endswith(f"-{PLATFORM}.egg"))


class EnvironmentTests(ScratchTestCase):
    def install(self, name: str, version: str, tag: str = "py3-none-any") -> None:
        wheel = packages.wheel(self.path("dist"), name, version, tag=tag)
        install_wheel(wheel, self.settings.eggs_directory)

    def test_find_is_newest_first_with_any_spelling(self) -> None:
        for version in ("1.0", "2.0", "1.5"):
            self.install("Zope.Demo", version)
        environment = InstalledEggs(self.settings.eggs_directory, self.settings.develop_eggs_directory)
        found = environment.find("zope-demo")
        self.assertEqual([d.version for d in found], ["2.0", "1.5", "1.0"])
        self.assertEqual({d.name for d in found}, {"Zope.Demo"})
        self.assertEqual(found[0].metadata.metadata["Name"], "Zope.Demo")
        self.assertEqual(environment.find("other"), [])

    def test_metadata_directory_under_any_name(self) -> None:
        # Wheels spell the .dist-info as they like: as the name, escaped, lower-cased, or otherwise.
        eggs = self.settings.eggs_directory
        for egg, info in ((f"Zope.Demo-1.0-{PY}.egg", "zope_demo-1.0.dist-info"),
                          (f"Other-2.0-{PY}.egg", "Other-2.0.dist-info"),
                          (f"Odd-3.0-{PY}.egg", "odd_spelling-3.0.dist-info")):
            os.makedirs(os.path.join(eggs, egg, info))
            with open(os.path.join(eggs, egg, info, "METADATA"), "w") as file:
                file.write(f"Name: {egg.split('-')[0]}\nVersion: {egg.split('-')[1]}\n")
        environment = InstalledEggs(eggs, self.settings.develop_eggs_directory)
        for name, info in (("zope.demo", "zope_demo-1.0.dist-info"), ("other", "Other-2.0.dist-info"),
                           ("odd", "odd_spelling-3.0.dist-info")):
            dist = environment.find(name)[0]
            self.assertEqual(dist.metadata.path, os.path.join(dist.location, info))
            self.assertEqual(dist.metadata.version, dist.version)

    def test_other_pythons_and_platforms_are_ignored(self) -> None:
        eggs = self.settings.eggs_directory
        os.makedirs(os.path.join(eggs, "demo-1.0-py2.7.egg"))
        os.makedirs(os.path.join(eggs, "demo-1.1-py3.11-win32.egg"))
        os.makedirs(os.path.join(eggs, "notes.txt"))
        self.install("demo", "0.9")
        found = InstalledEggs(eggs, self.settings.develop_eggs_directory).find("demo")
        self.assertEqual([d.version for d in found], ["0.9"])

    def test_eggs_upstream_named_with_this_platform_are_found(self) -> None:
        # zc.buildout 6 names a pure-Python egg with the platform too: a shared eggs directory works.
        eggs = self.settings.eggs_directory
        os.makedirs(os.path.join(eggs, f"demo-1.2-{PY}-{PLATFORM}.egg", "demo-1.2.dist-info"))
        self.install("demo", "1.0")
        found = InstalledEggs(eggs, self.settings.develop_eggs_directory).find("demo")
        self.assertEqual([(d.version, os.path.basename(d.location)) for d in found],
                         [("1.2", f"demo-1.2-{PY}-{PLATFORM}.egg"), ("1.0", f"demo-1.0-{PY}.egg")])

    def test_listings_are_kept_until_refresh(self) -> None:
        environment = InstalledEggs(self.settings.eggs_directory, self.settings.develop_eggs_directory)
        self.assertEqual(environment.find("demo"), [])
        self.install("demo", "1.0")
        self.assertEqual(environment.find("demo"), [])
        environment.refresh()
        self.assertEqual([d.version for d in environment.find("demo")], ["1.0"])

    def test_develop_projects_come_first(self) -> None:
        from zc.buildout.dists.install.editable import install_editable

        self.install("demo", "9.0")
        project = packages.project(self.path("demo"), "demo", "1.0", backend="tiny")
        install_editable(project, self.environments)
        found = InstalledEggs(self.settings.eggs_directory, self.settings.develop_eggs_directory).find("demo")
        self.assertEqual([(d.version, d.develop) for d in found], [("1.0", True), ("9.0", False)])
        self.assertEqual(found[0].location, os.path.join(project, "src"))
        self.assertEqual(found[0].metadata.version, "1.0")

    def test_requires_applies_markers_and_extras(self) -> None:
        wheel = packages.wheel(
            self.path("dist"), "demo", "1.0",
            requires=["a", 'b; python_version < "3"'],
            extras={"test": ["c", 'd; python_version < "3"'], "docs": ["e"]},
        )
        dist = install_wheel(wheel, self.settings.eggs_directory)
        self.assertEqual([r.name for r in dist.requires()], ["a"])
        self.assertEqual([r.name for r in dist.requires(["test"])], ["a", "c"])
        self.assertEqual([r.name for r in dist.requires(["Test", "docs"])], ["a", "c", "e"])
