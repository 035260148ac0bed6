"""Unpacking and byte-compiling in worker processes, and installed eggs kept in the download cache."""

from __future__ import annotations

import errno
import gc
import importlib.util
import io
import json
import logging
import os
import pathlib
import shutil
import signal
import sys
import threading
import time
import unittest
import zipfile
from collections.abc import Callable
from unittest import mock

from tests.builder_fixtures import ScratchTestCase
from zc.buildout.dists.install import wheel
from zc.buildout.dists.install.compiler import Compiler, python_files
from zc.buildout.dists.install.fetch import Fetcher, PickedFile, materialise
from zc.buildout.dists.install.wheel import install_wheel
from zc.buildout.dists.install.workers import FORKS
from zc.buildout.dists.metadata import Headers
from zc.buildout.dists.settings import InstallerSettings
from zc.buildout.dists.store import egg_cache
from zc.buildout.dists.store.archive_cache import sha256_of
from zc.buildout.dists.store.egg_cache import EggCache, link_tree, tree_files
from zc.buildout.dists.store.eggs import ARCHIVE_RECORD
from zc.buildout.dists.store.state import staging_name
from zc.buildout.errors import UserError
from zc.buildout.net.httpclient import HTTPClient
from zc.buildout.testing import packages

PY = f"py{sys.version_info[0]}.{sys.version_info[1]}"


def compiled(source: str) -> str:
    return importlib.util.cache_from_source(source)


