"""The lock file: its format, its pins, and installations that write and check it."""

from __future__ import annotations

import os
import shutil
import tempfile
import unittest

from zc.buildout.dists.installer import Installer
from zc.buildout.dists.lock.checks import with_lock_pins
from zc.buildout.dists.lock.file import Lock, LockedDistribution, LockedFile
from zc.buildout.dists.settings import InstallerSettings, parse_pin
from zc.buildout.dists.store.archive_cache import sha256_of
from zc.buildout.errors import UserError
from zc.buildout.testing import packages
from zc.buildout.testing.index import FakeIndex
from zc.buildout.testing.server import FileServer

DIGEST = "ab" * 32


class LockFileTests(unittest.TestCase):
    def setUp(self) -> None:
        temporary = tempfile.TemporaryDirectory()
        self.addCleanup(temporary.cleanup)
        self.path = os.path.join(temporary.name, "buildout.lock")

    def read_text(self, text: str) -> Lock:
        with open(self.path, "w", encoding="utf-8") as file:
            file.write(text)
        return Lock.read(self.path)

    def error(self, text: str) -> str:
        with self.assertRaises(UserError) as caught:
            self.read_text(text)
        return str(caught.exception)

    def test_no_file_is_an_empty_lock(self) -> None:
        self.assertEqual(Lock.read(self.path).distributions, {})

    def test_written_and_read_back(self) -> None:
        files = (LockedFile.of("https://user:secret@index.example/f/Demo-1.0.tar.gz#md5=x", DIGEST.upper()),)
        lock = Lock(self.path).updated([LockedDistribution("Demo", "1.0", files),
                                        LockedDistribution("zope.interface", "8.0")])
        self.assertTrue(lock.write())
        self.assertFalse(lock.write(), "an unchanged lock is not written again")
        with open(self.path, encoding="utf-8") as file:
            text = file.read()
        self.assertNotIn("secret", text)
        self.assertIn(f"    https://index.example/f/Demo-1.0.tar.gz#sha256={DIGEST}\n", text)
        again = Lock.read(self.path)
        self.assertEqual(again.distributions, lock.distributions)
        self.assertEqual(again.get("demo").files[0].filename, "Demo-1.0.tar.gz")  # type: ignore[union-attr]
        self.assertEqual(str(again.get("Zope-Interface").location), f"{self.path}:7")  # type: ignore[union-attr]
        self.assertEqual([name for name in os.listdir(os.path.dirname(self.path))], ["buildout.lock"])

    def test_credentials_written_into_a_lock_by_hand_are_dropped(self) -> None:
        lock = self.read_text("[versions]\ndemo = 1.0\n[locked-files]\n"
                              f"demo = https://joe:s3cret@index.example/demo-1.0.tar.gz#sha256={DIGEST}\n")
        self.assertEqual(lock.get("demo").files[0].url,  # type: ignore[union-attr]
                         "https://index.example/demo-1.0.tar.gz")

    def test_a_new_version_replaces_the_files_the_same_version_adds_to_them(self) -> None:
        one = LockedFile("https://index.example/demo-1.0.tar.gz", DIGEST)
        two = LockedFile("https://index.example/demo-1.0-py3-none-any.whl", "cd" * 32)
        lock = Lock(self.path).updated([LockedDistribution("demo", "1.0", (one,))])
        same = lock.updated([LockedDistribution("demo", "1.0", (two,))]).get("demo")
        assert same is not None
        self.assertEqual(same.files, (two, one))
        newer = lock.updated([LockedDistribution("demo", "2.0", ())]).get("demo")
        assert newer is not None
        self.assertEqual(newer.files, ())

    def test_malformed_lock_files_name_the_line(self) -> None:
        self.assertIn(":3: The lock pins demo to 'latest', not a version.",
                      self.error("# comment\n[versions]\ndemo = latest\n"))
        self.assertIn(":2: The lock lists files of spam but no version of it.",
                      self.error("[locked-files]\nspam =\n    https://x/spam-1.0.tar.gz#sha256=" + DIGEST))
        message = self.error("[versions]\nspam = 1.0\n[locked-files]\nspam = https://x/spam-1.0.tar.gz#md5=1\n")
        self.assertIn(":4: The lock lists 'https://x/spam-1.0.tar.gz#md5=1', not a URL ending in", message)
        self.assertIn("has a section [parts] buildout does not write", self.error("[parts]\nx = 1\n"))

    def test_lock_pins_yield_to_versions_pins_that_exclude_them(self) -> None:
        lock = self.read_text("[versions]\ndemo = 1.0\nspam = 2.0\nother = 3.0\n")
        pins = {"spam": parse_pin("spam", "2.1"), "other": parse_pin("other", ">=3")}
        merged = with_lock_pins({key: pin for key, pin in pins.items() if pin is not None}, lock)
        self.assertEqual({key: pin.specifier for key, pin in merged.items()},
                         {"demo": "==1.0", "spam": "==2.1", "other": "==3.0"})
        self.assertEqual(str(merged["other"].location), f"{self.path}:4")


