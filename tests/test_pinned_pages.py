"""Big index pages of pinned projects, read by an idle worker process; the workers' urgent work."""

from __future__ import annotations

import json
import threading
import time
import unittest

from packaging.version import Version

from zc.buildout.dists.find.pages import ProjectFiles
from zc.buildout.dists.find.pinned_pages import BIG_PAGE, pinned_page_files
from zc.buildout.dists.install.compiler import Compiler

PAGE = "https://index.example/simple/demo/"


def json_page(versions: int) -> bytes:
    """A PEP 691 page of ``demo`` listing ``versions`` versions, a wheel and an sdist each."""
    files = []
    for number in range(versions):
        for name in (f"demo-1.{number}-py3-none-any.whl", f"demo-1.{number}.tar.gz"):
            files.append({"filename": name, "url": f"../../files/{name}", "hashes": {"sha256": f"{number:064x}"},
                          "requires-python": ">=3.8", "core-metadata": number % 2 == 0, "size": 1000 + number,
                          "yanked": "broken" if number == 7 else False})
    return json.dumps({"meta": {"api-version": "1.1"}, "name": "demo", "files": files}).encode()


class PinnedPagesTests(unittest.TestCase):
    def setUp(self) -> None:
        self.compiler = Compiler(workers=1)
        self.addCleanup(self.compiler.close)

    def started(self) -> Compiler:
        self.compiler.start()
        deadline = time.monotonic() + 30
        while not self.compiler.idle() and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.compiler

    def test_a_worker_reads_what_reading_here_reads(self) -> None:
        data = json_page(2000)
        self.assertGreater(len(data), BIG_PAGE)
        for only in (Version("1.7"), Version("1.1999"), Version("2.0")):
            with self.subTest(only=str(only)):
                there = pinned_page_files(self.started, data, PAGE, "demo", only)
                assert there is not None
                here = ProjectFiles.from_json(data, PAGE, "demo", only)
                self.assertEqual(list(there), list(here))
                self.assertEqual(there.files(), here.files())
                self.assertEqual(len(here.files()), 0 if only == Version("2.0") else 2)

    def test_read_here_when_small_when_no_worker_is_idle_or_when_it_fails(self) -> None:
        asked: list[str] = []

        def workers() -> Compiler:
            asked.append("workers")
            return self.compiler

        self.assertIsNone(pinned_page_files(workers, json_page(3), PAGE, "demo", Version("1.1")))
        self.assertEqual(asked, [])  # a small page does not even start them
        self.assertIsNone(pinned_page_files(workers, json_page(2000), PAGE, "demo", Version("1.1")))
        self.assertEqual(asked, ["workers"])  # not started yet: none idle
        self.started()
        broken = b"{" + b" " * BIG_PAGE
        self.assertIsNone(pinned_page_files(workers, broken, PAGE, "demo", Version("1.1")))
        with self.assertRaises(ValueError):  # as reading it here says
            ProjectFiles.from_json(broken, PAGE, "demo", Version("1.1"))
        self.assertIsNone(pinned_page_files(lambda: None, json_page(2000), PAGE, "demo", Version("1.1")))


class UrgentWorkTests(unittest.TestCase):
    def test_urgent_work_goes_before_the_work_waiting_its_turn(self) -> None:
        # Each request asks the one worker when it is done: the threads waiting for the answers
        # may wake in any order, the worker's clock tells the order it did them in.
        done: dict[str, int] = {}
        with Compiler(workers=1) as compiler:
            compiler.call("json:dumps", None)  # started
            busy = threading.Thread(target=compiler.call, args=("time:sleep", 0.5))
            busy.start()
            while compiler.idle():
                time.sleep(0.01)
            waiting = [threading.Thread(target=lambda name=name, urgent=urgent: done.__setitem__(
                name, compiler.call("time:monotonic_ns", urgent=urgent))) for name, urgent in
                [("in turn 1", False), ("in turn 2", False), ("urgent", True)]]
            for thread in waiting:
                thread.start()
                time.sleep(0.05)  # queued in this order
            for thread in [busy, *waiting]:
                thread.join()
        self.assertEqual(sorted(done, key=done.__getitem__), ["urgent", "in turn 1", "in turn 2"])