class CompilerTests(ScratchTestCase):
    def write(self, relative: str, text: str) -> str:
        path = self.path("tree", relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        pathlib.Path(path).write_text(text)
        return path

    def test_compiled_files_name_the_final_directory(self) -> None:
        sources = [self.write(f"pkg/m{number}.py", f"value = {number}\n") for number in range(40)]
        python2 = self.write("pkg/old.py", "print 'python 2'\n")
        final = self.path("final")
        with Compiler(workers=2) as compiler:
            compiler.compile_tree(self.path("tree"), final)
        for source in sources:
            data = pathlib.Path(compiled(source)).read_bytes()
            self.assertIn(os.path.join(final, "pkg", os.path.basename(source)).encode(), data)
        # Code that does not compile is left as it is, without a word.
        self.assertFalse(os.path.exists(compiled(python2)))

    def test_python_files_pair_each_source_with_its_final_directory(self) -> None:
        self.write("top.py", "")
        self.write("pkg/sub.py", "")
        self.write("pkg/data.txt", "")
        self.assertEqual(sorted(python_files(self.path("tree"), "/final")), [
            (self.path("tree", "pkg", "sub.py"), "/final/pkg"),
            (self.path("tree", "top.py"), "/final"),
        ])

    def test_workers_collect_garbage_as_the_process_that_starts_them(self) -> None:
        self.addCleanup(gc.set_threshold, *gc.get_threshold())
        gc.set_threshold(12345, 6, 7)
        with Compiler(workers=1) as compiler:
            self.assertEqual(compiler.call("gc:get_threshold"), [12345, 6, 7])

    @unittest.skipUnless(FORKS, "where a process cannot fork, each worker starts alone")
    def test_one_worker_starts_and_forks_the_others(self) -> None:
        with Compiler(workers=3) as workers:
            busy = [threading.Thread(target=workers.call, args=("time:sleep", 1)) for _ in range(3)]
            for thread in busy:
                thread.start()
            _wait_for(lambda: len(_workers()) == 1 and len(_workers(_workers()[0])) == 2)
            [first] = _workers()
            forked = _workers(first)
            for thread in busy:
                thread.join()
        # All three did the work they were given, and are gone: the forked ones waited for by the first.
        self.assertEqual([os.path.exists(f"/proc/{pid}") for pid in [first, *forked]], [False] * 3)

    @unittest.skipUnless(FORKS, "where a process cannot fork, each worker starts alone")
    def test_a_forked_worker_stops_when_the_first_is_gone(self) -> None:
        failed: list[BaseException] = []

        def sleep() -> None:
            try:
                workers.call("time:sleep", 30)
            except OSError as error:
                failed.append(error)

        with Compiler(workers=2) as workers:
            busy = [threading.Thread(target=sleep) for _ in range(2)]
            for thread in busy:
                thread.start()
            _wait_for(lambda: len(_workers()) == 1 and len(_workers(_workers()[0])) == 1)
            [first] = _workers()
            [forked] = _workers(first)
            os.kill(first, signal.SIGKILL)
            _wait_for(lambda: _gone(forked))
            for thread in busy:
                thread.join()
        self.assertEqual(len(failed), 2)

    def test_workers_no_thread_took_are_stopped_too(self) -> None:
        with Compiler(workers=3) as workers:
            self.assertEqual(workers.call("json:dumps", "one"), '"one"')
            started = _workers()
            everyone = started + [child for pid in started for child in _workers(pid)]
        self.assertEqual(len(everyone), 3 if FORKS else 1)
        self.assertEqual([os.path.exists(f"/proc/{pid}") for pid in everyone], [False] * len(everyone))

    def test_unpacking_in_a_worker(self) -> None:
        wheel = packages.wheel(self.path("dist"), "demo", "1.0", modules={"demo/__init__.py": "X = 1\n"})
        with Compiler(workers=1) as compiler:
            compiler.unpack(wheel, self.path("egg"), {"EXTRA": "kept\n"})
        self.assertEqual(pathlib.Path(self.path("egg", "demo", "__init__.py")).read_text(), "X = 1\n")
        self.assertEqual(pathlib.Path(self.path("egg", "demo-1.0.dist-info", "EXTRA")).read_text(),
                         "kept\n")

    def test_a_big_wheel_is_unpacked_in_shares_by_several_workers(self) -> None:
        modules = {f"demo/m{number}.py": f"X = {number}\n" * (number * 50 + 1) for number in range(30)}
        made = packages.wheel(self.path("dist"), "demo", "1.0", modules={"demo/__init__.py": "", **modules},
                              data={"scripts/tool": "#!python\nprint(1)\n"})
        requests: list[str] = []
        submit = Compiler._submit

        def counted(compiler: Compiler, request: object, *args: object) -> object:
            requests.append(request["call"] if isinstance(request, dict) else "compile")
            return submit(compiler, request, *args)

        with mock.patch("zc.buildout.dists.install.compiler.SHARE", 1), \
                mock.patch.object(Compiler, "_submit", counted), Compiler(workers=3) as compiler:
            compiler.unpack(made, self.path("shared"), {"EXTRA": "kept\n"})
        shares = [call for call in requests if call.endswith(":install_share")]
        self.assertEqual(len(shares), 3)
        self.assertTrue(requests[-1].endswith(":finish_install"))
        # The egg is the one a single worker makes, RECORD and all.
        with Compiler(workers=1) as compiler:
            compiler.unpack(made, self.path("whole"), {"EXTRA": "kept\n"})
        self.assertEqual(_contents(self.path("shared")), _contents(self.path("whole")))

    def test_the_shares_of_a_big_wheel_go_before_work_waiting_its_turn(self) -> None:
        made = packages.wheel(self.path("dist"), "demo", "1.0",
                              modules={f"demo/m{number}.py": "X = 1\n" for number in range(8)})
        taken: list[str] = []
        run = Compiler._run

        def recorded(worker: object, line: str, future: object) -> object:
            taken.append(json.loads(line)["call"])
            return run(worker, line, future)  # type: ignore[arg-type]

        with mock.patch("zc.buildout.dists.install.compiler.SHARE", 1), \
                mock.patch.object(Compiler, "_run", staticmethod(recorded)), Compiler(workers=2) as compiler:
            # Both workers busy, then work in turn given before the wheel's shares.
            busy = [threading.Thread(target=compiler.call, args=("time:sleep", 0.5)) for _ in range(2)]
            in_turn = threading.Thread(target=compiler.call, args=("json:dumps", "in turn"))
            for thread in busy:
                thread.start()
            _wait_for(lambda: taken.count("time:sleep") == 2)
            in_turn.start()
            _wait_for(lambda: compiler._batches.qsize() == 1)
            compiler.unpack(made, self.path("egg"), {})
            for thread in [*busy, in_turn]:
                thread.join()
        names = [call.rsplit(":", 1)[1] for call in taken]
        self.assertEqual(names[2:4], ["install_share", "install_share"])
        self.assertEqual(sorted(names[4:]), ["dumps", "finish_install"])

    def test_a_damaged_big_wheel_is_refused_once_and_the_workers_carry_on(self) -> None:
        made = packages.wheel(self.path("dist"), "demo", "1.0",
                              modules={f"demo/m{number}.py": "X = 1\n" for number in range(8)})
        with zipfile.ZipFile(made) as archive:
            members = [(info, archive.read(info)) for info in archive.infolist()]
        with zipfile.ZipFile(made, "w") as archive:
            for info, data in members:
                archive.writestr(info, b"X = 2\n" if info.filename == "demo/m5.py" else data)
        with mock.patch("zc.buildout.dists.install.compiler.SHARE", 1), Compiler(workers=2) as compiler:
            with self.assertRaises(UserError) as refused:
                compiler.unpack(made, self.path("egg"), {})
            self.assertIn("holds 'demo/m5.py', whose digest does not match its RECORD",
                          str(refused.exception))
            compiler.unpack(packages.wheel(self.path("dist2"), "other", "1.0"), self.path("other"), {})
        self.assertTrue(os.path.isdir(self.path("other", "other-1.0.dist-info")))

    def test_a_worker_s_errors_are_raised_in_the_caller(self) -> None:
        wheel = packages.wheel(self.path("dist"), "demo", "1.0")
        pathlib.Path(self.path("file")).write_text("")
        not_a_wheel = self.path("dist", "broken-1.0-py3-none-any.whl")
        pathlib.Path(not_a_wheel).write_text("not a zip file")
        with Compiler(workers=1) as compiler:
            with self.assertRaises(OSError) as raised:
                compiler.unpack(wheel, self.path("file", "egg"), {})
            self.assertEqual(raised.exception.errno, errno.ENOTDIR)
            with self.assertRaises(UserError) as refused:
                compiler.unpack(not_a_wheel, self.path("egg"), {})
            self.assertEqual(str(refused.exception).split("\n")[0],
                             "The wheel broken-1.0-py3-none-any.whl is damaged: File is not a zip file.")
            with self.assertRaises(RuntimeError) as failed:  # anything else, with the worker's traceback
                compiler.call("json:loads", "{")
            self.assertIn("JSONDecodeError", str(failed.exception))
            # The worker carries on.
            compiler.unpack(wheel, self.path("egg"), {})
        self.assertTrue(os.path.isdir(self.path("egg", "demo-1.0.dist-info")))

    def test_linking_in_a_worker(self) -> None:
        source = self.write("pkg/module.py", "X = 1\n")
        with Compiler(workers=1) as compiler:
            compiler.link(self.path("tree"), self.path("linked"))
            with self.assertRaises(FileExistsError):  # as link_tree raises it
                compiler.link(self.path("tree"), self.path("linked"))
        linked = self.path("linked", "pkg", "module.py")
        self.assertEqual(os.stat(linked).st_ino, os.stat(source).st_ino)

    @unittest.skipUnless(os.path.isdir("/proc"), "finds the worker processes in /proc")
    def test_a_worker_that_dies_is_replaced(self) -> None:
        source = self.write("m.py", "value = 1\n")
        with Compiler(workers=1) as compiler:
            compiler.compile([(source, self.path("tree"))])
            # Kill the worker: the batch it had fails, the next one gets a new worker.
            for pid in _workers():
                os.kill(pid, signal.SIGKILL)
            os.unlink(compiled(source))
            with self.assertRaises(OSError):
                compiler.compile([(source, self.path("tree"))])
            compiler.compile([(source, self.path("tree"))])
        self.assertTrue(os.path.exists(compiled(source)))


def _wait_for(condition: Callable[[], bool]) -> None:
    """Wait (10 seconds at most) until ``condition()``."""
    deadline = time.monotonic() + 10
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("waited 10 seconds in vain")
        time.sleep(0.01)


def _contents(directory: str) -> dict[str, tuple[bytes, bool]]:
    """Each file below ``directory`` (by relative path): its bytes, and whether it is executable."""
    found = {}
    for root, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            found[os.path.relpath(path, directory)] = (pathlib.Path(path).read_bytes(),
                                                       os.access(path, os.X_OK))
    return found


def _gone(pid: int) -> bool:
    """Whether the process ``pid`` has exited (a zombie waiting to be reaped has)."""
    try:
        status = pathlib.Path("/proc", str(pid), "status").read_text()
    except OSError:
        return True
    return "\nState:\tZ" in status


def _workers(parent: int | None = None) -> list[int]:
    """The process ids of the children of ``parent`` (by default this process) running the workers' loop."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = pathlib.Path("/proc", pid, "status").read_text()
            command = pathlib.Path("/proc", pid, "cmdline").read_bytes()
        except OSError:
            continue
        ppid = next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:"))
        if int(ppid) == (os.getpid() if parent is None else parent) and b"stop_when_orphaned" in command:
            found.append(int(pid))
    return found


class EggCacheTests(ScratchTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.wheel = packages.wheel(self.path("dist"), "demo", "1.0",
                                    modules={"demo/__init__.py": "answer = 42\n"})
        self.sha256 = sha256_of(self.wheel)
        self.cache = EggCache.in_download_cache(self.path("cache"))

    def test_an_egg_is_made_once_and_linked_into_each_eggs_directory(self) -> None:
        first = install_wheel(self.wheel, self.path("eggs1"), egg_cache=self.cache, sha256=self.sha256)
        second = install_wheel(self.wheel, self.path("eggs2"), egg_cache=self.cache, sha256=self.sha256)
        entries = os.listdir(self.cache.directory)
        self.assertEqual(entries, [f"demo-1.0-{PY}.egg-{self.sha256[:16]}"])
        module = os.path.join("demo", "__init__.py")
        linked = [os.stat(os.path.join(dist.location, module)) for dist in (first, second)]
        self.assertEqual(linked[0].st_ino, linked[1].st_ino)
        self.assertEqual(os.stat(os.path.join(self.cache.directory, entries[0], module)).st_ino,
                         linked[0].st_ino)
        # Compiled as well, so that nothing is compiled again.
        self.assertTrue(os.path.exists(compiled(os.path.join(second.location, module))))
        # Directories are each eggs directory's own: removing one leaves the cache whole.
        self.assertNotEqual(os.stat(first.location).st_ino, os.stat(second.location).st_ino)

    @unittest.skipIf(os.name == "nt", "read-only files are kept writable on Windows")
    def test_an_entry_is_written_read_only_compiled_files_too(self) -> None:
        # Sealing it (here, in this process) then has no file's mode to change but the RECORD's.
        changed = []
        chmod = os.chmod

        def recording(path: str, mode: int, **keywords: object) -> None:
            changed.append(path)
            chmod(path, mode, **keywords)  # type: ignore[arg-type]

        with mock.patch.object(os, "chmod", recording):
            dist = install_wheel(self.wheel, self.path("eggs"), egg_cache=self.cache, sha256=self.sha256)
        self.assertEqual(changed, ["RECORD"])
        module = os.path.join(dist.location, "demo", "__init__.py")
        for path in (module, compiled(module)):
            self.assertFalse(os.stat(path).st_mode & 0o222, path)

    def test_uncompiled_eggs_never_stand_in_for_compiled_ones(self) -> None:
        uncompiled = EggCache.in_download_cache(self.path("cache"), compiled=False)
        plain = install_wheel(self.wheel, self.path("eggs1"), egg_cache=uncompiled,
                              sha256=self.sha256, byte_compile=False)
        module = os.path.join("demo", "__init__.py")
        self.assertFalse(os.path.exists(os.path.join(plain.location, "demo", "__pycache__")))
        # The same wheel, the same download cache, compiling on: a compiled entry of its own.
        dist = install_wheel(self.wheel, self.path("eggs2"), egg_cache=self.cache, sha256=self.sha256)
        self.assertTrue(os.path.exists(compiled(os.path.join(dist.location, module))))
        self.assertNotEqual(os.stat(os.path.join(plain.location, module)).st_ino,
                            os.stat(os.path.join(dist.location, module)).st_ino)
        self.assertEqual(os.path.basename(uncompiled.directory), "uncompiled")

    def entry_module(self) -> str:
        [entry] = os.listdir(self.cache.directory)
        return os.path.join(self.cache.directory, entry, "demo", "__init__.py")

    def test_entries_are_read_only(self) -> None:
        dist = install_wheel(self.wheel, self.path("eggs"), egg_cache=self.cache, sha256=self.sha256)
        for path in (self.entry_module(), os.path.join(dist.location, "demo", "__init__.py")):
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o444, path)

    def test_a_worker_seals_a_new_entry_records_it_and_puts_it_in_place_in_one_request(self) -> None:
        with Compiler() as compiler, \
                mock.patch.object(Compiler, "call", autospec=True, side_effect=Compiler.call) as called:
            cache = EggCache.in_download_cache(self.path("cache"), work=compiler)
            install_wheel(self.wheel, self.path("eggs"), compiler=compiler, egg_cache=cache, sha256=self.sha256)
        sealing = [call.args[1:] for call in called.call_args_list if call.args[1].endswith(":seal_entry")]
        [entry] = os.listdir(cache.directory)  # no staging directory left beside it
        [(_, staged, manifest, placed)] = sealing
        self.assertEqual(placed, os.path.join(cache.directory, entry))
        self.assertFalse(os.path.exists(os.path.dirname(staged)))
        with open(manifest, encoding="utf-8") as file:
            self.assertEqual(json.load(file), tree_files(placed))
        self.assertEqual(os.stat(self.entry_module()).st_mode & 0o777, 0o444)

    def test_without_compiling_a_worker_makes_a_new_entry_start_to_end_in_one_request(self) -> None:
        with Compiler() as compiler, \
                mock.patch.object(Compiler, "call", autospec=True, side_effect=Compiler.call) as called, \
                mock.patch.object(EggCache, "entry", autospec=True, side_effect=EggCache.entry) as here:
            uncompiled = EggCache.in_download_cache(self.path("cache"), compiled=False, work=compiler)
            dist = install_wheel(self.wheel, self.path("eggs"), compiler=compiler, egg_cache=uncompiled,
                                 sha256=self.sha256, archive_sha256="AB" * 32, byte_compile=False)
        # The entry's lock, checks, unpacking, sealing and rename: all in the worker.
        here.assert_not_called()
        requests = [call.args[1].rpartition(":")[2] for call in called.call_args_list]
        self.assertEqual(requests, ["make_entry", "link_tree"])
        [name] = os.listdir(uncompiled.directory)  # no staging directory left beside it
        entry = os.path.join(uncompiled.directory, name)
        with open(os.path.join(uncompiled.locks, f"{name}.manifest"), encoding="utf-8") as file:
            self.assertEqual(json.load(file), tree_files(entry))
        unpacked = [os.path.join(root, file) for root, _, files in os.walk(entry) for file in files]
        self.assertIn(os.path.join(entry, "demo", "__init__.py"), unpacked)
        for path in unpacked:  # written read-only, RECORD made so by sealing
            self.assertEqual(os.stat(path).st_mode & 0o222, 0, path)
        self.assertEqual(pathlib.Path(dist.location, "demo", "__init__.py").read_text(), "answer = 42\n")
        [record] = pathlib.Path(dist.location).glob(f"*.dist-info/{ARCHIVE_RECORD}")
        self.assertEqual(record.read_text(), "ab" * 32 + "\n")

    def test_a_changed_entry_is_made_again_before_it_is_linked(self) -> None:
        first = install_wheel(self.wheel, self.path("eggs1"), egg_cache=self.cache, sha256=self.sha256)
        # Through a link in an eggs directory, as an editor would, or in the cache itself.
        changes = {
            "appended": lambda: pathlib.Path(first.location, "demo", "__init__.py").write_text("x = 1\n"),
            "truncated": lambda: os.truncate(os.path.join(first.location, "demo", "__init__.py"), 3),
            "removed": lambda: os.remove(self.entry_module()),
            "added": lambda: pathlib.Path(self.entry_module()).with_name("new.py").write_text(""),
        }
        for number, (change, apply) in enumerate(changes.items()):
            with self.subTest(change):
                apply()
                with self.assertLogs("zc.buildout", logging.WARNING) as said:
                    dist = install_wheel(self.wheel, self.path(f"eggs-{number}"), egg_cache=self.cache,
                                         sha256=self.sha256)
                self.assertIn("in the download cache was changed or damaged: making it again.",
                              said.output[0])
                self.assertEqual(pathlib.Path(dist.location, "demo", "__init__.py").read_text(),
                                 "answer = 42\n")
                self.assertEqual(pathlib.Path(self.entry_module()).read_text(), "answer = 42\n")
                first = dist

    def test_an_entry_gone_since_it_was_found_counts_as_changed(self) -> None:
        install_wheel(self.wheel, self.path("eggs1"), egg_cache=self.cache, sha256=self.sha256)
        [entry] = os.listdir(self.cache.directory)
        manifest = os.path.join(self.cache.locks, f"{entry}.manifest")
        self.assertTrue(egg_cache.unchanged(os.path.join(self.cache.directory, entry), manifest))
        shutil.rmtree(os.path.join(self.cache.directory, entry, "demo"))
        self.assertFalse(egg_cache.unchanged(os.path.join(self.cache.directory, entry), manifest))
        self.assertFalse(egg_cache.unchanged(self.path("nowhere"), manifest))

    def test_an_entry_an_older_buildout_made_is_made_again_quietly(self) -> None:
        install_wheel(self.wheel, self.path("eggs1"), egg_cache=self.cache, sha256=self.sha256)
        [manifest] = [name for name in os.listdir(self.cache.locks) if name.endswith(".manifest")]
        os.remove(os.path.join(self.cache.locks, manifest))
        before = os.stat(self.entry_module()).st_ino
        with self.assertNoLogs("zc.buildout", logging.WARNING):
            install_wheel(self.wheel, self.path("eggs2"), egg_cache=self.cache, sha256=self.sha256)
        self.assertNotEqual(os.stat(self.entry_module()).st_ino, before)
        self.assertTrue(os.path.exists(os.path.join(self.cache.locks, manifest)))

    def test_a_staging_directory_left_by_a_killed_run_is_removed(self) -> None:
        name = f"demo-1.0-{PY}.egg-{self.sha256[:16]}"
        stale = os.path.join(self.cache.directory, staging_name(name))
        os.makedirs(os.path.join(stale, "half"))
        install_wheel(self.wheel, self.path("eggs"), egg_cache=self.cache, sha256=self.sha256)
        self.assertEqual(os.listdir(self.cache.directory), [name])

    def test_a_changed_entry_is_made_again_where_a_killed_run_left_its_staging(self) -> None:
        install_wheel(self.wheel, self.path("eggs1"), egg_cache=self.cache, sha256=self.sha256)
        [name] = os.listdir(self.cache.directory)
        os.remove(self.entry_module())
        os.makedirs(os.path.join(self.cache.directory, staging_name(name), "discarded", "half"))
        with self.assertLogs("zc.buildout", logging.WARNING):
            dist = install_wheel(self.wheel, self.path("eggs2"), egg_cache=self.cache, sha256=self.sha256)
        self.assertEqual(os.listdir(self.cache.directory), [name])
        self.assertEqual(pathlib.Path(dist.location, "demo", "__init__.py").read_text(), "answer = 42\n")

    def test_a_rebuilt_wheel_of_the_same_version_gets_its_own_entry(self) -> None:
        install_wheel(self.wheel, self.path("eggs1"), egg_cache=self.cache, sha256=self.sha256)
        rebuilt = packages.wheel(self.path("dist2"), "demo", "1.0",
                                 modules={"demo/__init__.py": "answer = 43\n"})
        dist = install_wheel(rebuilt, self.path("eggs2"), egg_cache=self.cache, sha256=sha256_of(rebuilt))
        self.assertEqual(len(os.listdir(self.cache.directory)), 2)
        self.assertIn("43", pathlib.Path(dist.location, "demo", "__init__.py").read_text())

    def test_a_cache_that_cannot_take_entries_is_passed_by(self) -> None:
        # A read-only download cache, say (here: its eggs directory is a file).
        os.makedirs(self.path("cache"))
        pathlib.Path(self.path("cache", "eggs")).write_text("")
        dist = install_wheel(self.wheel, self.path("eggs"), egg_cache=self.cache, sha256=self.sha256)
        module = os.path.join(dist.location, "demo", "__init__.py")
        self.assertEqual(os.stat(module).st_nlink, 1)
        self.assertTrue(os.path.exists(compiled(module)))

    def test_link_tree_copies_where_links_cannot_be_made(self) -> None:
        source = self.path("source")
        os.makedirs(os.path.join(source, "sub"))
        pathlib.Path(source, "sub", "file.txt").write_text("text")
        os.utime(os.path.join(source, "sub", "file.txt"), (1_000_000, 1_000_000))
        original = os.link

        def refuse(*args: object, **kwargs: object) -> None:
            raise OSError(18, "Invalid cross-device link")

        os.link = refuse  # type: ignore[assignment]
        try:
            link_tree(source, self.path("target"))
        finally:
            os.link = original
        copied = os.stat(self.path("target", "sub", "file.txt"))
        self.assertNotEqual(copied.st_ino, os.stat(os.path.join(source, "sub", "file.txt")).st_ino)
        self.assertEqual(copied.st_mtime, 1_000_000)

    def test_trees_are_walked_alike_by_descriptors_and_by_paths(self) -> None:
        # Named relative to their directories' descriptors where the system can, by paths elsewhere.
        source = self.path("source")
        for relative in ("a.py", "pkg/b.py", "pkg/sub/c.txt", "pkg/sub/deeper/d.py", "other/e.py"):
            pathlib.Path(source, relative).parent.mkdir(parents=True, exist_ok=True)
            pathlib.Path(source, relative).write_text(relative)
        os.symlink("a.py", os.path.join(source, "link"))
        made = {}
        for by_descriptor in (True, False):
            with self.subTest(by_descriptor=by_descriptor), \
                    mock.patch.object(egg_cache, "_BY_DESCRIPTOR", by_descriptor):
                tree = self.path(f"tree-{by_descriptor}")
                shutil.copytree(source, tree, symlinks=True)
                made[by_descriptor] = egg_cache.seal(tree)
                self.assertEqual(made[by_descriptor], tree_files(tree))
                self.assertEqual(sorted(made[by_descriptor]), sorted(
                    os.path.relpath(os.path.join(root, name), tree)
                    for root, directories, names in os.walk(tree) for name in names + directories
                    if not os.path.isdir(os.path.join(root, name)) or os.path.islink(os.path.join(root, name))))
                self.assertFalse(os.stat(os.path.join(tree, "pkg", "sub", "deeper", "d.py")).st_mode & 0o222)
                linked = self.path(f"linked-{by_descriptor}")
                link_tree(tree, linked)
                self.assertEqual(tree_files(linked), made[by_descriptor])
                self.assertEqual(os.stat(os.path.join(linked, "pkg", "sub", "c.txt")).st_ino,
                                 os.stat(os.path.join(tree, "pkg", "sub", "c.txt")).st_ino)
                self.assertEqual(os.readlink(os.path.join(linked, "link")), "a.py")
        self.assertEqual(sorted(made[True]), sorted(made[False]))

    def test_installing_with_a_download_cache_fills_the_egg_cache(self) -> None:
        log = io.StringIO()
        handler = logging.StreamHandler(log)
        logging.getLogger("zc.buildout").addHandler(handler)
        self.addCleanup(logging.getLogger("zc.buildout").removeHandler, handler)
        settings = InstallerSettings(self.path("eggs"), self.path("develop-eggs"),
                                     download_cache=self.path("cache"))
        file = PickedFile("demo", "1.0", os.path.basename(self.wheel), f"file://{self.wheel}", self.sha256)
        [dist] = materialise([file], settings, HTTPClient())
        module = os.path.join(dist.location, "demo", "__init__.py")
        self.assertGreater(os.stat(module).st_nlink, 1)
        self.assertTrue(os.path.exists(compiled(module)))

    def materialise(self, eggs: str) -> str:
        settings = InstallerSettings(self.path(eggs), self.path("develop-eggs"),
                                     download_cache=self.path("cache"))
        file = PickedFile("demo", "1.0", os.path.basename(self.wheel), f"file://{self.wheel}", self.sha256)
        [dist] = materialise([file], settings, HTTPClient())
        return dist.location

    def test_an_egg_the_cache_keeps_is_linked_without_its_wheel(self) -> None:
        first = self.materialise("eggs1")
        # Found by the wheel's digest: the wheel, and its copy in the download cache, are not read.
        for copy in (self.wheel, self.path("cache", "dist", os.path.basename(self.wheel))):
            os.remove(copy)
        second = self.materialise("eggs2")
        module = os.path.join("demo", "__init__.py")
        self.assertEqual(os.stat(os.path.join(first, module)).st_ino,
                         os.stat(os.path.join(second, module)).st_ino)
        [info] = [name for name in os.listdir(second) if name.endswith(".dist-info")]
        self.assertEqual(pathlib.Path(second, info, ARCHIVE_RECORD).read_text(), f"{self.sha256}\n")

    def test_an_egg_found_by_digest_but_changed_is_made_again_from_its_wheel(self) -> None:
        first = self.materialise("eggs1")
        os.truncate(os.path.join(first, "demo", "__init__.py"), 3)
        with self.assertLogs("zc.buildout", logging.WARNING) as said:
            second = self.materialise("eggs2")
        self.assertIn("in the download cache was changed or damaged: making it again.", said.output[0])
        self.assertEqual(pathlib.Path(second, "demo", "__init__.py").read_text(), "answer = 42\n")
        self.assertEqual(sorted(os.listdir(self.path("eggs2"))), [os.path.basename(second)])

    def test_an_egg_made_ahead_is_linked_without_reading_its_wheel_again(self) -> None:
        # A wheel downloaded while resolving has its egg made at once; installing it links that egg.
        settings = InstallerSettings(self.path("eggs"), self.path("develop-eggs"),
                                     download_cache=self.path("cache"))
        picked = PickedFile("demo", "1.0", os.path.basename(self.wheel), f"file://{self.wheel}", self.sha256)
        with Fetcher(settings, HTTPClient()) as fetcher, \
                mock.patch.object(wheel, "wheel_metadata", wraps=wheel.wheel_metadata) as read, \
                mock.patch.object(Compiler, "link_if_unchanged", autospec=True,
                                  side_effect=Compiler.link_if_unchanged) as linked:
            fetcher.prepare(picked.filename, self.wheel, self.sha256)
            [dist] = fetcher.materialise([picked])
        self.assertEqual(read.call_count, 1)  # when the egg was made
        [(_, entry, manifest, _)] = [call.args for call in linked.call_args_list]
        self.assertIsNone(manifest)  # made now: linked without checking it against its manifest
        self.assertGreater(os.stat(os.path.join(dist.location, "demo", "__init__.py")).st_nlink, 1)

    def test_a_pinned_egg_made_ahead_is_linked_by_the_worker_that_made_it(self) -> None:
        # Uncompiled: one request makes the entry and links the egg into the eggs directory,
        # under a hidden name; installing it is a rename, and says what it got.
        settings = InstallerSettings(self.path("eggs"), self.path("develop-eggs"),
                                     download_cache=self.path("cache"), byte_compile=False)
        picked = PickedFile("demo", "1.0", os.path.basename(self.wheel), f"file://{self.wheel}", self.sha256)
        with Fetcher(settings, HTTPClient()) as fetcher, \
                mock.patch.object(Compiler, "call", autospec=True, side_effect=Compiler.call) as called, \
                self.assertLogs("zc.buildout", logging.INFO) as said:
            fetcher.prepare(picked.filename, self.wheel, self.sha256, pinned=True)
            [dist] = fetcher.materialise([picked])
        self.assertEqual([call.args[1].rpartition(":")[2] for call in called.call_args_list], ["make_entry"])
        self.assertIn("INFO:zc.buildout:Got demo 1.0.", said.output)
        self.assertEqual(os.listdir(self.path("eggs")), [os.path.basename(dist.location)])
        [entry] = os.listdir(self.path("cache", "eggs", "uncompiled"))
        module = os.path.join("demo", "__init__.py")
        self.assertEqual(os.stat(os.path.join(dist.location, module)).st_ino,
                         os.stat(self.path("cache", "eggs", "uncompiled", entry, module)).st_ino)
        [info] = [name for name in os.listdir(dist.location) if name.endswith(".dist-info")]
        self.assertEqual(pathlib.Path(dist.location, info, ARCHIVE_RECORD).read_text(), f"{self.sha256}\n")

    def test_a_pinned_egg_made_ahead_is_hidden_until_it_is_installed(self) -> None:
        settings = InstallerSettings(self.path("eggs"), self.path("develop-eggs"),
                                     download_cache=self.path("cache"))
        picked = PickedFile("demo", "1.0", os.path.basename(self.wheel), f"file://{self.wheel}", self.sha256)
        with Fetcher(settings, HTTPClient()) as fetcher:
            fetcher.prepare(picked.filename, self.wheel, self.sha256, pinned=True)
            [made] = fetcher._prepared.values()
            [entry] = os.listdir(self.path("cache", "eggs", os.path.basename(os.path.dirname(made.result()))))
            self.assertEqual(os.listdir(self.path("eggs")), [staging_name(entry)])
            [dist] = fetcher.materialise([picked])
        self.assertEqual(os.listdir(self.path("eggs")), [os.path.basename(dist.location)])
        self.assertTrue(os.path.exists(compiled(os.path.join(dist.location, "demo", "__init__.py"))))

    def test_a_pinned_egg_made_ahead_but_not_installed_is_removed(self) -> None:
        # The resolution failed, say: the eggs directory is as it was.
        settings = InstallerSettings(self.path("eggs"), self.path("develop-eggs"),
                                     download_cache=self.path("cache"), byte_compile=False)
        with Fetcher(settings, HTTPClient()) as fetcher:
            fetcher.prepare(os.path.basename(self.wheel), self.wheel, self.sha256, pinned=True)
        self.assertEqual(os.listdir(self.path("eggs")), [])
        self.assertEqual(len(os.listdir(self.path("cache", "eggs", "uncompiled"))), 1)  # kept for the next run

    def test_a_pinned_egg_that_cannot_be_linked_ahead_is_installed_as_any_other(self) -> None:
        settings = InstallerSettings(self.path("eggs"), self.path("develop-eggs"),
                                     download_cache=self.path("cache"))
        picked = PickedFile("demo", "1.0", os.path.basename(self.wheel), f"file://{self.wheel}", self.sha256)
        link, failed = EggCache.link_unchanged, []

        def fail_first(cache: EggCache, *args: object, **keywords: object) -> bool:
            if not failed:
                failed.append(True)
                raise OSError(errno.ENOSPC, "No space left on device")
            return link(cache, *args, **keywords)  # type: ignore[arg-type]

        with Fetcher(settings, HTTPClient()) as fetcher, mock.patch.object(EggCache, "link_unchanged", fail_first):
            fetcher.prepare(picked.filename, self.wheel, self.sha256, pinned=True)
            [made] = fetcher._prepared.values()
            self.assertIsNotNone(made.result())  # the entry is made all the same
            self.assertEqual(os.listdir(self.path("eggs")), [])  # nothing half-linked left
            [dist] = fetcher.materialise([picked])
        self.assertEqual(failed, [True])
        self.assertEqual(os.listdir(self.path("eggs")), [os.path.basename(dist.location)])
        self.assertEqual(pathlib.Path(dist.location, "demo", "__init__.py").read_text(), "answer = 42\n")

    def test_a_pinned_egg_linked_ahead_and_gone_meanwhile_is_linked_again(self) -> None:
        # Another buildout of the same user linked the same egg ahead meanwhile (the same hidden
        # name) and removed it, its resolution failing: installing links it again.
        settings = InstallerSettings(self.path("eggs"), self.path("develop-eggs"),
                                     download_cache=self.path("cache"), byte_compile=False)
        picked = PickedFile("demo", "1.0", os.path.basename(self.wheel), f"file://{self.wheel}", self.sha256)
        with Fetcher(settings, HTTPClient()) as fetcher:
            fetcher.prepare(picked.filename, self.wheel, self.sha256, pinned=True)
            [made] = fetcher._prepared.values()
            made.result()
            [hidden] = os.listdir(self.path("eggs"))
            shutil.rmtree(self.path("eggs", hidden))
            [dist] = fetcher.materialise([picked])
        self.assertEqual(os.listdir(self.path("eggs")), [os.path.basename(dist.location)])
        self.assertEqual(pathlib.Path(dist.location, "demo", "__init__.py").read_text(), "answer = 42\n")

    def test_an_egg_made_ahead_with_its_metadata_known_never_reads_the_wheel_s(self) -> None:
        # The metadata read while resolving names the egg directory.
        settings = InstallerSettings(self.path("eggs"), self.path("develop-eggs"),
                                     download_cache=self.path("cache"))
        picked = PickedFile("demo", "1.0", os.path.basename(self.wheel), f"file://{self.wheel}", self.sha256)
        known = Headers.parse("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")
        with Fetcher(settings, HTTPClient()) as fetcher, \
                mock.patch.object(wheel, "wheel_metadata", wraps=wheel.wheel_metadata) as read:
            fetcher.prepare(picked.filename, self.wheel, self.sha256, lambda: known)
            [dist] = fetcher.materialise([picked])
        self.assertEqual(read.call_count, 0)
        self.assertEqual(os.path.basename(dist.location), f"demo-1.0-{PY}.egg")