class LockedInstallTests(unittest.TestCase):
    """Installations with a lock file, on a loopback index."""

    def setUp(self) -> None:
        temporary = tempfile.TemporaryDirectory()
        self.addCleanup(temporary.cleanup)
        self.root = temporary.name
        self.dists = os.path.join(self.root, "dists")
        packages.wheel(self.dists, "demo", "1.0", requires=["built"])
        self.sdist = packages.sdist(self.dists, "built", "1.0")
        self.index = FakeIndex(self.dists).start()
        self.addCleanup(self.index.stop)
        self.lock_file = os.path.join(self.root, "buildout.lock")

    def settings(self, **options: object) -> InstallerSettings:
        lock = Lock.read(self.lock_file)
        settings = InstallerSettings(os.path.join(self.root, "eggs"), os.path.join(self.root, "develop-eggs"),
                                     index=self.index.simple, lock=lock, pins=with_lock_pins({}, lock))
        return settings._replace(**options)  # type: ignore[arg-type]

    def install(self, **options: object) -> Installer:
        installer = Installer(self.settings(**options))
        installer.install(["demo"])
        Lock.read(self.lock_file).updated(installer.used.values()).write()
        return installer

    def locked_install(self) -> None:
        Installer(self.settings(locked=True)).install(["demo"])

    def test_an_egg_built_from_an_sdist_records_the_sdist(self) -> None:
        self.install()
        built = Lock.read(self.lock_file).get("built")
        assert built is not None
        self.assertEqual([(f.filename, f.sha256) for f in built.files],
                         [("built-1.0.tar.gz", sha256_of(self.sdist))])
        self.locked_install()  # the installed eggs agree with the lock
        shutil.rmtree(os.path.join(self.root, "eggs"))
        self.locked_install()  # and so do the files, installed again

    def test_files_published_after_locking_are_passed_over_while_a_locked_one_will_do(self) -> None:
        from zc.buildout.dists.lock.checks import archive_digest

        self.install()
        before = Lock.read(self.lock_file).get("built")
        packages.wheel(self.dists, "built", "1.0")  # a wheel: preferred to the sdist, but not locked
        for install in (self.locked_install, self.install):
            shutil.rmtree(os.path.join(self.root, "eggs"))
            install()
            (built,) = Installer(self.settings(offline=True)).install(["built"])
            self.assertEqual(archive_digest(built), sha256_of(self.sdist))
        self.assertEqual(Lock.read(self.lock_file).get("built"), before)

    def test_files_published_after_locking_are_taken_and_locked_when_no_locked_one_will_do(self) -> None:
        other = LockedFile.of(f"{self.index.url}files/built-1.0-cp39-cp39-win32.whl", DIGEST)
        Lock(self.lock_file).updated([LockedDistribution("built", "1.0", (other,))]).write()
        self.install()
        built = Lock.read(self.lock_file).get("built")
        assert built is not None
        self.assertEqual([(f.filename, f.sha256) for f in built.files],
                         [("built-1.0-cp39-cp39-win32.whl", DIGEST),
                          ("built-1.0.tar.gz", sha256_of(self.sdist))])
        self.locked_install()

    def test_eggs_linked_from_older_cache_entries_get_their_record(self) -> None:
        cache = os.path.join(self.root, "cache")
        self.install(download_cache=cache)
        for directory, _, names in os.walk(cache):  # as entries made before eggs kept records
            if "BUILDOUT_ARCHIVE_SHA256" in names:
                os.remove(os.path.join(directory, "BUILDOUT_ARCHIVE_SHA256"))
        shutil.rmtree(os.path.join(self.root, "eggs"))
        Installer(self.settings(download_cache=cache)).install(["demo"])
        Installer(self.settings(download_cache=cache, locked=True)).install(["demo"])

    def test_eggs_that_recorded_no_archive_are_refused(self) -> None:
        self.install()
        for directory, _, names in os.walk(os.path.join(self.root, "eggs")):
            if "BUILDOUT_ARCHIVE_SHA256" in names and directory.endswith(".dist-info") and "demo" in directory:
                os.remove(os.path.join(directory, "BUILDOUT_ARCHIVE_SHA256"))
        with self.assertRaises(UserError) as caught:
            self.locked_install()
        message = str(caught.exception)
        self.assertIn("Nothing records which archive the installed demo 1.0 was made from: remove ", message)
        self.assertNotIn("built", message)

    def test_an_offline_lock_has_no_files_and_cannot_be_installed_locked(self) -> None:
        self.install()
        os.remove(self.lock_file)
        self.install(offline=True, newest=False)
        self.assertEqual(Lock.read(self.lock_file).get("demo").files, ())  # type: ignore[union-attr]
        with self.assertRaises(UserError) as caught:
            self.locked_install()
        self.assertIn("The lock holds no files of demo 1.0.\nThe lock holds no files of built 1.0.",
                      str(caught.exception))
        self.install()  # online again: the files are found
        self.assertEqual(len(Lock.read(self.lock_file).get("demo").files), 1)  # type: ignore[union-attr]
        self.locked_install()

    def test_buildout_own_distributions_are_locked_where_parts_use_them(self) -> None:
        import importlib.metadata

        packages.wheel(self.dists, "tool", "1.0", requires=["packaging"])
        running = importlib.metadata.version("packaging")
        installer = Installer(self.settings())
        installer.install(["tool", "zc.buildout"])  # a part's: it asks for zc.buildout
        self.assertEqual({dist.name: dist.version for dist in installer.used.values()},
                         {"tool": "1.0", "packaging": running, "zc.buildout": "7.0.0.dev0"})
        installer = Installer(self.settings(in_process=True))
        installer.install(["tool", "zc.buildout"])  # a recipe's: only what the recipe's code uses
        self.assertEqual({dist.name: dist.version for dist in installer.used.values()},
                         {"tool": "1.0", "packaging": running})
        # For buildout's own process the environment decides, whatever the lock says:
        lock = Lock(self.lock_file).updated([*installer.used.values(),
                                             LockedDistribution("packaging", "1.0")])
        lock.write()
        Installer(self.settings(in_process=True)).install(["tool"])
        with self.assertRaises(UserError) as caught:
            Installer(self.settings(locked=True, in_process=True)).install(["tool"])
        self.assertIn(f"packaging {running} is not the locked version 1.0 ({self.lock_file}:", str(caught.exception))

    def test_files_a_page_gives_no_digest_for_are_locked_with_the_installed_one(self) -> None:
        server = FileServer(self.dists).start()
        self.addCleanup(server.stop)
        links = server.url  # a directory listing: no digests
        empty = os.path.join(self.root, "empty")
        os.makedirs(empty)
        settings = self.settings()._replace(index=empty, find_links=(links,))
        installer = Installer(settings)
        installer.install(["demo"])
        demo = installer.used["demo"]
        wheel = os.path.join(self.dists, "demo-1.0-py3-none-any.whl")
        self.assertEqual([(f.url, f.sha256) for f in demo.files],
                         [(links + "demo-1.0-py3-none-any.whl", sha256_of(wheel))])
        Lock(self.lock_file).updated(installer.used.values()).write()
        shutil.rmtree(os.path.join(self.root, "eggs"))
        locked = self.settings(locked=True)._replace(index=empty, find_links=(links,))
        Installer(locked).install(["demo"])

    def test_find_links_files_are_locked_by_path_with_their_digest(self) -> None:
        links = os.path.join(self.root, "links")
        wheel = packages.wheel(links, "solo", "1.0")
        settings = self.settings(index=None, find_links=(links,), offline=False)
        installer = Installer(settings._replace(index=os.path.join(self.root, "empty")))
        os.makedirs(os.path.join(self.root, "empty"))
        installer.install(["solo"])
        (solo,) = installer.used.values()
        self.assertEqual([(f.url.startswith("file://"), f.filename, f.sha256) for f in solo.files],
                         [(True, "solo-1.0-py3-none-any.whl", sha256_of(wheel))])


if __name__ == "__main__":
    unittest.main()
