"""The code under src/ type-checks with mypy in strict mode."""

from __future__ import annotations

import pathlib
import subprocess
import sys
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent


class TypingTests(unittest.TestCase):
    def test_mypy_strict(self) -> None:
        completed = subprocess.run(
            [sys.executable, "-m", "mypy", "--no-error-summary"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        self.assertEqual(completed.returncode, 0, completed.stdout + completed.stderr)
