"""The integration layer and the base class that runs real buildouts in temporary directories."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from collections.abc import Mapping, Sequence

__all__ = ["SKIPPED", "BuildoutTestCase", "Integration", "enabled", "run"]

VARIABLE = "BUILDOUT_TEST_NETWORK"

SKIPPED = (f"{VARIABLE} is not set: the integration tests, which install real recipes and"
           f" extensions from the package index, did NOT run (set {VARIABLE}=1 to run them)")


def enabled() -> bool:
    return os.environ.get(VARIABLE, "") not in ("", "0")


class Integration:
    """Layer: one eggs directory and download cache shared by every buildout of the suite."""

    shared = ""

    @classmethod
    def setUp(cls) -> None:
        if not enabled():
            print(f"\n  *** {SKIPPED} ***")
            return
        cls.shared = tempfile.mkdtemp(prefix="buildout-integration-")

    @classmethod
    def tearDown(cls) -> None:
        if cls.shared:
            shutil.rmtree(cls.shared, ignore_errors=True)
            cls.shared = ""


def child_environment(home: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a buildout run as a user would start it: no test runner path, no user defaults."""
    environ = {name: value for name, value in os.environ.items()
               if name not in ("PYTHONPATH", "BUILDOUT_HOME", "PIP_INDEX_URL", "buildout_testing_index_url")}
    environ["HOME"] = home
    environ.update(extra or {})
    return environ


def run(argv: Sequence[str], cwd: str, env: Mapping[str, str], timeout: float = 900) -> tuple[int, str]:
    completed = subprocess.run(list(argv), cwd=cwd, env=dict(env), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, timeout=timeout)
    return completed.returncode, completed.stdout


class BuildoutTestCase(unittest.TestCase):
    """A fresh buildout directory per test; :meth:`buildout` runs this buildout there."""

    layer = Integration

    def setUp(self) -> None:
        self.directory = os.path.realpath(tempfile.mkdtemp(prefix="buildout-it-"))
        self.addCleanup(shutil.rmtree, self.directory, True)
        self.environ = child_environment(os.path.join(self.directory, "home"))

    def path(self, *names: str) -> str:
        return os.path.join(self.directory, *names)

    def write(self, *names: str, text: str) -> str:
        path = self.path(*names)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as file:
            file.write(textwrap.dedent(text).lstrip())
        return path

    def read(self, *names: str) -> str:
        with open(self.path(*names), encoding="utf-8") as file:
            return file.read()

    def buildout(self, config: str, *args: str) -> str:
        """Write ``buildout.cfg`` and run buildout on it with the shared eggs and cache; return its output."""
        self.write("buildout.cfg", text=config)
        shared = Integration.shared
        argv = [sys.executable, "-m", "zc.buildout",
                f"buildout:eggs-directory={shared}/eggs", f"buildout:download-cache={shared}/downloads",
                *args]
        status, output = run(argv, self.directory, self.environ)
        self.assertEqual(status, 0, f"buildout failed:\n{output}")
        return output

    def command(self, *argv: str, env: Mapping[str, str] | None = None) -> str:
        """Run a generated script (or any command) in the buildout directory; it must succeed."""
        status, output = run(argv, self.directory, {**self.environ, **(env or {})}, timeout=300)
        self.assertEqual(status, 0, f"{' '.join(argv)} failed:\n{output}")
        return output
