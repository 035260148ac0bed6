"""Recipe signatures: egg directories, develop trees (and what they leave out), closures."""

from __future__ import annotations

import importlib.metadata
import os
import pathlib
import sys
import tempfile
import unittest

from packaging.requirements import Requirement

from zc.buildout.dists.metadata import canonical_name
from zc.buildout.dists.store.closure import _applicable, requirement_closure
from zc.buildout.run.signatures import Signatures


def dist_info(directory: str, name: str, version: str, *requires: str) -> importlib.metadata.Distribution:
    path = pathlib.Path(directory, f"{name.replace('-', '_')}-{version}.dist-info")
    path.mkdir(parents=True)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {requirement}" for requirement in requires]
    (path / "METADATA").write_text("\n".join(lines) + "\n")
    return importlib.metadata.PathDistribution(path)


class SignatureTests(unittest.TestCase):
    def setUp(self) -> None:
        temporary = tempfile.TemporaryDirectory()
        self.addCleanup(temporary.cleanup)
        self.root = temporary.name

    def path(self, *names: str) -> str:
        return os.path.join(self.root, *names)

    def write(self, text: str, *names: str) -> None:
        os.makedirs(os.path.dirname(self.path(*names)), exist_ok=True)
        with open(self.path(*names), "w") as file:
            file.write(text)

    def test_a_distribution_in_the_eggs_directory_is_its_egg_directory(self) -> None:
        dist = dist_info(self.path("eggs", "demo-1.0-py3.11.egg"), "demo", "1.0")
        self.assertEqual(Signatures().of_distribution(dist), "demo-1.0-py3.11.egg")

    def test_another_installed_distribution_is_its_name_and_version(self) -> None:
        dist = dist_info(self.path("site-packages"), "demo", "1.0")
        self.assertEqual(Signatures().of_distribution(dist), "demo-1.0")

    def test_a_develop_distribution_hashes_its_code_but_not_what_is_generated(self) -> None:
        self.write("class Recipe: pass\n", "project", "src", "demo.py")
        self.write("[project]\nname = 'demo'\n", "project", "pyproject.toml")
        self.write("/x", "project", "README")  # outside src/: not code
        self.write(f"{self.path('project', 'src')}\n..", "develop-eggs", "demo.egg-link")
        dist = dist_info(self.path("develop-eggs"), "demo", "1.0")

        def signature(excluded: tuple[str, ...] = ()) -> str:
            return Signatures(excluded).of_distribution(dist)

        first = signature()
        self.assertRegex(first, r"^demo-[0-9a-f]{32}$")
        for generated in (("src", "__pycache__", "demo.cpython-311.pyc"), ("src", ".git", "HEAD"),
                          ("src", "demo.egg-info", "PKG-INFO"), ("README",)):
            self.write("changes", "project", *generated)
        self.assertEqual(signature(), first)
        self.write("class Recipe: changed = True\n", "project", "src", "demo.py")
        second = signature()
        self.assertNotEqual(second, first)
        self.write("[project]\nname = 'demo'\nversion = '2'\n", "project", "pyproject.toml")
        self.assertNotEqual(signature(), second)
        self.write("x", "project", "src", "parts", "made-by-buildout")
        self.assertNotEqual(signature(), signature((self.path("project", "src", "parts"),)))

    def test_the_recipe_signature_covers_the_requirements_that_apply(self) -> None:
        site = self.path("site")
        dist_info(site, "needed", "2.0")
        dist_info(site, "extra-only", "1.0")
        dist_info(site, "windows-only", "1.0")
        recipe = dist_info(
            site, "recipe", "1.0", "needed>=1", 'windows-only; sys_platform == "win32"',
            'extra-only; extra == "more"', "missing-one",
        )
        sys.path.insert(0, site)
        self.addCleanup(sys.path.remove, site)
        importlib.invalidate_caches()
        names = [dist.metadata["Name"] for dist in requirement_closure(recipe)]
        expected = ["recipe", "needed"] + (["windows-only"] if sys.platform == "win32" else [])
        self.assertEqual(names, expected)
        self.assertEqual(
            Signatures().of_recipe(recipe, ("more",)),
            " ".join(sorted(["recipe-1.0", "needed-2.0", "extra-only-1.0"]
                            + (["windows-only-1.0"] if sys.platform == "win32" else []))),
        )


if __name__ == "__main__":
    unittest.main()


class RequiresDistTests(unittest.TestCase):
    """The usual ``Requires-Dist`` lines are read without packaging's parser: same answers."""

    LINES = (
        "packaging>=24", "pyproject_hooks", "a.b-c_d>=1,<2", "zope.interface[Test, docs] (>=5)",
        'tomli>=1.1; python_version < "3.11"', "x ; python_version!='3.11'", 'x; python_version > "3.11.0"',
        'x; python_version <= "3.10"', 'x; python_version == "3"', 'colorama; os_name == "nt"',
        "c; sys_platform != 'win32'", 'i; python_full_version < "3.10.2"',
        'i; python_full_version >= "3.8.1"',
        'manuel>=1.13; extra == "test"',
        "brotli>=1.2; (platform_python_implementation == 'CPython') and extra == 'b'",
        "z; (python_version < '3.14' or os_name == 'nt') and extra == 'b'",
        'x[a]; python_version >= "3.8" and extra == "t"',
        "foo @ https://example.invalid/foo.whl", 'x; os_name < "z"', "x; platform_machine == 'x86_64'",
    )

    def test_same_as_the_parser(self) -> None:
        def parsed(text: str, extras: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
            requirement = Requirement(text)
            environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            marker = requirement.marker
            if marker is not None and not any(marker.evaluate(env) for env in environments):
                return None
            return canonical_name(requirement.name), tuple(sorted(requirement.extras))

        for line in self.LINES:
            for extras in ((), ("test",), ("b",), ("t",)):
                with self.subTest(line=line, extras=extras):
                    self.assertEqual(_applicable(line, extras), parsed(line, extras))
