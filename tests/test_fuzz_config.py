"""Fuzzing: mutated configurations and command lines give a ``UserError``, never another exception.

Every ``ini`` example in ``docs/`` is mutated (characters and lines deleted
or doubled, odd unicode, tabs, CRLF, unterminated ``${``, self-referencing
substitutions, extends cycles, missing extends files, huge values,
conditional sections with bad expressions) and loaded in this process with
an odd command line: parsed, merged, annotated, started as a ``Buildout``
and every section initialised (recipes are stood in for: nothing is
installed, and the command line always starts with ``-o``, offline). Only a
``UserError`` may come out. A sample also goes through the real command
line (``annotate`` or ``query``), whose output must hold no traceback. The default run tries 500
configurations (the same ones each time) and 4 on the command line; a long
run (``BUILDOUT_TEST_LONG=1``) 10,000 and 200, new ones each time.
"""

from __future__ import annotations

import contextlib
import io
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import unittest
from collections.abc import Callable
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.long_runs import LONG, size
from zc.buildout import commands
from zc.buildout.buildout import Buildout
from zc.buildout.cli import parse_command_line
from zc.buildout.errors import UserError
from zc.buildout.run.parts import requested_parts

DOCS = pathlib.Path(__file__).parent.parent / "docs"
_BLOCK = re.compile(r"^( *)\.\. code-block:: ini *$")


def ini_examples() -> list[str]:
    """The text of every ``.. code-block:: ini`` in the docs."""
    found = []
    for page in sorted(DOCS.rglob("*.rst")):
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            match = _BLOCK.match(line)
            if match is None:
                continue
            indent, block = len(match.group(1)), []
            for following in lines[number + 1 :]:
                if following.strip() and len(following) - len(following.lstrip(" ")) <= indent:
                    break
                block.append(following)
            found.append(textwrap.dedent("\n".join(block)).strip("\n") + "\n")
    return found


EXAMPLES = ini_examples()

_ODD = ["\u00e9", "\u200b", "\ufeff", "\U0001f600", "\u202e", "\x00", "\x0b", "\x0c", "\x85", "\u2028",
        "\ud800", "\r", "\\", "%", "%(x)s", "$$", "${", "}", "=", ":", "[", "]", "<", "+=", "-=", "#", ";"]
_EXPRESSIONS = ["1 +", "__import__('os')", "x.y", "(" * 60, "not " * 1000 + "True", "lambda: 1",
                "'a' * 10**9", "python3 and", "[1][5]", "{}", "os.system('true')", "9**9**9", "1/0",
                "sys.platform.__class__", "''.join", "'%s' % ()", "a:b", "]", "\x00"]
_ARGUMENTS = ["a:b:c=1", "=x", "buildout:parts+=", "p:x=${p:x}", "-t", "0", "-t", "99999999999999999999",
              "-c", "-vvv", "-q", "--bogus", "-Z", "versions:x=", "buildout:extends=missing.cfg",
              "buildout:directory=/nonexistent/dir", "socket-timeout=0", "eggs-directory-version=..",
              "s:k=\u00e9\u200b", "x:=1", ":=", "buildout:parts=nothere", "a b:c=d", "-c", "other.cfg",
              "annotate", "query", "query buildout:parts", "buildout:versions=nothere", "install",
              "buildout:extends=buildout.cfg", "log-level=LOUD", "verbosity=x", "buildout:<=s",
              "buildout:offline=maybe", "buildout:parts=${buildout:parts}", "-U", "-N", "-D0"]


class Case:
    """The files of one fuzzed buildout: ``buildout.cfg`` and what it may extend."""

    def __init__(self, text: str) -> None:
        self.files: dict[str, str] = {"buildout.cfg": text}

    @property
    def text(self) -> str:
        return self.files["buildout.cfg"]

    @text.setter
    def text(self, value: str) -> None:
        self.files["buildout.cfg"] = value

    def in_buildout(self, line: str) -> None:
        """Add ``line`` to the ``[buildout]`` section (made first when there is none)."""
        header = re.search(r"^\[buildout\][ \t]*$", self.text, re.M)
        if header is None:
            self.text = f"[buildout]\n{line}\n{self.text}"
        else:
            self.text = f"{self.text[: header.end()]}\n{line}{self.text[header.end() :]}"


