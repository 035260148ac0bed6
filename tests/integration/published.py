"""The published test suites of recipes, run against our ``zc.buildout.testing``.

Each recipe's sdist is downloaded and unpacked; a buildout develops it and
writes a zc.recipe.testrunner script for it (with its test extra), and that
script runs the recipe's own tests, which use our test harness.
"""

from __future__ import annotations

import glob
import os
import re
import sys
import tarfile
import unittest

from tests.integration.support import BuildoutTestCase, run

__all__ = ["PublishedSuiteTests"]

_SUMMARY = re.compile(r"(?:Total:|Ran) (\d+) tests?, (\d+) failures?, (\d+) errors?"
                      r"|Ran (\d+) tests with (\d+) failures, (\d+) errors")


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
        (sdist,) = glob.glob(os.path.join(downloads, "*.tar.gz"))
        with tarfile.open(sdist) as archive:
            archive.extractall(self.directory, filter="data")
        (source,) = [entry for entry in glob.glob(self.path("*")) if os.path.isfile(os.path.join(entry, "setup.py"))]
        self.buildout(f"""
            [buildout]
            develop = {source}
            parts = test

            [test]
            recipe = zc.recipe.testrunner
            eggs = {project}[{extras}]
        """)
        status, output = run([self.path("bin", "test")], self.directory, self.environ)
        tests, failures, errors = counts(output)
        print(f"\n    {project} {version}: {tests} tests, {failures} failures, {errors} errors")
        return tests, failures, errors, output

    def test_collective_recipe_template_suite(self) -> None:
        tests, failures, errors, output = self.published_suite(
            "collective.recipe.template", "3.0.0", "test,genshi")
        self.assertGreater(tests, 0)
        self.assertEqual((failures, errors), (0, 0), output)

    # Known differences, 14 of 18 pass: three unit tests (AbsPathTest,
    # ExtrasInEggsTest, SrcLayoutTest) resolve zope.testrunner offline from
    # the test process's own site-packages, which upstream leaked into every
    # buildout and we do not (DESIGN: isolation); README.rst expects scripts
    # to list develop-eggs itself on their path, where ours list the develop
    # project's code directory.
    @unittest.expectedFailure
    def test_zc_recipe_testrunner_suite(self) -> None:
        tests, failures, errors, output = self.published_suite("zc.recipe.testrunner", "5.0", "test")
        self.assertGreater(tests, 0)
        self.assertEqual((failures, errors), (0, 0), output)
