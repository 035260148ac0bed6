"""Command-line grammar: options, clustering, assignments and the malformed cases."""

from __future__ import annotations

import contextlib
import gc
import io
import subprocess
import sys
import unittest

from zc.buildout.cli import COLLECTION_THRESHOLDS, main, parse_command_line
from zc.buildout.commands import CommandLine
from zc.buildout.errors import UsageError


class ParseTests(unittest.TestCase):
    def parse(self, line: str) -> CommandLine:
        return parse_command_line(line.split())

    def test_defaults(self) -> None:
        self.assertEqual(self.parse(""), CommandLine())

    def test_options_and_their_assignments(self) -> None:
        cases = {
            "-N": ("newest", "false"),
            "-n": ("newest", "true"),
            "-o": ("offline", "true"),
            "-O": ("offline", "false"),
            "-t 5": ("socket-timeout", "5"),
            "-t5": ("socket-timeout", "5"),
        }
        for line, (option, value) in cases.items():
            with self.subTest(line):
                self.assertEqual(self.parse(line).assignments, (("buildout", option, value),))

    def test_clusters(self) -> None:
        parsed = self.parse("-vvNc other.cfg install a")
        self.assertEqual(parsed.config_file, "other.cfg")
        self.assertEqual(parsed.verbosity, 20)
        self.assertEqual(
            parsed.assignments,
            (("buildout", "newest", "false"), ("buildout", "verbosity", "20")),
        )
        self.assertEqual((parsed.command, parsed.args), ("install", ("a",)))
        self.assertEqual(self.parse("-qcfile.cfg").config_file, "file.cfg")
        self.assertEqual(self.parse("-vq").assignments, ())

    def test_flags(self) -> None:
        self.assertFalse(self.parse("-U").use_user_defaults)
        self.assertTrue(self.parse("-D").debug)
        self.assertTrue(self.parse("-h").show_help)
        self.assertTrue(self.parse("--help").show_help)
        self.assertTrue(self.parse("--version").show_version)

    def test_assignments(self) -> None:
        parsed = self.parse("parts+=p2 p1:foo-=bar x:y=a=b versions:pkg= -N")
        self.assertEqual(parsed.assignments, (
            ("buildout", "parts+", "p2"),
            ("p1", "foo-", "bar"),
            ("x", "y", "a=b"),
            ("versions", "pkg", ""),
            ("buildout", "newest", "false"),
        ))
        self.assertEqual(parse_command_line(["a:b +=c"]).assignments, (("a", "b+", "c"),))

    def test_everything_after_the_command_belongs_to_it(self) -> None:
        parsed = self.parse("-N install -c x=1")
        self.assertEqual(parsed.args, ("-c", "x=1"))

    def test_malformed_command_lines(self) -> None:
        cases = {
            "-x": "Invalid option -x",
            "-W": "Invalid option -W",
            "-A": "Invalid option -A",
            "-vX": "Invalid option -X",
            "--foo": "Invalid option --foo",
            "-c": "No file name specified for option -c",
            "-t": "No timeout value specified for option -t",
            "-t five": "Timeout value must be numeric: five",
            "-t5x": "Timeout value must be numeric: 5x",
            "a:b:c=1": "Invalid option: a:b:c",
            "=1": "Invalid assignment: =1",
            "nonsense": "invalid command: nonsense",
        }
        for line, message in cases.items():
            with self.subTest(line), self.assertRaises(UsageError) as caught:
                self.parse(line)
            self.assertEqual(str(caught.exception), message)


class MainTests(unittest.TestCase):
    def setUp(self) -> None:
        self.addCleanup(gc.set_threshold, *gc.get_threshold())

    def run_main(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(list(argv))
        return status, out.getvalue(), err.getvalue()

    def test_usage_errors_are_one_line(self) -> None:
        self.assertEqual(self.run_main("a:b:c=1"), (1, "", "Error: Invalid option: a:b:c\n"))
        self.assertEqual(
            self.run_main("-t5x", "query"), (1, "", "Error: Timeout value must be numeric: 5x\n")
        )

    def test_errors_hide_passwords(self) -> None:
        self.assertEqual(self.run_main("-tx http://joe:s3cret@host/", "query"),
                         (1, "", "Error: Timeout value must be numeric: x http://joe:****@host/\n"))

    def test_help_and_version(self) -> None:
        status, out, _ = self.run_main("-h")
        self.assertEqual(status, 0)
        self.assertTrue(out.startswith("Usage: buildout"))
        self.assertEqual(self.run_main("--version"), (0, "buildout version 7.0.0.dev0\n", ""))

    def test_a_run_collects_garbage_seldom(self) -> None:
        gc.set_threshold(700, 10, 10)
        self.run_main("--version")
        self.assertEqual(gc.get_threshold(), COLLECTION_THRESHOLDS)

    def test_what_is_alive_at_exit_is_frozen(self) -> None:
        code = ("import atexit, gc\n"
                "atexit.register(lambda: print('frozen:', gc.get_freeze_count() > 0))\n"
                "from zc.buildout.cli import main\n"
                "main(['--version'])\n"
                "main(['--version'])\n")
        completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        self.assertEqual(completed.stdout.splitlines()[-1], "frozen: True")


if __name__ == "__main__":
    unittest.main()
