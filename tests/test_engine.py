"""The install loop against real runs: an upstream-built directory, and Ctrl-C mid-run."""

from __future__ import annotations

import importlib.metadata
import os
import signal
import subprocess
import sys
import textwrap
import time
import unittest

from zc.buildout.run.database import read_sections
from zc.buildout.run.signatures import Signatures
from zc.buildout.testing import Sandbox, buildout_command
from zc.buildout.testing.files import read, write

RECIPE = '''
import os
import time


class Step:
    def __init__(self, buildout, name, options):
        self.name, self.options = name, options

    def install(self):
        path = self.name + '.txt'
        self.options.created(path)
        with open(path, 'w') as file:
            file.write('partial\\n')
        if self.options.get('block') == 'true' and os.environ.get('BLOCK'):
            open('ready', 'w').close()
            time.sleep(120)
        return self.options.created()

    def update(self):
        pass
'''

PYPROJECT = '''
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"
[project]
name = "steps"
version = "1.0"
[project.entry-points."zc.buildout"]
default = "step:Step"
'''


class EngineTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.sandbox = Sandbox()
        self.addCleanup(self.sandbox.close)
        self.directory = self.sandbox.sample_buildout

    def environment(self, **extra: str) -> dict[str, str]:
        path = os.pathsep.join(entry for entry in sys.path if entry and os.path.isdir(entry))
        return dict(os.environ, PYTHONPATH=path, **extra)

    def buildout(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            buildout_command() + list(args), cwd=self.directory, env=self.environment(**env),
            capture_output=True, text=True, timeout=300,
        )

    def database(self) -> dict[str, dict[str, str]]:
        return read_sections(read(".installed.cfg"))


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class InterruptTests(EngineTestCase):
    def test_sigint_keeps_finished_parts_and_removes_the_half_made_one(self) -> None:
        write("steps", "step.py", RECIPE)
        write("steps", "pyproject.toml", PYPROJECT)
        write("buildout.cfg", textwrap.dedent("""\
            [buildout]
            develop = steps
            parts = first second third
            [first]
            recipe = steps
            [second]
            recipe = steps
            block = true
            [third]
            recipe = steps
        """))
        process = subprocess.Popen(
            buildout_command(), cwd=self.directory, env=self.environment(BLOCK="1"),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            # As from a terminal: a shell starts background jobs with SIGINT ignored,
            # and a test run started that way would pass that on.
            preexec_fn=_default_sigint,
        )
        ready = os.path.join(self.directory, "ready")
        deadline = time.monotonic() + 240
        while not os.path.exists(ready):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                self.fail("buildout never reached the second part: " + process.communicate()[1])
            time.sleep(0.05)
        self.assertTrue(os.path.exists(os.path.join(self.directory, "second.txt")))
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)

        self.assertEqual(process.returncode, 130, err)
        self.assertIn("Installing second.", out)
        self.assertEqual(err.splitlines()[-1], "Interrupted.")
        self.assertEqual(self.database()["buildout"]["parts"], "first")
        self.assertTrue(os.path.exists(os.path.join(self.directory, "first.txt")))
        self.assertFalse(os.path.exists(os.path.join(self.directory, "second.txt")))
        self.assertFalse(os.path.exists(os.path.join(self.directory, "third.txt")))

        rerun = self.buildout()
        self.assertEqual(rerun.returncode, 0, rerun.stderr)
        self.assertEqual(
            [line for line in rerun.stdout.splitlines() if not line.startswith("Develop")],
            ["Updating first.", "Installing second.", "Installing third."],
        )
        self.assertEqual(self.database()["buildout"]["parts"], "first second third")


class UpstreamDirectoryTests(EngineTestCase):
    """A directory zc.buildout 6 built is taken over without reinstalling."""

    def test_unchanged_parts_are_updated_and_dropped_ones_uninstalled(self) -> None:
        signature = Signatures().of_recipe(importlib.metadata.distribution("zc.buildout"))
        directory = self.directory
        for name in ("bin", "parts", "develop-eggs", "eggs/v5", "parts/kept"):
            os.makedirs(os.path.join(directory, name))
        write("buildout.cfg", textwrap.dedent("""\
            [buildout]
            parts = show
            [show]
            recipe = zc.buildout:debug
            lines = first
                second
            padded = ${:lines}
        """))
        # As upstream writes it: sorted options, TAB continuations, whitespace
        # tokens, and a [buildout] section appended after an uninstall.
        write(".installed.cfg", textwrap.dedent(f"""\
            [buildout]
            installed_develop_eggs = 
            parts = show gone old

            [show]
            __buildout_installed__ = 
            __buildout_signature__ = {signature}
            lines = first
            \tsecond
            padded = first
            \tsecond
            recipe = zc.buildout:debug

            [gone]
            __buildout_installed__ = {directory}/parts/kept
            __buildout_signature__ = {signature}
            recipe = zc.buildout:debug
            text = %(__buildout_space__)sindented%(__buildout_space_n__)s

            [buildout]
            installed_develop_eggs = 
            parts = show gone
        """))
        result = self.buildout()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines(), [
            "Uninstalling gone.",
            "Updating show.",
            "  lines='first\\nsecond'",
            "  padded='first\\nsecond'",
            "  recipe='zc.buildout:debug'",
        ])
        self.assertFalse(os.path.exists(os.path.join(directory, "parts", "kept")))
        self.assertEqual(self.database()["buildout"]["parts"], "show")


if __name__ == "__main__":
    unittest.main()
