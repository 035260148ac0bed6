"""Killed runs and concurrent runs: nothing half-installed is ever used.

Real child processes are killed with SIGKILL while they unpack a wheel or
download one; the next run repairs. Two processes sharing an eggs directory
wait for each other through the file locks.
"""

from __future__ import annotations

import base64
import hashlib
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any

from tests.builder_fixtures import ScratchTestCase
from zc.buildout.dists.install.fetch import PickedFile, materialise
from zc.buildout.dists.install.wheel import install_wheel, locked
from zc.buildout.dists.store.archive_cache import sha256_of
from zc.buildout.dists.store.eggs import InstalledEggs
from zc.buildout.dists.store.state import STAGING_PREFIX
from zc.buildout.net.httpclient import HTTPClient
from zc.buildout.testing import packages
from zc.buildout.testing.server import LoopbackHandler, LoopbackServer

PY = f"py{sys.version_info[0]}.{sys.version_info[1]}"


def wait_until(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


def workers_of(pid: int) -> list[str]:
    """The worker processes (see zc.buildout.dists.install.compiler) of the process ``pid``, alive or orphaned."""
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        try:
            arguments = pathlib.Path("/proc", entry, "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"stop_when_orphaned" in b"".join(arguments) and str(pid).encode() in arguments[-2:]:
            found.append(entry)
    return found


def count_files(directory: str) -> int:
    return sum(len(files) for _, _, files in os.walk(directory))


def staging(eggs: str) -> list[str]:
    """The entries of ``eggs`` being made (see zc.buildout.dists.store.state)."""
    try:
        return [os.path.join(eggs, name) for name in os.listdir(eggs) if name.startswith(STAGING_PREFIX)]
    except FileNotFoundError:
        return []


def assert_complete(test: ScratchTestCase, egg: str) -> None:
    """Every file RECORD lists is there with the recorded digest."""
    (info,) = [e for e in os.listdir(egg) if e.endswith(".dist-info")]
    with open(os.path.join(egg, info, "RECORD")) as record:
        for line in record:
            path, digest, _ = line.rstrip("\n").rsplit(",", 2)
            if digest:
                data = pathlib.Path(egg, path).read_bytes()
                expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
                test.assertEqual(digest, "sha256=" + expected.decode(), path)


class InterruptionTests(ScratchTestCase):
    def child(self, code: str, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code), *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p)),
        )

    def big_wheel(self) -> str:
        modules = {f"big/m{i:04}.py": f"VALUE = {i}\n" + "# padding\n" * 200 for i in range(1500)}
        modules["big/__init__.py"] = ""
        return packages.wheel(self.path("dist"), "big", "1.0", modules=modules)

    def test_killed_while_unpacking(self) -> None:
        wheel = self.big_wheel()
        eggs = self.settings.eggs_directory
        child = self.child("""
            import sys
            from zc.buildout.dists.install.wheel import install_wheel
            install_wheel(sys.argv[1], sys.argv[2])
            """, wheel, eggs)
        self.addCleanup(child.communicate)
        wait_until(lambda: any(count_files(path) > 200 for path in staging(eggs)))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        # The worker unpacking the wheel notices, and stops writing.
        wait_until(lambda: not workers_of(child.pid), timeout=10)
        target = os.path.join(eggs, f"big-1.0-{PY}.egg")
        self.assertFalse(os.path.exists(target))
        self.assertEqual(InstalledEggs(eggs, self.settings.develop_eggs_directory).find("big"), [])
        self.assertTrue(staging(eggs))  # the killed run's, under a hidden name
        install_wheel(wheel, eggs)
        assert_complete(self, target)
        self.assertEqual(os.listdir(eggs), [os.path.basename(target)])

    def test_killed_while_downloading(self) -> None:
        wheel = self.big_wheel()
        data = pathlib.Path(wheel).read_bytes()
        half_sent = threading.Event()
        release = threading.Event()

        class Stalling(LoopbackHandler):
            stall = True

            def answer(self, path: str) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if Stalling.stall:
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    half_sent.set()
                    release.wait(30)
                    return
                self.wfile.write(data)

        class StallingServer(LoopbackServer):
            handler = Stalling

        server = StallingServer().start()
        self.addCleanup(server.stop)
        self.addCleanup(release.set)
        url = f"{server.url}{os.path.basename(wheel)}"
        cache = self.path("cache")
        child = self.child("""
            import sys
            from zc.buildout.dists.settings import InstallerSettings
            from zc.buildout.dists.install.fetch import PickedFile, materialise
            from zc.buildout.net.httpclient import HTTPClient
            settings = InstallerSettings(sys.argv[1], sys.argv[2], download_cache=sys.argv[3])
            picked = PickedFile("big", "1.0", sys.argv[4].rsplit("/", 1)[1], sys.argv[4], sys.argv[5])
            materialise([picked], settings, HTTPClient())
            """, self.settings.eggs_directory, self.settings.develop_eggs_directory, cache, url,
            sha256_of(wheel))
        self.addCleanup(child.communicate)
        self.assertTrue(half_sent.wait(60))
        wait_until(lambda: any(count_bytes(os.path.join(cache, "dist", n)) > 0
                               for n in os.listdir(os.path.join(cache, "dist")) if n.endswith(".part")))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        release.set()
        cached = [n for n in os.listdir(os.path.join(cache, "dist")) if not n.startswith(".")]
        self.assertEqual(cached, [])
        self.assertFalse(os.path.exists(os.path.join(self.settings.eggs_directory, f"big-1.0-{PY}.egg")))
        Stalling.stall = False
        picked = PickedFile("big", "1.0", os.path.basename(wheel), url, sha256_of(wheel))
        settings = type(self.settings)(self.settings.eggs_directory, self.settings.develop_eggs_directory,
                                       download_cache=cache)
        (dist,) = materialise([picked], settings, HTTPClient())
        assert_complete(self, dist.location)
        self.assertEqual(sha256_of(os.path.join(cache, "dist", os.path.basename(wheel))), sha256_of(wheel))

    def test_a_second_buildout_waits_for_the_first(self) -> None:
        wheel = packages.wheel(self.path("dist"), "demo", "1.0")
        eggs = self.settings.eggs_directory
        with locked(eggs, f"demo-1.0-{PY}.egg"):
            child = self.child("""
                import logging, sys
                logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
                from zc.buildout.dists.install.wheel import install_wheel
                print(install_wheel(sys.argv[1], sys.argv[2]).location, flush=True)
                """, wheel, eggs)
            assert child.stdout is not None
            self.assertEqual(child.stdout.readline(), "Waiting for another buildout installing demo-1.0-%s.egg.\n" % PY)
            self.assertIsNone(child.poll())
        output, _ = child.communicate(timeout=60)
        self.assertEqual(child.returncode, 0, output)
        self.assertEqual(output, os.path.join(eggs, f"demo-1.0-{PY}.egg") + "\n")

    def test_two_buildouts_installing_the_same_distributions(self) -> None:
        wheels = [packages.wheel(self.path("dist"), f"d{i}", "1.0", modules={
            f"d{i}/m{j}.py": "x = 1\n" for j in range(200)}) for i in range(4)]
        code = """
            import sys
            from zc.buildout.dists.install.wheel import install_wheel
            for wheel in sys.argv[2:]:
                install_wheel(wheel, sys.argv[1])
            """
        children = [self.child(code, self.settings.eggs_directory, *wheels) for _ in range(2)]
        for child in children:
            output, _ = child.communicate(timeout=120)
            self.assertEqual(child.returncode, 0, output)
        eggs = sorted(e for e in os.listdir(self.settings.eggs_directory) if e.endswith(".egg"))
        self.assertEqual(eggs, [f"d{i}-1.0-{PY}.egg" for i in range(4)])
        for egg in eggs:
            assert_complete(self, os.path.join(self.settings.eggs_directory, egg))


def count_bytes(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
