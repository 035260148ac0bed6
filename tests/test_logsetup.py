"""Log levels, verbosity arithmetic and message formats."""

from __future__ import annotations

import contextlib
import io
import logging
import unittest

from zc.buildout import logsetup
from zc.buildout.errors import UserError


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

    def test_bad_values_are_user_errors(self) -> None:
        with self.assertRaisesRegex(UserError, "Invalid logging level 'LOUD'"):
            logsetup.parse_level("LOUD")
        with self.assertRaisesRegex(UserError, "Invalid verbosity 'x'"):
            logsetup.parse_level("INFO", "x")
