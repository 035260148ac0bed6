"""Odd input ends in one ``Error:`` line and a hint, never a traceback (issue 20, item 5).

Each case is run through the command line, in this process, in a fresh
directory whose ``buildout.cfg`` has no parts.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import shutil
import socket
import sys
import tempfile
import unittest
from unittest import mock

from zc.buildout.cli import main
from zc.buildout.dists.install.compiler import Compiler
from zc.buildout.testing import packages


class OddInputTests(unittest.TestCase):
    def setUp(self) -> None:
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="buildout-odd-"))
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.addCleanup(os.chdir, os.getcwd())
        self.addCleanup(socket.setdefaulttimeout, socket.getdefaulttimeout())
        environment = {"BUILDOUT_HOME": self.path("home"), "XDG_CACHE_HOME": self.path("user-cache")}
        patched = mock.patch.dict(os.environ, environment)
        patched.start()
        self.addCleanup(patched.stop)
        path = mock.patch.object(sys, "path", list(sys.path))  # runs add develop-eggs and stand-ins
        path.start()
        self.addCleanup(path.stop)
        os.chdir(self.root)
        self.write("buildout.cfg", "[buildout]\nparts =\n")

    def path(self, *names: str) -> str:
        return os.path.join(self.root, *names)

    def write(self, name: str, text: str) -> None:
        with open(self.path(name), "w", encoding="utf-8") as file:
            file.write(text)

    def error(self, *argv: str) -> list[str]:
        """The ``Error:`` line and the hint ``buildout argv`` ends with (asserting it failed so)."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(list(argv))
        os.chdir(self.root)
        report = err.getvalue()
        self.assertEqual(status, 1, report)
        self.assertNotIn("Traceback", report)
        lines = report.splitlines()
        (start,) = [index for index, line in enumerate(lines) if line.startswith("Error: ")]
        return lines[start:]

    def assertError(self, argv: tuple[str, ...], message: str, hint: str) -> None:
        lines = self.error(*argv)
        self.assertEqual(len(lines), 2, lines)
        self.assertEqual(lines[0], "Error: " + message)
        self.assertEqual(lines[1], hint)

    def test_a_long_chain_of_substitutions(self) -> None:
        links = 1500
        chain = "".join(f"o{i} = x${{c:o{i + 1}}}\n" for i in range(links))
        self.write("buildout.cfg", f"[buildout]\nparts =\n[c]\nx = ${{c:o0}}\n{chain}o{links} = end\n")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(main(["query", "c:x"]), 0)  # the raw value
        from zc.buildout.buildout import Buildout

        self.assertEqual(Buildout("buildout.cfg", [])["c"]["x"], "x" * links + "end")
        self.write("buildout.cfg", f"[buildout]\nparts =\n[c]\nx = ${{c:o0}}\n{chain}")
        lines = self.error("buildout:parts=c")
        self.assertEqual(
            lines[0],
            f"Error: ${{c:o{links}}} in [c] o{links - 1} at {self.path('buildout.cfg')}:{links + 4}"
            f" references missing option 'o{links}' of section 'c'",
        )
        # [c] is initialised option by option, in sorted order: o0 first.
        self.assertEqual(lines[-1], f"  reached from ${{c:o1}} in [c] o0 at {self.path('buildout.cfg')}:5")

    def test_a_long_cycle_of_substitutions(self) -> None:
        links = 300
        cycle = "".join(f"o{i} = ${{c:o{(i + 1) % links}}}\n" for i in range(links))
        self.write("buildout.cfg", f"[buildout]\nparts = c\n[c]\n{cycle}")
        lines = self.error()
        self.assertEqual(lines[:2], [
            "Error: Circular reference in substitutions:",
            f"  ${{c:o1}} in [c] o0 at {self.path('buildout.cfg')}:4",
        ])
        self.assertEqual(len(lines), links + 1)

    def test_an_installation_database_that_is_not_utf_8(self) -> None:
        with open(self.path(".installed.cfg"), "wb") as file:
            file.write(b"\xff\xfe")
        self.assertError(
            (), f"The installation database {self.path('.installed.cfg')} is not UTF-8 text (byte 1).",
            "Restore it from a backup, or remove it: every part is then installed again.")

    def test_a_buildout_directory_that_does_not_exist(self) -> None:
        self.assertError(
            ("buildout:directory=/nonexistent/dir",),
            "[buildout] directory: cannot enter '/nonexistent/dir' (No such file or directory).",
            "Set directory to an existing directory, or run buildout from the project's directory.")

    def test_socket_timeouts_out_of_range(self) -> None:
        hint = "Give a number of seconds such as 30 (or -t 30), or leave the option empty for no limit."
        self.assertError(
            ("-t", "99999999999999999999"),
            "[buildout] socket-timeout must be above 0 and at most 86400 seconds,"
            " not '99999999999999999999'.",
            hint)
        self.assertError(
            ("-t", "0", "-c", "http://127.0.0.1:9/x.cfg"),
            "[buildout] socket-timeout must be above 0 and at most 86400 seconds, not '0'.", hint)
        self.write("buildout.cfg", "[buildout]\nparts =\nsocket-timeout = 0\n")
        self.assertError(
            (), f"{self.path('buildout.cfg')}:3: [buildout] socket-timeout must be above 0 and at most"
            " 86400 seconds, not '0'.", hint)

    def test_extends_naming_what_cannot_be_read(self) -> None:
        self.write("buildout.cfg", "[buildout]\nextends = http://[::1\nparts =\n")
        self.assertError(
            (), f"{self.path('buildout.cfg')}:2: Invalid URL 'http://[::1': Invalid IPv6 URL",
            "Check the URL: its host, brackets and port.")
        self.write("buildout.cfg", "[buildout]\nextends = a\0b.cfg\nparts =\n")
        self.assertError(
            (), f"{self.path('buildout.cfg')}:2: Couldn't open '{self.path('a')}\\x00b.cfg'"
            " (embedded null byte)",
            "Check the file name.")

    def test_a_malformed_index_or_find_links(self) -> None:
        hint = "Check the URL given in index, find-links or the option naming it."
        for option, shown, reason in (
            ("index = https://user:secret@[::1/simple", "https://****@[::1/simple", "Invalid IPv6 URL"),
            ("find-links = http://host:99999/links", "http://host:99999/links", "Port out of range 0-65535"),
        ):
            with self.subTest(option):
                self.write("buildout.cfg", f"[buildout]\nparts = py\n{option}\n"
                           "[py]\nrecipe = zc.recipe.egg\neggs = demo\n")
                self.assertError((), f"Invalid URL {shown!r}: {reason}", hint)

    def test_an_extends_chain_1200_files_deep(self) -> None:
        for index in range(1200):
            self.write(f"f{index}.cfg", f"[buildout]\nextends = f{index + 1}.cfg\nx{index} = {index}\n")
        self.write("f1200.cfg", "[buildout]\nparts =\n")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(main(["-c", "f0.cfg", "query", "x1199"]), 0)
        self.assertEqual(out.getvalue(), "1199\n")
        self.write("f1200.cfg", "[buildout]\nextends = f0.cfg\n")
        lines = self.error("-c", "f0.cfg")
        self.assertTrue(lines[0].startswith(
            f"Error: {self.path('f1200.cfg')}:2: Recursive file include: {self.path('f0.cfg')} extends"
        ), lines)

    def test_a_chain_of_1200_macros(self) -> None:
        chain = "".join(f"[s{i}]\n< = s{i + 1}\na{i} = {i}\n" for i in range(1200))
        self.write("buildout.cfg", f"[buildout]\nparts =\n{chain}[s1200]\nz = end\n")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(main(["buildout:parts=s0", "s0:recipe=zc.buildout:debug"]), 0)
        self.assertIn("  a1199='1199'\n", out.getvalue())
        self.assertIn("  z='end'\n", out.getvalue())
        self.write("buildout.cfg", f"[buildout]\nparts =\n{chain}[s1200]\n< = s0\n")
        lines = self.error("buildout:parts=s0")
        self.assertEqual(lines, [f"Error: {self.path('buildout.cfg')}:3604: Infinite extending loop 's0'"])

    def test_a_condition_nested_too_deeply(self) -> None:
        self.write("buildout.cfg", "[buildout]\nparts =\n[x:" + "not " * 1000 + "True]\na = 1\n")
        lines = self.error()
        start = f"Error: {self.path('buildout.cfg')}:3: The section condition"
        self.assertTrue(lines[0].startswith(start), lines)
        self.assertTrue(lines[0].endswith("is nested too deeply."), lines)

    def test_directory_names_too_long(self) -> None:
        name = "b" * 300
        lines = self.error(f"bin-directory={name}")
        self.assertTrue(lines[0].startswith("Error: [buildout] bin-directory: cannot create '"), lines)
        self.assertTrue(lines[0].endswith("' (File name too long)."), lines)
        self.assertEqual(lines[1], "Set bin-directory to a directory buildout can create and write to.")
        lines = self.error(f"directory={self.root}/{name}/{name}")
        self.assertTrue(lines[0].endswith("(File name too long)."), lines)

    def test_an_eggs_directory_that_cannot_be_made(self) -> None:
        os.makedirs(self.path("taken"))
        self.write("taken/file", "")
        self.assertError(
            ("eggs-directory=taken/file/x",),
            f"[buildout] eggs-directory: cannot create '{self.path('taken/file/x/v5')}' (Not a directory).",
            "Set eggs-directory to a directory buildout can create and write to.")

    def test_an_eggs_directory_version_that_is_not_one_name(self) -> None:
        for value in ("../..", "a/b", ".."):
            with self.subTest(value):
                self.assertError(
                    (f"eggs-directory-version={value}",),
                    f"[buildout] eggs-directory-version must name one directory, not {value!r}.",
                    "Give a plain name such as v5, or leave it empty for the eggs directory itself.")

    def test_a_read_only_eggs_directory_with_an_egg_missing(self) -> None:
        links = self.path("links")
        packages.wheel(links, "demo", "1.0")
        self.write("buildout.cfg", f"[buildout]\nparts = py\nfind-links = {links}\n"
                   "[py]\nrecipe = zc.recipe.egg\neggs = demo\n")
        eggs = self.path("eggs", "v5")
        # Unpacking is the first write into the eggs directory: it fails as on a read-only file system.
        read_only = OSError(errno.EROFS, os.strerror(errno.EROFS), os.path.join(eggs, "x"))
        with mock.patch.object(Compiler, "unpack", side_effect=read_only):
            lines = self.error()
        self.assertEqual(lines, [
            f"Error: Cannot install demo 1.0 into the eggs directory {eggs} (Read-only file system).",
            "Make [buildout] eggs-directory writable, or set it to a directory you can write to.",
        ])


if __name__ == "__main__":
    unittest.main()
