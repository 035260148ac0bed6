"""Locks on files: one holder at a time, across threads and processes; gone with their holder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from zc.buildout.files.locks import LockTimeout, holding

_HOLD = """\
import sys, time
from zc.buildout.files.locks import holding
with holding(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


class LockTests(unittest.TestCase):
    def setUp(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="buildout-locks-")
        self.path = os.path.join(self.directory, "states", "demo.lock")

    def tearDown(self) -> None:
        for root, _, names in os.walk(self.directory, topdown=False):
            for name in names:
                os.remove(os.path.join(root, name))
            os.rmdir(root)

    def test_the_file_and_its_directory_are_made_and_kept(self) -> None:
        with holding(self.path):
            self.assertTrue(os.path.isfile(self.path))
        self.assertTrue(os.path.isfile(self.path))

    def test_a_held_lock_times_out_and_a_released_one_is_taken(self) -> None:
        with holding(self.path):
            with self.assertRaisesRegex(LockTimeout, "demo.lock is held by another process"):
                with holding(self.path, timeout=0):
                    pass
            started = time.monotonic()
            with self.assertRaises(LockTimeout):
                with holding(self.path, timeout=0.2):
                    pass
            self.assertGreaterEqual(time.monotonic() - started, 0.2)
        with holding(self.path, timeout=0):
            pass

    def test_threads_take_turns(self) -> None:
        inside, most = [0], [0]

        def work() -> None:
            for _ in range(20):
                with holding(self.path):
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                    time.sleep(0.001)
                    inside[0] -= 1

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(most, [1])

    def test_a_waiter_gets_the_lock_of_a_killed_holder(self) -> None:
        holder = subprocess.Popen([sys.executable, "-c", _HOLD, self.path], stdout=subprocess.PIPE, text=True)
        self.addCleanup(holder.wait)
        assert holder.stdout is not None
        self.assertEqual(holder.stdout.readline(), "held\n")
        with self.assertRaises(LockTimeout):
            with holding(self.path, timeout=0):
                pass
        taken = threading.Event()

        def wait() -> None:
            with holding(self.path):
                taken.set()

        waiter = threading.Thread(target=wait)
        waiter.start()
        self.assertFalse(taken.wait(0.3))
        holder.send_signal(signal.SIGKILL)
        holder.stdout.close()
        waiter.join(10)
        self.assertTrue(taken.is_set())
