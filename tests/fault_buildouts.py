"""What the kill -9 and concurrency suites share: 20 distributions, buildouts installing them, checks.

Who does what: :func:`make_distributions` writes the wheels (``fault00``
requires the other nineteen, and has a console script), :class:`FaultBuildout`
is one buildout directory installing them from a
:class:`~zc.buildout.testing.index.FakeIndex` as a child process, and
:func:`check_installed` verifies what such a buildout left: every egg as
its RECORD says, the interpreter importing everything, no temporary path on
a script's ``sys.path``.
"""

from __future__ import annotations

import base64
import hashlib
import os
import pathlib
import re
import subprocess
import sys
import unittest

from zc.buildout.dists.store.state import STAGING_PREFIX
from zc.buildout.testing import packages
from zc.buildout.testing.sandbox import buildout_command, child_pythonpath

__all__ = ["DISTRIBUTIONS", "FaultBuildout", "check_eggs", "check_installed", "make_distributions"]

DISTRIBUTIONS = [f"fault{index:02}" for index in range(20)]
"""The projects installed; ``fault00`` requires the others."""


def make_distributions(directory: str) -> None:
    """Write the wheels of :data:`DISTRIBUTIONS` into ``directory``."""
    for index, name in enumerate(DISTRIBUTIONS):
        modules = {f"{name}/m{number:02}.py": f"VALUE = {number}\n" + "# padding\n" * 40
                   for number in range(40)}
        modules[f"{name}/__init__.py"] = f"NAME = {name!r}\n\ndef main():\n    print(NAME)\n"
        packages.wheel(
            directory, name, "1.0", modules=modules,
            requires=DISTRIBUTIONS[1:] if index == 0 else (),
            entry_points={"console_scripts": {"fault-main": "fault00:main"}} if index == 0 else None,
        )


class FaultBuildout:
    """A buildout directory whose part installs :data:`DISTRIBUTIONS` from ``index`` into ``eggs``."""

    def __init__(self, directory: str, index: str, eggs: str, download_cache: str | None = None) -> None:
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        cache = f"download-cache = {download_cache}\n" if download_cache else ""
        pathlib.Path(directory, "buildout.cfg").write_text(
            f"[buildout]\nparts = py\nindex = {index}\neggs-directory = {eggs}\n{cache}"
            "[py]\nrecipe = zc.recipe.egg\ninterpreter = py\neggs = fault00\n",
            encoding="utf-8",
        )
        self.environment = dict(os.environ, PYTHONPATH=child_pythonpath())

    def start(self) -> subprocess.Popen[str]:
        """Start ``buildout`` here; its output (both streams) is read from the child's stdout."""
        return subprocess.Popen(
            buildout_command(), cwd=self.directory, env=self.environment, text=True,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )

    def run(self) -> tuple[int, str]:
        """Run ``buildout`` here to its end: the exit status and the output."""
        child = self.start()
        output, _ = child.communicate()
        return child.returncode, output


def check_eggs(test: unittest.TestCase, eggs: str) -> None:
    """Every egg of ``eggs`` holds the files its RECORD lists, with their digests; nothing staged is left."""
    names = sorted(os.listdir(eggs))
    test.assertEqual([name for name in names if name.startswith(STAGING_PREFIX)], [], eggs)
    wanted = {f"{name}-1.0-py{sys.version_info[0]}.{sys.version_info[1]}.egg" for name in DISTRIBUTIONS}
    test.assertLessEqual(wanted, set(names))
    for name in sorted(wanted):
        egg = os.path.join(eggs, name)
        (info,) = [entry for entry in os.listdir(egg) if entry.endswith(".dist-info")]
        with open(os.path.join(egg, info, "RECORD"), encoding="utf-8") as record:
            for line in record:
                path, digest, _ = line.rstrip("\n").rsplit(",", 2)
                if digest:
                    data = pathlib.Path(egg, path).read_bytes()
                    expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
                    test.assertEqual(digest, "sha256=" + expected.decode(), os.path.join(egg, path))


def check_installed(test: unittest.TestCase, buildout: FaultBuildout, eggs: str) -> None:
    """The eggs are whole, the scripts' paths hold nothing temporary, the interpreter imports everything."""
    check_eggs(test, eggs)
    bin_directory = os.path.join(buildout.directory, "bin")
    for script in ("py", "fault-main"):
        text = pathlib.Path(bin_directory, script).read_text(encoding="utf-8")
        for entry in re.findall(r"^\s+'([^']+)',$", text, re.M):
            test.assertTrue(os.path.isdir(entry), (script, entry))
            test.assertNotIn(STAGING_PREFIX, entry, script)
            test.assertFalse(os.path.basename(entry).startswith(("tmp", ".")), (script, entry))
    imports = "; ".join(f"import {name}" for name in DISTRIBUTIONS) + "; print(fault19.NAME)"
    interpreter = os.path.join(bin_directory, "py")
    result = subprocess.run([interpreter, "-c", imports], capture_output=True, text=True)
    test.assertEqual((result.returncode, result.stdout), (0, "fault19\n"), result.stderr)
    result = subprocess.run([os.path.join(bin_directory, "fault-main")], capture_output=True, text=True)
    test.assertEqual((result.returncode, result.stdout), (0, "fault00\n"), result.stderr)
