"""Replacing a part whose options changed: a failure or a kill -9 leaves the old part or the new one.

A real buildout process replaces a part made of a directory of files and a
script; it is killed with SIGKILL at a known step (the recipe blocks half
way through the new installation) and at random points after the
replacement begins. The next run, with the old or the new configuration,
must succeed with the part complete in that configuration's version,
restored where it could be rather than reinstalled, and leave nothing set
aside behind.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import tempfile
import textwrap
import time
import unittest

from tests.test_engine import PYPROJECT, EngineTestCase
from zc.buildout.errors import UserError
from zc.buildout.run.aside import JOURNAL_SUFFIX, SetAside
from zc.buildout.run.database import InstalledDatabase
from zc.buildout.testing import buildout_command
from zc.buildout.testing.files import write

RECIPE = '''
import os
import time


class Step:
    """Writes parts/<name>/0.txt ... and bin/<name>, each holding the version."""

    def __init__(self, buildout, name, options):
        self.name, self.options = name, options

    def install(self):
        version = self.options['version']
        directory = os.path.join('parts', self.name)
        os.makedirs(directory)
        for number in range(int(self.options['files'])):
            with open(os.path.join(directory, f'{number}.txt'), 'w') as file:
                file.write(version)
            if os.environ.get('BLOCK_AT') == str(number):
                open('reached', 'w').close()
                while True:
                    time.sleep(1)  # until killed
        script = os.path.join('bin', self.name)
        with open(script, 'w') as file:
            file.write(version)
        return [directory, script]

    def update(self):
        pass
'''

FILES = 40


def configuration(version: str) -> str:
    return textwrap.dedent(f"""\
        [buildout]
        develop = steps
        parts = part
        [part]
        recipe = steps
        version = {version}
        files = {FILES}
    """)


class ReplacingTests(EngineTestCase):
    def setUp(self) -> None:
        super().setUp()
        write("steps", "step.py", RECIPE)
        write("steps", "pyproject.toml", PYPROJECT)
        self.run_with("old")

    def run_with(self, version: str) -> subprocess.CompletedProcess[str]:
        write("buildout.cfg", configuration(version))
        completed = self.buildout()
        self.assertEqual(completed.returncode, 0, completed.stdout + completed.stderr)
        return completed

    def start(self, version: str, **env: str) -> subprocess.Popen[str]:
        write("buildout.cfg", configuration(version))
        return subprocess.Popen(buildout_command(), cwd=self.directory, env=self.environment(**env),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def versions(self) -> list[str]:
        """The version each file of the part holds ("missing" for one that is not there)."""
        paths = [os.path.join("parts", "part", f"{number}.txt") for number in range(FILES)]
        found = []
        for path in [*paths, os.path.join("bin", "part")]:
            try:
                with open(os.path.join(self.directory, path)) as file:
                    found.append(file.read())
            except FileNotFoundError:
                found.append("missing")
        return found

    def leftovers(self) -> list[str]:
        """Set-aside copies and journals anywhere in the buildout."""
        found = []
        for root, directories, files in os.walk(self.directory):
            for name in directories + files:
                if name.endswith((".buildout-aside", JOURNAL_SUFFIX)):
                    found.append(os.path.relpath(os.path.join(root, name), self.directory))
        return found

    def assert_part_is(self, version: str) -> None:
        self.assertEqual(self.versions(), [version] * (FILES + 1))
        self.assertEqual(self.leftovers(), [])
        self.assertIn(f"version = {version}", self.database_text())

    def database_text(self) -> str:
        with open(os.path.join(self.directory, ".installed.cfg")) as file:
            return file.read()

    def kill_half_way(self) -> None:
        """Start replacing the part with a new version; kill -9 it half way through installing."""
        process = self.start("new", BLOCK_AT=str(FILES // 2))
        reached = os.path.join(self.directory, "reached")
        deadline = time.monotonic() + 240
        while not os.path.exists(reached):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                self.fail("buildout never reached the new installation: " + process.communicate()[0])
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        os.remove(reached)
        self.assertIn("new", self.versions())  # the new installation had begun

    def test_a_failure_keeps_the_old_part(self) -> None:
        write("buildout.cfg", configuration("new").replace(f"files = {FILES}", "files = nothing"))
        failed = self.buildout()
        self.assertEqual(failed.returncode, 1)
        self.assertEqual(failed.stderr.splitlines()[-1], "The previous installation of part was kept.")
        self.assert_part_is("old")

    def test_killed_half_way_then_the_old_configuration(self) -> None:
        self.kill_half_way()
        rerun = self.run_with("old")
        self.assertIn("Restored the previous installation of part, which an interrupted run had set aside.",
                      rerun.stdout)
        self.assertIn("Updating part.", rerun.stdout)
        self.assert_part_is("old")

    def test_killed_half_way_then_the_new_configuration(self) -> None:
        self.kill_half_way()
        rerun = self.run_with("new")
        self.assertIn("Restored the previous installation of part", rerun.stdout)
        self.assertIn("Uninstalling part.\nInstalling part.", rerun.stdout)
        self.assert_part_is("new")

    def test_killed_at_random_points(self) -> None:
        # How long a replacement takes once buildout says it begins, to spread the kills over.
        begun = self.replace_and_time("new")
        seed = random.randrange(2**32)
        chosen = random.Random(seed)
        for round_ in range(6):
            previous = "new" if round_ % 2 == 0 else "old"
            following = "old" if previous == "new" else "new"
            process = self.start(following)
            assert process.stdout is not None
            for line in process.stdout:
                if line.startswith("Uninstalling part."):
                    break
            time.sleep(chosen.uniform(0, begun))
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=60)
            after = chosen.choice([previous, following])
            rerun = self.run_with(after)
            with self.subTest(seed=seed, round=round_, then=after, output=rerun.stdout):
                self.assert_part_is(after)
                if "Updating part." in rerun.stdout:
                    self.assertNotIn("Installing part.", rerun.stdout)
            if after != following:
                self.run_with(following)

    def replace_and_time(self, version: str) -> float:
        process = self.start(version)
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("Uninstalling part."):
                break
        started = time.monotonic()
        process.communicate(timeout=240)
        self.assertEqual(process.returncode, 0)
        self.assert_part_is(version)
        return time.monotonic() - started


class SetAsideTests(unittest.TestCase):
    """The journal and the renames, in process."""

    def setUp(self) -> None:
        self.root = os.path.realpath(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.root, True)
        self.database = InstalledDatabase(os.path.join(self.root, ".installed.cfg"))
        self.database.record("part", {"recipe": "r", "__buildout_installed__": "x"})
        os.makedirs(os.path.join(self.root, "parts", "part", "inner"))
        part = os.path.join(self.root, "parts", "part")
        self.paths = [part, os.path.join(part, "inner"), os.path.join(self.root, "gone")]

    def entries(self) -> list[str]:
        return sorted(os.listdir(os.path.join(self.root, "parts")))

    def test_nested_and_missing_paths_then_restore_over_new_files(self) -> None:
        aside = SetAside(self.database)
        aside.set_aside("part", self.paths)
        self.assertTrue(self.entries()[0].startswith(".part."), self.entries())
        self.assertTrue(os.path.exists(self.database.path + JOURNAL_SUFFIX))
        os.makedirs(os.path.join(self.root, "parts", "part", "new"))  # a failed installation's leftovers
        aside.restore("part")
        self.assertEqual(self.entries(), ["part"])
        self.assertEqual(os.listdir(os.path.join(self.root, "parts", "part")), ["inner"])
        self.assertFalse(os.path.exists(self.database.path + JOURNAL_SUFFIX))

    def test_a_later_run_restores_or_discards(self) -> None:
        SetAside(self.database).set_aside("part", self.paths)  # then the process dies
        SetAside(self.database).recover()
        self.assertEqual(self.entries(), ["part"])
        SetAside(self.database).set_aside("part", self.paths)
        self.database.record("part", {"recipe": "r", "new": "1"})  # recorded anew, then killed
        SetAside(self.database).recover()
        self.assertEqual(self.entries(), [])
        self.assertFalse(os.path.exists(self.database.path + JOURNAL_SUFFIX))

    def test_an_unreadable_journal_is_a_user_error(self) -> None:
        write(self.database.path + JOURNAL_SUFFIX, "{not json")
        with self.assertRaises(UserError) as caught:
            SetAside(self.database).recover()
        self.assertIn(".installed.cfg.aside: cannot read the parts an interrupted run set aside",
                      str(caught.exception))
