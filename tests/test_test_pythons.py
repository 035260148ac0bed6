"""``bin/test``'s runner (``scripts/test_pythons.py``): which prepared Pythons a run uses."""

from __future__ import annotations

import importlib.util
import pathlib
import tempfile
import unittest
from types import ModuleType

SCRIPT = pathlib.Path(__file__).resolve().parent.parent / "scripts" / "test_pythons.py"


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("test_pythons", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ChoiceTests(unittest.TestCase):
    def setUp(self) -> None:
        self.runner = _runner()
        self.root = pathlib.Path(tempfile.mkdtemp())
        self.addCleanup(__import__("shutil").rmtree, self.root)
        self.runner.ROOT = self.root
        self.prepare(self.root / ".venv", self.root / "bin", "3.11.7")
        for version in ("3.13.0", "3.10.13", "3.12.1"):
            place = self.root / ".pythons" / version.rpartition(".")[0]
            self.prepare(place / "venv", place / "bin", version)

    def prepare(self, venv: pathlib.Path, bin: pathlib.Path, version: str) -> None:
        venv.mkdir(parents=True)
        (venv / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {version}\n")
        bin.mkdir(parents=True)
        (bin / "test-python").write_text("#!/bin/sh\n")

    def versions(self, wanted: str) -> list[str]:
        return [version for version, _, _ in self.runner.chosen(self.runner.environments(), wanted)]

    def test_venv_first_then_oldest_first(self) -> None:
        self.assertEqual(self.versions(""), ["3.11.7", "3.10.13", "3.12.1", "3.13.0"])

    def test_narrowed(self) -> None:
        self.assertEqual(self.versions("this"), ["3.11.7"])
        self.assertEqual(self.versions("3.13, 3.10"), ["3.10.13", "3.13.0"])
        self.assertEqual(self.versions("3.9"), [])

    def test_a_python_not_prepared_is_left_out(self) -> None:
        (self.root / ".pythons" / "3.12" / "bin" / "test-python").unlink()
        self.assertEqual(self.versions(""), ["3.11.7", "3.10.13", "3.13.0"])
