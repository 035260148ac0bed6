"""Concurrency: buildouts sharing one eggs directory and one download cache, started together, all succeed.

Each round starts 4 buildouts (:mod:`tests.fault_buildouts`) at once, each
in its own directory, all installing the same 20 distributions from a
loopback index into one fresh eggs directory through one fresh download
cache. Every run succeeds, the shared eggs match their RECORDs, and each
buildout's interpreter imports everything. Default: 2 rounds; long run
(``BUILDOUT_TEST_LONG=1``): 10.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import unittest
from unittest import mock

from tests.fault_buildouts import FaultBuildout, check_installed, make_distributions
from tests.long_runs import size
from zc.buildout.run import layout
from zc.buildout.testing.index import FakeIndex

ROUNDS = size(2, 10)
BUILDOUTS = 4


class ConcurrencyTests(unittest.TestCase):
    def setUp(self) -> None:
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="buildout-together-"))
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        make_distributions(os.path.join(self.root, "dist"))
        self.index = FakeIndex(os.path.join(self.root, "dist")).start()
        self.addCleanup(self.index.stop)
        patched = mock.patch.dict(os.environ, {"XDG_CACHE_HOME": os.path.join(self.root, "user-cache")})
        patched.start()  # the working state of the eggs directory (dists.store.state)
        self.addCleanup(patched.stop)

    def test_buildouts_sharing_eggs_and_download_cache(self) -> None:
        for number in range(ROUNDS):
            with self.subTest(round=number):
                base = os.path.join(self.root, f"round{number}")
                eggs, cache = os.path.join(base, "eggs"), os.path.join(base, "cache")
                buildouts = [
                    FaultBuildout(os.path.join(base, f"buildout{which}"), self.index.simple, eggs, cache)
                    for which in range(BUILDOUTS)
                ]
                children = [buildout.start() for buildout in buildouts]
                results = [(child.communicate()[0], child.returncode) for child in children]
                for output, status in results:
                    self.assertEqual(status, 0, output)
                for buildout in buildouts:
                    check_installed(self, buildout, os.path.join(eggs, "v5"))
                shutil.rmtree(base, ignore_errors=True)

    def test_a_directory_made_meanwhile_by_another_buildout(self) -> None:
        options = {name: os.path.join(self.root, "shared", name) for name in layout.DIRECTORY_OPTIONS}
        isdir = os.path.isdir

        def made_meanwhile(path: str) -> bool:
            """Whether ``path`` is a directory; then another buildout makes it."""
            found = isdir(path)
            if not found:
                os.makedirs(path)
            return found

        with mock.patch("os.path.isdir", made_meanwhile), self.assertLogs("zc.buildout") as logged:
            layout.create(options)
        self.assertEqual(len(logged.records), len(options))  # each found missing, then used
        self.assertTrue(all(map(isdir, options.values())))

if __name__ == "__main__":
    unittest.main()
