"""Run published recipes' own test suites against this buildout and against upstream 6.0.1.

    python3 scripts/recipe_suites.py [--only NAME ...] [--work DIR]

Needs the package index (pip's configuration). For each recipe of
:data:`SUITES`, its sdist is downloaded and unpacked, and its suite runs
twice, under two buildouts each installed in a throwaway virtual
environment: this checkout's zc.buildout and zc.recipe.egg, and
zc.buildout 6.0.1 with zc.recipe.egg from the index. Each buildout
develops the recipe and writes an interpreter with its test extra (as
recipe authors run their suites, through a buildout), which runs the
counting runner. Doctest examples are counted one by one (a test whose
set-up fails fails all its examples); other tests count one each. Prints
a table: examples, passed here, passed with upstream.

``--run-suite PACKAGE`` is the counting runner itself, started by each
interpreter: it prints one JSON line, per test its examples and failures.
"""

from __future__ import annotations

import argparse
import dataclasses
import doctest
import fnmatch
import glob
import importlib
import json
import os
import pkgutil
import subprocess
import sys
import tarfile
import tempfile
import unittest
import zipfile
from collections.abc import Callable, Iterator, Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclasses.dataclass(frozen=True)
class Suite:
    project: str
    version: str
    extras: str
    package: str
    """The package whose test modules make the suite."""


SUITES = (
    Suite("collective.recipe.template", "3.0.0", "test,genshi", "collective.recipe.template"),
    Suite("zc.recipe.testrunner", "5.0", "test", "zc.recipe.testrunner"),
    Suite("collective.recipe.omelette", "3.0.0", "test", "collective.recipe.omelette"),
    Suite("zc.recipe.cmmi", "5.1", "test", "zc.recipe.cmmi"),
    Suite("z3c.recipe.usercrontab", "1.5", "test", "z3c.recipe.usercrontab"),
    Suite("collective.recipe.supervisor", "2.0.0", "test", "collective.recipe.supervisor"),
    Suite("zc.zdaemonrecipe", "1.0.0", "test", "zc.zdaemonrecipe"),
    Suite("zc.recipe.deployment", "1.3.0", "test", "zc.recipe.deployment"),
    Suite("collective.recipe.backup", "6.0.0", "test", "collective.recipe.backup"),
    Suite("collective.recipe.cmd", "1.0.0", "test", "collective.recipe.cmd"),
    Suite("collective.recipe.environment", "1.1.0", "tests", "collective.recipe.environment"),
    Suite("zc.recipe.filestorage", "2.0", "", "zc.recipe.filestorage"),
)

UPSTREAM = ("zc.buildout==6.0.1", "zc.recipe.egg")


# The counting runner, inside an environment.

def _tests(suite: unittest.TestSuite | unittest.TestCase) -> Iterator[unittest.TestCase]:
    if isinstance(suite, unittest.TestSuite):
        for test in suite:
            yield from _tests(test)
    else:
        yield suite


def _suite_of(package: str) -> unittest.TestSuite:
    """The tests of ``package``'s modules named ``tests`` or ``test*``, as zope.testrunner finds them."""
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    root = importlib.import_module(package)
    names = [package] + [info.name for info in pkgutil.walk_packages(root.__path__, f"{package}.")]
    for name in names:
        last = name.rsplit(".", 1)[-1]
        if not (last == "tests" or last.startswith("test")):
            continue
        try:
            module = importlib.import_module(name)
        except Exception as error:  # the suite's own import: a failed test, as zope.testrunner counts it
            suite.addTest(unittest.FunctionTestCase(_raiser(f"{name}: {error!r}")))
            continue
        if hasattr(module, "test_suite"):
            suite.addTest(module.test_suite())
        elif hasattr(module, "load_tests"):
            suite.addTest(module.load_tests(loader, unittest.TestSuite(), None))
        elif not hasattr(module, "__path__"):
            suite.addTest(loader.loadTestsFromModule(module))
    return suite


def _raiser(message: str) -> Callable[[], None]:
    def raise_it() -> None:
        raise ImportError(message)
    return raise_it


def run_suite(package: str) -> dict[str, object]:
    """Each test of ``package``: its examples and how many failed (with the first report)."""
    results = []
    for test in _tests(_suite_of(package)):
        examples = 1
        if isinstance(test, doctest.DocTestCase):
            examples = len(test._dt_test.examples)
            test._dt_optionflags &= ~doctest.REPORT_ONLY_FIRST_FAILURE  # so that every failure counts
        result = unittest.TestResult()
        test.run(result)
        failed, report = 0, ""
        for _, text in result.failures:
            failed += min(examples, text.count("Failed example:") or examples)
            report = report or text
        for _, text in result.errors:
            failed = examples
            report = report or text
        results.append({"test": test.id(), "examples": examples, "failed": failed, "report": report[-3000:]})
    return {"tests": results}


