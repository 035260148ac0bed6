"""Faults and corruption: each ends in a clear error or repairs itself, and nothing is half-installed.

The loopback index of :mod:`zc.buildout.testing` injects the faults with
its switches: a status instead of an answer, half a body, an answer later
than ``socket-timeout``, a digest on its page that is not the file's. The
download cache, the installation database and the eggs directory are
damaged by hand between runs. Faults of the index and the cache are met by
the installer in this process (as a run meets them, quicker); those of the
buildout's own state by real runs, whose output must be one ``Error:``
block or a repair, never a traceback.
"""

from __future__ import annotations

import glob
import logging
import os
import shlex
import shutil
import subprocess
import unittest

from tests.builder_fixtures import ScratchTestCase
from tests.test_interruptions import assert_complete
from zc.buildout.dists.installer import Installer
from zc.buildout.dists.store.state import STAGING_PREFIX
from zc.buildout.errors import UserError
from zc.buildout.testing import Sandbox, packages
from zc.buildout.testing.files import write
from zc.buildout.testing.index import FakeIndex
from zc.buildout.testing.sandbox import buildout_command

MODULE = "ANSWER = 42\n" + "# padding\n" * 100


class _Installing(ScratchTestCase):
    """The installer against the loopback index, with a download cache."""

    def setUp(self) -> None:
        super().setUp()
        self.wheel = packages.wheel(self.path("dists"), "demo", "1.0", requires=["helper"],
                                    modules={"demo/__init__.py": MODULE})
        packages.wheel(self.path("dists"), "helper", "1.0")
        self.index = FakeIndex(self.path("dists")).start()
        self.addCleanup(self.index.stop)
        self.settings = self.settings._replace(index=self.index.simple,
                                            download_cache=self.path("cache"))

    def install(self, **changes: object) -> list[str]:
        settings = self.settings._replace(**changes)  # type: ignore[arg-type]
        return sorted(f"{dist.name} {dist.version}" for dist in Installer(settings).install(["demo"]))

    def refused(self, **changes: object) -> str:
        """The error installing gives; nothing of demo is in the eggs directory, whole or half."""
        with self.assertRaises(UserError) as caught:
            self.install(**changes)
        eggs = self.settings.eggs_directory
        left = os.listdir(eggs) if os.path.isdir(eggs) else []
        self.assertEqual([name for name in left if name.startswith(("demo", STAGING_PREFIX))], [])
        for egg in glob.glob(os.path.join(eggs, "*.egg")):  # another distribution may be whole
            assert_complete(self, egg)
        return str(caught.exception)

    def assert_whole(self) -> None:
        eggs = glob.glob(os.path.join(self.settings.eggs_directory, "*.egg"))
        self.assertEqual(len(eggs), 2)
        for egg in eggs:
            assert_complete(self, egg)
        [module] = glob.glob(os.path.join(self.settings.eggs_directory, "demo-*", "demo", "__init__.py"))
        with open(module) as file:
            self.assertEqual(file.read(), MODULE)


class DownloadCacheFaultTests(_Installing):
    def test_a_truncated_wheel_in_the_cache_is_downloaded_again(self) -> None:
        self.install()
        cached = self.path("cache", "dist", os.path.basename(self.wheel))
        os.truncate(cached, 100)
        shutil.rmtree(self.settings.eggs_directory)
        shutil.rmtree(self.path("cache", "eggs"))
        with self.assertLogs("zc.buildout", logging.WARNING) as said:
            self.assertEqual(self.install(), ["demo 1.0", "helper 1.0"])
        self.assertIn("demo-1.0-py3-none-any.whl in the download cache is not the file the index describes"
                      " (damaged?): downloading it again.", said.output[0])
        self.assertEqual(os.path.getsize(cached), os.path.getsize(self.wheel))
        self.assert_whole()

    def test_a_truncated_file_in_an_egg_of_the_cache_is_repaired(self) -> None:
        self.install()
        [module] = glob.glob(self.path("cache", "eggs", "*", "demo-*", "demo", "__init__.py"))
        os.truncate(module, 5)
        shutil.rmtree(self.settings.eggs_directory)
        with self.assertLogs("zc.buildout", logging.WARNING) as said:
            self.install()
        self.assertIn("in the download cache was changed or damaged: making it again.", said.output[0])
        self.assert_whole()
        self.assertEqual(os.path.getsize(module), len(MODULE))

    def test_an_edit_in_one_eggs_directory_never_reaches_another(self) -> None:
        self.install()
        [module] = glob.glob(os.path.join(self.settings.eggs_directory, "demo-*", "demo", "__init__.py"))
        with open(module, "a") as file:  # as root; anyone else is stopped: the file is read-only
            file.write("# edited\n")
        with self.assertLogs("zc.buildout", logging.WARNING):
            self.install(eggs_directory=self.path("other-eggs"))
        [other] = glob.glob(self.path("other-eggs", "demo-*", "demo", "__init__.py"))
        with open(other) as file:
            self.assertEqual(file.read(), MODULE)