Draw = Callable[[st.SearchStrategy[Any]], Any]


def _position(draw: Draw, text: str) -> int:
    return int(draw(st.integers(0, len(text))))


def _line(draw: Draw, case: Case) -> tuple[list[str], int]:
    lines = case.text.split("\n")
    return lines, int(draw(st.integers(0, len(lines) - 1)))


def delete_character(draw: Draw, case: Case) -> None:
    at = _position(draw, case.text)
    case.text = case.text[:at] + case.text[at + 1 :]


def double_character(draw: Draw, case: Case) -> None:
    at = _position(draw, case.text)
    case.text = case.text[: at + 1] + case.text[at:]


def delete_line(draw: Draw, case: Case) -> None:
    lines, at = _line(draw, case)
    del lines[at]
    case.text = "\n".join(lines)


def double_line(draw: Draw, case: Case) -> None:
    lines, at = _line(draw, case)
    lines.insert(at, lines[at])
    case.text = "\n".join(lines)


def insert_odd(draw: Draw, case: Case) -> None:
    at = _position(draw, case.text)
    odd = draw(st.sampled_from(_ODD) | st.text(max_size=4))
    case.text = case.text[:at] + odd + case.text[at:]


def insert_tab(draw: Draw, case: Case) -> None:
    lines, at = _line(draw, case)
    lines[at] = "\t" + lines[at] if draw(st.booleans()) else lines[at].replace(" ", "\t")
    case.text = "\n".join(lines)


def crlf(draw: Draw, case: Case) -> None:
    case.text = case.text.replace("\n", draw(st.sampled_from(["\r\n", "\r", "\n\r"])))


def unterminated(draw: Draw, case: Case) -> None:
    at = _position(draw, case.text)
    piece = draw(st.sampled_from(["${", "${a:b", "${:", "${x:y:z}", "$${"]))
    case.text = case.text[:at] + piece + case.text[at:]


def self_reference(draw: Draw, case: Case) -> None:
    lines, at = _line(draw, case)
    lines.insert(at + 1, draw(st.sampled_from(
        ["x = ${:x}", "x = a ${:y}\ny = ${:x}", "[loop]\na = ${loop:a}", "parts = ${buildout:parts} p"])))
    case.text = "\n".join(lines)


def extends_cycle(draw: Draw, case: Case) -> None:
    case.in_buildout("extends = cycle.cfg")
    back = draw(st.sampled_from(["buildout.cfg", "cycle.cfg"]))
    case.files["cycle.cfg"] = f"[buildout]\nextends = {back}\n"


def missing_extends(draw: Draw, case: Case) -> None:
    case.in_buildout("extends = " + draw(st.sampled_from(
        ["missing.cfg", "dir/", "/nonexistent/x.cfg", "\u00e9.cfg", "a\x00b", "http://[::1", "file:///x"])))


def huge_value(draw: Draw, case: Case) -> None:
    piece = draw(st.sampled_from(["x" * 100_000, "\n  line" * 20_000, "${:y}" * 2_000]))
    case.text += f"\n[huge]\nv = {piece}\n"


def bad_condition(draw: Draw, case: Case) -> None:
    lines, at = _line(draw, case)
    lines.insert(at, f"[cond: {draw(st.sampled_from(_EXPRESSIONS))}]")
    case.text = "\n".join(lines)


def insert_syntax(draw: Draw, case: Case) -> None:
    at = _position(draw, case.text)
    case.text = case.text[:at] + draw(st.text("[]=:${}<>+-#;\n\t ab_.\\", max_size=12)) + case.text[at:]


MUTATIONS = [insert_syntax, delete_character, double_character, delete_line, double_line, insert_odd,
             insert_tab, crlf,
             unterminated, self_reference, extends_cycle, missing_extends, huge_value, bad_condition]


