"""Byte-compiling one module: the file the import system (and py_compile) would write, quietly."""

from __future__ import annotations

import importlib.util
import os
import py_compile
import tempfile
import unittest
from unittest import mock

from zc.buildout.dists.install.bytecode import compile_module

MODULE = '"""A module."""\n\nANSWER = 42\n\n\ndef double(x):\n    return 2 * x\n'


class CompileModuleTests(unittest.TestCase):
    def setUp(self) -> None:
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.root = directory.name

    def writable_mode(self) -> int:
        """The permissions a file created with 0o666 gets here (the process's umask applied)."""
        probe = os.path.join(self.root, "probe")
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        mode = os.stat(probe).st_mode & 0o777
        os.remove(probe)
        return mode

    def module(self, name: str, text: str) -> str:
        path = os.path.join(self.root, "pkg", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as file:
            file.write(text)
        return path

    def test_the_file_py_compile_writes(self) -> None:
        source = self.module("mod.py", MODULE)
        compiled = importlib.util.cache_from_source(source)
        for epoch in ("", "1700000000"):  # timestamp-based, then checked hash-based (PEP 552)
            with self.subTest(SOURCE_DATE_EPOCH=epoch), mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": epoch}):
                self.assertTrue(compile_module(source, "/final/pkg"))
                with open(compiled, "rb") as file:
                    ours = file.read()
                os.remove(compiled)
                py_compile.compile(source, dfile="/final/pkg/mod.py", doraise=True)
                with open(compiled, "rb") as file:
                    self.assertEqual(ours, file.read())
                os.remove(compiled)

    def test_a_compiled_file_there_is_replaced(self) -> None:
        source = self.module("mod.py", MODULE)
        compiled = importlib.util.cache_from_source(source)
        os.makedirs(os.path.dirname(compiled))
        with open(compiled, "wb") as file:
            file.write(b"stale")
        self.assertTrue(compile_module(source, "/final/pkg"))
        with open(compiled, "rb") as file:
            self.assertEqual(file.read(4), importlib.util.MAGIC_NUMBER)
        self.assertEqual(os.listdir(os.path.dirname(compiled)), [os.path.basename(compiled)])

    @unittest.skipIf(os.name == "nt", "read-only files are kept writable on Windows")
    def test_a_compiled_file_is_as_writable_as_its_source(self) -> None:
        for mode in (0o644, 0o444, 0o755, 0o555):
            with self.subTest(mode=oct(mode)):
                source = self.module(f"mod{mode:o}.py", MODULE)
                os.chmod(source, mode)
                self.assertTrue(compile_module(source, "/final/pkg"))
                compiled = os.stat(importlib.util.cache_from_source(source)).st_mode & 0o777
                self.assertEqual(compiled, mode & self.writable_mode())

    def test_modules_that_do_not_compile_are_left_quietly(self) -> None:
        for name, text in [("py2.py", "print 'hello'\n"), ("nul.py", "x = 1\0\n"), ("latin.py", "# \xe9\n")]:
            with self.subTest(name):
                source = self.module(name, text)
                if name == "latin.py":
                    with open(source, "wb") as file:
                        file.write(b"x = '\xe9'\n")  # not UTF-8, and no coding line
                self.assertFalse(compile_module(source, "/final/pkg"))
                self.assertFalse(os.path.exists(importlib.util.cache_from_source(source)))
