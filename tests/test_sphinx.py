"""The documentation builds to HTML without a single warning."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import tempfile
import unittest

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"


class SphinxBuildTests(unittest.TestCase):
    def test_docs_build_without_warnings(self) -> None:
        with tempfile.TemporaryDirectory() as output:
            completed = subprocess.run(
                [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q",
                 "-b", "html", "-d", f"{output}/doctrees", str(DOCS), output],
                capture_output=True,
                text=True,
            )
        self.assertEqual(completed.returncode, 0, completed.stderr + completed.stdout)
