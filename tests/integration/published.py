"""The published test suites of recipes, run against our ``zc.buildout.testing``.

Each recipe's sdist is downloaded and unpacked; a buildout develops it and
writes a zc.recipe.testrunner script for it (with its test extra), and that
script runs the recipe's own tests, which use our test harness. A suite
passes when every test that fails is one :data:`SUITES` names, with the
intended difference from zc.buildout 6 it meets (also listed in
``docs/topics/upgrading-buildout.rst``); ``scripts/recipe_suites.py``
counts the examples of the same suites here and with zc.buildout 6.0.1.
"""

from __future__ import annotations

import dataclasses
import glob
import os
import re
import sys
import tarfile
import zipfile
from collections.abc import Mapping

from tests.integration.support import BuildoutTestCase, run

__all__ = ["SUITES", "PublishedSuite", "PublishedSuiteTests"]

_SUMMARY = re.compile(r"(?:Total:|Ran) (\d+) tests?, (\d+) failures?, (\d+) errors?"
                      r"|Ran (\d+) tests with (\d+) failures, (\d+) errors")


_FAILED = re.compile(r"^(?:Failure|Error) in test (.+)$", re.MULTILINE)


@dataclasses.dataclass(frozen=True)
class PublishedSuite:
    project: str
    version: str
    extras: str
    differences: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Tests that fail here (a part of their name), each with the intended difference it meets."""


_OFFLINE_OWN_EGGS = "an offline buildout takes zope.testrunner from its eggs, not from the test process"
_OLD_NAMESPACE = ("a develop project declaring pkg_resources namespaces inside zc (a native namespace"
                  " here) cannot be loaded as a recipe; zc.buildout 6 cannot run this suite at all")

SUITES = {suite.project: suite for suite in (
    PublishedSuite("collective.recipe.template", "3.0.0", "test,genshi"),
    PublishedSuite("zc.recipe.testrunner", "5.0", "test", {
        "README.rst": "develop projects are on a script's path at their own directory, not develop-eggs",
        "AbsPathTest": _OFFLINE_OWN_EGGS,
        "ExtrasInEggsTest": _OFFLINE_OWN_EGGS,
        "SrcLayoutTest": _OFFLINE_OWN_EGGS,
    }),
    PublishedSuite("collective.recipe.omelette", "3.0.0", "test"),
    PublishedSuite("zc.recipe.cmmi", "5.1", "test", {
        "README.rst": "a failed update keeps the previous installation and says so",
        "downloadcache.rst": "a part whose installed files went missing is said so before it is reinstalled",
    }),
    PublishedSuite("z3c.recipe.usercrontab", "1.5", "test"),
    PublishedSuite("zc.recipe.deployment", "1.3.0", "test", {"README.txt": _OLD_NAMESPACE}),
    PublishedSuite("collective.recipe.cmd", "1.0.0", "test"),
    PublishedSuite("collective.recipe.environment", "1.1.0", "tests"),
    PublishedSuite("zc.recipe.filestorage", "2.0", ""),
)}


def counts(output: str) -> tuple[int, int, int]:
    """(tests, failures, errors) from zope.testrunner's last summary line."""
    found = _SUMMARY.findall(output)
    if not found:
        raise AssertionError(f"no test summary in the output:\n{output}")
    numbers = [int(number) for number in found[-1] if number]
    return numbers[0], numbers[1], numbers[2]


class PublishedSuiteTests(BuildoutTestCase):
    def published_suite(self, project: str, version: str, extras: str) -> tuple[int, int, int, str]:
        """Download ``project``'s sdist, develop it, run its tests; (tests, failures, errors, output)."""
        downloads = self.path("sdists")
        status, output = run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                              "--no-binary", ":all:", "--dest", downloads, f"{project}=={version}"],
                             self.directory, self.environ)
        self.assertEqual(status, 0, output)
        (archive,) = glob.glob(os.path.join(downloads, "*"))
        if archive.endswith(".zip"):
            with zipfile.ZipFile(archive) as opened:
                opened.extractall(self.directory)
        else:
            with tarfile.open(archive) as opened:
                opened.extractall(self.directory, filter="data")
        (source,) = [entry for entry in glob.glob(self.path("*")) if os.path.isfile(os.path.join(entry, "setup.py"))]
        requirement = f"{project}[{extras}]" if extras else project
        self.buildout(f"""
            [buildout]
            develop = {source}
            parts = test

            [test]
            recipe = zc.recipe.testrunner
            eggs = {requirement}
        """)
        status, output = run([self.path("bin", "test")], self.directory, self.environ, timeout=3600)
        tests, failures, errors = counts(output)
        print(f"\n    {project} {version}: {tests} tests, {failures} failures, {errors} errors")
        return tests, failures, errors, output

    def check(self, project: str) -> None:
        suite = SUITES[project]
        tests, _, _, output = self.published_suite(suite.project, suite.version, suite.extras)
        self.assertGreater(tests, 0)
        failed = _FAILED.findall(output)
        unexplained = [name for name in failed if not any(known in name for known in suite.differences)]
        self.assertEqual(unexplained, [], output)


    def test_collective_recipe_template(self) -> None:
        self.check("collective.recipe.template")

    def test_zc_recipe_testrunner(self) -> None:
        self.check("zc.recipe.testrunner")

    def test_collective_recipe_omelette(self) -> None:
        self.check("collective.recipe.omelette")

    def test_zc_recipe_cmmi(self) -> None:
        self.check("zc.recipe.cmmi")

    def test_z3c_recipe_usercrontab(self) -> None:
        self.check("z3c.recipe.usercrontab")

    def test_zc_recipe_deployment(self) -> None:
        self.check("zc.recipe.deployment")

    def test_collective_recipe_cmd(self) -> None:
        self.check("collective.recipe.cmd")

    def test_collective_recipe_environment(self) -> None:
        self.check("collective.recipe.environment")

    def test_zc_recipe_filestorage(self) -> None:
        self.check("zc.recipe.filestorage")
