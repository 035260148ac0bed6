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
import unittest
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


SUITES = {suite.project: suite for suite in (
    PublishedSuite("collective.recipe.template", "3.0.0", "test,genshi"),
    PublishedSuite("zc.recipe.testrunner", "5.0", "test", {
        "README.rst": "develop projects are on a script's path at their own directory, not develop-eggs",
        "AbsPathTest": "an offline buildout takes zope.testrunner from its eggs, not from the test process",
        "ExtrasInEggsTest": "an offline buildout takes zope.testrunner from its eggs, not from the test process",
        "SrcLayoutTest": "an offline buildout takes zope.testrunner from its eggs, not from the test process",
    }),
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