# The comparison, outside.

def _sdist(suite: Suite, downloads: str) -> str:
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                    "--dest", downloads, f"{suite.project}=={suite.version}"], check=True)
    stem = suite.project.replace(".", "[._]")
    (found,) = [path for path in glob.glob(os.path.join(downloads, "*"))
                if fnmatch.fnmatch(os.path.basename(path).lower(), f"{stem}-{suite.version}.*".lower())]
    return found


def _unpack(archive: str, into: str) -> str:
    os.makedirs(into, exist_ok=True)
    if archive.endswith(".zip"):
        with zipfile.ZipFile(archive) as opened:
            opened.extractall(into)
    else:
        with tarfile.open(archive) as opened:
            opened.extractall(into, filter="data")
    (source,) = [entry for entry in glob.glob(os.path.join(into, "*")) if os.path.isdir(entry)]
    return source


def _buildout(directory: str, buildout: Sequence[str]) -> str:
    """A virtual environment with ``buildout`` installed; returns its ``buildout`` script."""
    subprocess.run([sys.executable, "-m", "venv", directory], check=True)
    pip = [os.path.join(directory, "bin", "python"), "-m", "pip", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "install", *buildout], check=True)
    return os.path.join(directory, "bin", "buildout")


def _interpreter(buildout: str, directory: str, suite: Suite, source: str) -> tuple[str | None, str]:
    """A buildout in ``directory`` developing ``source``, with an interpreter for its tests: its path, or why not."""
    os.makedirs(directory, exist_ok=True)
    requirement = f"{suite.project}[{suite.extras}]" if suite.extras else suite.project
    with open(os.path.join(directory, "buildout.cfg"), "w") as file:
        file.write(f"[buildout]\ndevelop = {source}\nparts = py\n\n"
                   f"[py]\nrecipe = zc.recipe.egg\ninterpreter = py\neggs =\n    {requirement}\n"
                   "    zope.testing\n    manuel\n")
    completed = subprocess.run([buildout], cwd=directory, capture_output=True, text=True, timeout=1800)
    if completed.returncode:
        return None, completed.stdout + completed.stderr
    return os.path.join(directory, "bin", "py"), ""


def compare(suites: Sequence[Suite], work: str) -> list[tuple[Suite, int, int, int]]:
    rows = []
    tools = {"ours": ["-e", ROOT, "-e", os.path.join(ROOT, "zc.recipe.egg_")], "upstream": list(UPSTREAM)}
    buildouts = {label: _buildout(os.path.join(work, label, "venv"), tool) for label, tool in tools.items()}
    for suite in suites:
        archive = _sdist(suite, os.path.join(work, "downloads"))
        counts = {}
        for label, buildout in buildouts.items():
            base = os.path.join(work, label, suite.project)
            source = _unpack(archive, os.path.join(base, "source"))
            python, why = _interpreter(buildout, os.path.join(base, "buildout"), suite, source)
            tests = [{"test": "buildout", "examples": 0, "failed": 0, "report": why[-3000:]}]
            if python is not None:
                completed = subprocess.run([python, os.path.abspath(__file__), "--run-suite", suite.package],
                                           cwd=source, capture_output=True, text=True, timeout=3600)
                try:
                    tests = json.loads(completed.stdout.strip().splitlines()[-1])["tests"]
                except (ValueError, KeyError, IndexError):  # the runner itself died: nothing passed
                    tests = [{"test": "runner", "examples": 0, "failed": 0,
                              "report": (completed.stdout + completed.stderr)[-3000:]}]
            with open(os.path.join(base, "results.json"), "w") as file:
                json.dump(tests, file, indent=1)
            counts[label] = (sum(t["examples"] for t in tests), sum(t["examples"] - t["failed"] for t in tests))
        examples = max(counts["ours"][0], counts["upstream"][0])  # a suite that did not import counts none
        rows.append((suite, examples, counts["ours"][1], counts["upstream"][1]))
    return rows


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--run-suite", metavar="PACKAGE")
    parser.add_argument("--only", nargs="*", default=())
    parser.add_argument("--work", default=None)
    arguments = parser.parse_args(argv)
    if arguments.run_suite:
        print(json.dumps(run_suite(arguments.run_suite)))
        return
    suites = [suite for suite in SUITES if not arguments.only or suite.project in arguments.only]
    work = arguments.work or tempfile.mkdtemp(prefix="recipe-suites-")
    rows = compare(suites, work)
    print(f"\nresults in {work}\n")
    print("| suite | examples | passed here | passed with upstream 6.0.1 |")
    print("|---|---|---|---|")
    for suite, examples, ours, upstream in rows:
        print(f"| {suite.project} {suite.version} | {examples} | {ours} | {upstream} |")


if __name__ == "__main__":
    main(sys.argv[1:])