class StandInRecipes:
    """Builds every part's recipe as an object that has read its options: nothing is installed."""

    def load(self, options: Any) -> Callable[[Any, str, Any], Any]:
        return lambda buildout, name, options: dict(options)


def load_in_process(argv: list[str]) -> None:
    """Do with ``argv`` (offline) what reading a configuration does, up to installing parts."""
    command_line = parse_command_line(["-o", *argv])
    if command_line.command == "annotate":
        commands.annotate_command(command_line)
    elif command_line.command == "query":
        commands.query_command(command_line)
    else:
        commands.annotate_command(command_line)
    buildout = Buildout(command_line.config_file, command_line.assignments, user_defaults=False)
    buildout.recipes = StandInRecipes()  # type: ignore[assignment]
    requested_parts(buildout)
    for name in list(buildout._raw):
        buildout[name]
    buildout.format_options()


class FuzzTests(unittest.TestCase):
    def setUp(self) -> None:
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="buildout-fuzz-"))
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.addCleanup(os.chdir, os.getcwd())
        self.addCleanup(socket.setdefaulttimeout, socket.getdefaulttimeout())
        patched = mock.patch.dict(os.environ, {"BUILDOUT_HOME": os.path.join(self.root, "home"),
                                               "XDG_CACHE_HOME": os.path.join(self.root, "user-cache")})
        patched.start()
        self.addCleanup(patched.stop)
        path = mock.patch.object(sys, "path", list(sys.path))  # runs add develop-eggs and stand-ins
        path.start()
        self.addCleanup(path.stop)
        self.cases = 0

    def write(self, case: Case) -> str:
        """A fresh directory holding the files of ``case``."""
        directory = os.path.join(self.root, f"case{self.cases}")
        self.cases += 1
        os.makedirs(directory)
        for name, text in case.files.items():
            with open(os.path.join(directory, name), "wb") as file:
                file.write(text.encode("utf-8", "surrogatepass"))
        return directory

    def test_examples_found(self) -> None:
        self.assertGreater(len(EXAMPLES), 80)
        self.assertTrue(all("[" in example for example in EXAMPLES))

    @settings(max_examples=size(500, 10_000), derandomize=not LONG, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def test_only_user_errors_in_process(self, data: st.DataObject) -> None:
        case, argv = self.draw_case(data.draw)
        directory = self.write(case)
        os.chdir(directory)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                load_in_process(argv)
        except UserError as error:
            self.assertTrue(str(error).strip())
        finally:
            os.chdir(self.root)
            shutil.rmtree(directory, ignore_errors=True)

    def draw_case(self, draw: Draw) -> tuple[Case, list[str]]:
        case = Case(draw(st.sampled_from(EXAMPLES)))
        for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
            mutation(draw, case)
        argv = draw(st.just([]) | st.lists(st.sampled_from(_ARGUMENTS), min_size=1, max_size=3))
        return case, [word for argument in argv for word in argument.split(" ")]

    @settings(max_examples=size(4, 200), derandomize=not LONG, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def test_no_traceback_on_the_command_line(self, data: st.DataObject) -> None:
        case, argv = self.draw_case(data.draw)
        directory = self.write(case)
        environment = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        if "install" in argv:  # the command line only reads: the sample runs no recipes
            argv[argv.index("install")] = "annotate"
        elif not any(command in argv for command in ("annotate", "query")):
            argv.append("annotate")
        result = subprocess.run(
            [sys.executable, "-m", "zc.buildout", "-U", "-o", *argv],
            cwd=directory, env=environment, capture_output=True, text=True, errors="replace",
            stdin=subprocess.DEVNULL, timeout=600,
        )
        shutil.rmtree(directory, ignore_errors=True)
        self.assertNotIn("Traceback", result.stdout + result.stderr, (case.files, argv))
        if result.returncode:
            self.assertIn("Error: ", result.stderr, (case.files, argv))


if __name__ == "__main__":
    unittest.main()
