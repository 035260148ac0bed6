"""Log levels, verbosity arithmetic and message formats."""

from __future__ import annotations

import contextlib
import io
import logging
import subprocess
import sys
import unittest

from zc.buildout.errors import UserError
from zc.buildout.run import logsetup


class LogSetupTests(unittest.TestCase):
    def setUp(self) -> None:
        preserved = logsetup.preserved()
        preserved.__enter__()
        self.addCleanup(preserved.__exit__, None, None, None)

    def emit(self, *args: str) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            logsetup.configure(*args)
            logging.getLogger("zc.buildout").info("Installing demo.")
            logging.getLogger("zc.buildout").debug("Picked: demo = 1.0")
            logging.getLogger("demo").warning("recipe warning")
        return out.getvalue()

    def test_buildout_messages_are_bare_and_recipe_messages_named(self) -> None:
        self.assertEqual(self.emit(), "Installing demo.\ndemo: recipe warning\n")

    def test_verbosity_is_subtracted_from_the_level(self) -> None:
        self.assertIn("Picked: demo = 1.0", self.emit("INFO", "", "10"))
        self.assertEqual(self.emit("INFO", "", "-10"), "demo: recipe warning\n")
        self.assertEqual(logsetup.parse_level("25", "5"), 20)

    def test_log_format_applies_to_every_message(self) -> None:
        output = self.emit("INFO", "%(levelname)s %(message)s")
        self.assertEqual(output, "INFO Installing demo.\nWARNING recipe warning\n")

    def test_reconfiguring_replaces_handlers(self) -> None:
        self.emit()
        self.assertEqual(self.emit(), "Installing demo.\ndemo: recipe warning\n")

    def test_libraries_keep_to_warnings_until_vvv(self) -> None:
        # (log-level, verbosity) -> the level of urllib3, resolvelib and the like
        table = [
            ("INFO", "0", logging.WARNING),
            ("INFO", "10", logging.WARNING),    # -v
            ("INFO", "20", logging.WARNING),    # -vv
            ("INFO", "30", -10),                # -vvv: everything, as for the others
            ("INFO", "40", -20),
            ("DEBUG", "0", logging.WARNING),
            ("DEBUG", "20", -10),               # log-level DEBUG with -vv
            ("-10", "0", -10),                  # a number asking for it
            ("INFO", "-20", logging.ERROR),     # -qq: quieter still
        ]
        for log_level, verbosity, expected in table:
            with self.subTest(log_level=log_level, verbosity=verbosity):
                self.emit(log_level, "", verbosity)
                for name in logsetup.LIBRARIES:
                    self.assertEqual(logging.getLogger(name).level, expected)

    def test_library_detail_is_hidden_with_vv(self) -> None:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            for verbosity in ("20", "30"):
                logsetup.configure("INFO", "", verbosity)
                logging.getLogger("urllib3.connectionpool").debug("Starting new HTTP connection")
                logging.getLogger("resolvelib").warning("resolver trouble")
                logging.getLogger("demo").debug("recipe detail")
        self.assertEqual(out.getvalue().splitlines(), [
            "resolvelib: resolver trouble", "demo: recipe detail",
            "urllib3.connectionpool: Starting new HTTP connection", "resolvelib: resolver trouble",
            "demo: recipe detail",
        ])

    def test_preserved_puts_library_levels_back(self) -> None:
        urllib3 = logging.getLogger("urllib3")
        before = urllib3.level
        with logsetup.preserved():
            logsetup.configure("INFO", "", "0")
            self.assertEqual(urllib3.level, logging.WARNING)
        self.assertEqual(urllib3.level, before)

    def test_bad_values_are_user_errors(self) -> None:
        with self.assertRaisesRegex(UserError, "Invalid logging level 'LOUD'"):
            logsetup.parse_level("LOUD")
        with self.assertRaisesRegex(UserError, "Invalid verbosity 'x'"):
            logsetup.parse_level("INFO", "x")


class BrokenPipeTests(unittest.TestCase):
    def test_a_reader_gone_from_standard_output_ends_the_output_quietly(self) -> None:
        # As in ``buildout | head -1``: the rest of the run is not told about it on standard error.
        code = ("import logging\n"
                "from zc.buildout.run import logsetup\n"
                "logsetup.configure('INFO', '', '0')\n"
                "for number in range(20000):\n"
                "    logging.getLogger('zc.buildout').info('Generated script %d.', number)\n"
                "print('done', file=__import__('sys').stderr)\n")
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert child.stdout is not None and child.stderr is not None
        self.assertEqual(child.stdout.readline(), b"Generated script 0.\n")
        child.stdout.close()
        errors = child.stderr.read().decode()
        child.stderr.close()
        self.assertEqual(child.wait(), 0)
        self.assertEqual(errors, "done\n")