class IndexFaultTests(_Installing):
    def test_a_file_whose_digest_is_not_the_index_s_is_refused(self) -> None:
        self.index.digests["demo-1.0-py3-none-any.whl"] = "0" * 64
        self.assertRegex(self.refused(), f"^SHA256 checksum mismatch downloading '{self.index.url}files/"
                                         f"demo-1.0-py3-none-any.whl': expected 0{{64}}, got [0-9a-f]{{64}}$")
        self.assertFalse(glob.glob(self.path("cache", "dist", "demo-*")))

    def test_an_index_answering_500(self) -> None:
        self.index.fail_status = 500
        self.assertEqual(self.refused(), f"Couldn't download '{self.index.simple}demo/': "
                                         "500 Internal Server Error")

    def test_an_index_sending_half_a_file(self) -> None:
        self.index.truncate = True
        self.index.faulty = "/files/*"
        self.assertIn("Couldn't download", self.refused())
        self.assertFalse(glob.glob(self.path("cache", "dist", "*.whl")))
        self.index.truncate = False
        self.install()
        self.assert_whole()

    def test_an_index_slower_than_the_socket_timeout(self) -> None:
        self.index.delay = 5.0
        message = self.refused(socket_timeout=0.5)
        self.assertIn("Couldn't download", message)
        self.assertIn("timed out", message)


CONFIG = """\
[buildout]
index = {index}
parts = app

[app]
recipe = zc.recipe.egg:eggs
eggs = demo
"""


class StateFaultTests(unittest.TestCase):
    """Real runs, with the buildout's state damaged between them."""

    def setUp(self) -> None:
        self.sandbox = Sandbox()
        self.addCleanup(self.sandbox.close)
        packages.wheel("dists", "demo", "1.0", requires=["helper"], modules={"demo/__init__.py": MODULE})
        packages.wheel("dists", "helper", "1.0")
        index = self.sandbox.start_index("dists")
        write("buildout.cfg", CONFIG.format(index=index.simple))
        self.assertIn("Got helper 1.0.", self.run_buildout())

    def run_buildout(self, *prefix: str) -> str:
        """Run buildout (under the command ``prefix``, if given); no traceback may come out."""
        output = self.sandbox.run(shlex.join([*prefix, *buildout_command()]) if prefix else "buildout")
        self.assertNotIn("Traceback", output)
        return output

    def assert_whole(self) -> None:
        eggs = glob.glob("eggs/v5/*.egg")
        self.assertEqual(len(eggs), 2)
        for egg in eggs:
            assert_complete(self, egg)
        self.assertFalse([name for name in os.listdir("eggs/v5") if name.startswith(STAGING_PREFIX)])

    def test_a_corrupted_installation_database(self) -> None:
        with open(".installed.cfg") as file:
            text = file.read()
        write(".installed.cfg", text[: len(text) // 2] + "\n= no name\n[unterminated\n")
        # Read as far as it can be, the database says other options: the part is installed afresh.
        self.assertEqual(self.run_buildout(), "Uninstalling app.\nInstalling app.\n")
        self.assert_whole()

    def test_an_egg_the_database_refers_to_was_deleted(self) -> None:
        [egg] = glob.glob("eggs/v5/demo-*.egg")
        shutil.rmtree(egg)
        self.assertEqual(self.run_buildout(), "Updating app.\nGetting distribution for 'demo'.\nGot demo 1.0.\n")
        self.assert_whole()

    def test_a_read_only_eggs_directory(self) -> None:
        self.assertEqual(self.read_only_run(), "Updating app.\n")
        [egg] = glob.glob("eggs/v5/helper-*.egg")
        shutil.rmtree(egg)
        output = self.read_only_run()
        self.assertRegex(output, r"\nError: Couldn't install helper 1.0 into /.*/eggs/v5: (Read-only file system|"
                                 r"Permission denied)\.\nBuildout installs what the eggs directory lacks: "
                                 r"it must be writable\.\n\(exit status 1\)\n$")
        self.assertFalse(glob.glob("eggs/v5/helper-*"))
        # The failed update left the part to be installed afresh: that run repairs.
        self.assertTrue(self.run_buildout().endswith("Getting distribution for 'helper'.\nGot helper 1.0.\n"))
        self.assert_whole()

    def read_only_run(self) -> str:
        """A run with the eggs directory read-only: its mode, or for root (who writes anyway) a read-only mount."""
        eggs = os.path.abspath("eggs/v5")
        if os.geteuid() != 0:
            os.chmod(eggs, 0o555)
            try:
                return self.run_buildout()
            finally:
                os.chmod(eggs, 0o755)
        if shutil.which("unshare") is None or subprocess.run(["unshare", "-m", "true"]).returncode:
            self.skipTest("no way to make the eggs directory read-only for root here")
        mount = f"mount --bind {eggs} {eggs} && mount -o remount,bind,ro {eggs} && exec"
        return self.run_buildout("unshare", "-m", "sh", "-c", f'{mount} "$0" "$@"')
