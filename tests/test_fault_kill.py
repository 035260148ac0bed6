"""Kill -9: a buildout killed at a random moment is repaired by the next run, with nothing by hand.

Each round installs 20 distributions (:mod:`tests.fault_buildouts`) from
a loopback index into a fresh buildout and eggs directory (every other round
with a download cache), kills the run with SIGKILL after a random number of
its output lines and a random delay, waits for its worker processes to
stop, and runs buildout again: that run succeeds, every egg matches its
RECORD, the interpreter imports everything, and no temporary path is on a
script's ``sys.path``. Default: 5 rounds, the same each time; long run
(``BUILDOUT_TEST_LONG=1``): 50 rounds, new ones each time. A failing round
names its seed: ``BUILDOUT_TEST_SEED=<seed>`` starts from it again.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import tempfile
import time
import unittest
from unittest import mock

from tests.fault_buildouts import FaultBuildout, check_installed, make_distributions
from tests.long_runs import LONG, size
from tests.test_interruptions import wait_until, workers_of
from zc.buildout.testing.index import FakeIndex

ROUNDS = size(5, 50)


class KillTests(unittest.TestCase):
    def setUp(self) -> None:
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="buildout-kill-"))
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        make_distributions(os.path.join(self.root, "dist"))
        self.index = FakeIndex(os.path.join(self.root, "dist")).start()
        self.addCleanup(self.index.stop)
        patched = mock.patch.dict(os.environ, {"XDG_CACHE_HOME": os.path.join(self.root, "user-cache")})
        patched.start()  # the working state of the eggs directories (dists.store.state)
        self.addCleanup(patched.stop)

    def test_a_killed_run_is_repaired_by_the_next(self) -> None:
        chosen = os.environ.get("BUILDOUT_TEST_SEED")
        seed = int(chosen) if chosen else random.SystemRandom().randrange(2**32) if LONG else 20
        killed = 0
        for number in range(ROUNDS):
            rng = random.Random(seed + number)
            with self.subTest(round=number, seed=seed + number):
                killed += self.one_round(number, rng)
        if LONG:
            print(f"\n  kill -9: {ROUNDS} rounds (seed {seed}), {killed} killed before their end")

    def one_round(self, number: int, rng: random.Random) -> bool:
        """Kill a run, run again, check; whether the kill came before the run's end."""
        base = os.path.join(self.root, f"round{number}")
        eggs = os.path.join(base, "eggs")
        cache = os.path.join(base, "cache") if number % 2 else None
        buildout = FaultBuildout(os.path.join(base, "buildout"), self.index.simple, eggs, cache)
        buildout.environment["PYTHONUNBUFFERED"] = "1"
        lines, delay = rng.randrange(45), rng.uniform(0, 0.3)
        child = buildout.start()
        assert child.stdout is not None
        for _ in range(lines):
            if not child.stdout.readline():
                break
        time.sleep(delay)
        finished = child.poll() is not None
        child.send_signal(signal.SIGKILL)
        child.communicate()
        wait_until(lambda: not workers_of(child.pid))
        status, output = buildout.run()
        self.assertEqual(status, 0, output)
        check_installed(self, buildout, os.path.join(eggs, "v5"))
        shutil.rmtree(base, ignore_errors=True)
        return not finished


if __name__ == "__main__":
    unittest.main()
