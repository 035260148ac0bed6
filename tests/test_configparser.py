"""The configuration parser's edge cases, and that no input crashes it."""

from __future__ import annotations

import io
import textwrap
import unittest

from hypothesis import given, settings
from hypothesis import strategies as st

from zc.buildout.config import parser
from zc.buildout.config.parser import (
    MissingSectionHeaderError,
    ParsingError,
    parse,
    parse_text,
)
from zc.buildout.errors import UserError


def parsed(text: str) -> dict[str, dict[str, str]]:
    return parse(io.StringIO(textwrap.dedent(text)), "/cfg/buildout.cfg")


class WhitespaceTests(unittest.TestCase):
    def test_continuation_lines_are_stripped_and_blank_ones_dropped(self) -> None:
        self.assertEqual(parsed("[s]\na = x\n    y  \n\n   \n  z\n")["s"]["a"], "x\ny\nz")

    def test_block_mode_keeps_blank_lines_and_relative_indentation(self) -> None:
        text = "[s]\na =\n\n    one\n      two\n\n    three   \n\n"
        self.assertEqual(parsed(text)["s"]["a"], "one\n  two\n\nthree")

    def test_value_whitespace_around_equals_is_ignored(self) -> None:
        self.assertEqual(parsed("[s]\na=1\nb   =   2   \nc =\n")["s"], {"a": "1", "b": "2", "c": ""})

    def test_tab_indented_continuation_lines(self) -> None:
        self.assertEqual(parsed("[s]\na = 1\n\t2\n")["s"]["a"], "1\n2")

    def test_windows_line_endings(self) -> None:
        self.assertEqual(parsed("[s]\r\na = 1\r\n  2\r\n")["s"]["a"], "1\n2")


class CommentTests(unittest.TestCase):
    def test_comments_between_continuation_lines_are_ignored(self) -> None:
        text = "[s]\na = 1\n# a comment\n  2\n; another\n  3\n"
        self.assertEqual(parsed(text)["s"]["a"], "1\n2\n3")

    def test_an_indented_hash_is_part_of_the_value(self) -> None:
        self.assertEqual(parsed("[s]\na = 1\n  # not a comment\n")["s"]["a"], "1\n# not a comment")

    def test_no_inline_comments_in_values(self) -> None:
        self.assertEqual(parsed("[s]\na = 1 # two\n")["s"]["a"], "1 # two")

    def test_header_comments_may_contain_brackets(self) -> None:
        self.assertEqual(parsed("[s] # [not a section]\na = 1\n[t]; ;[x]\n"), {"s": {"a": "1"}, "t": {}})

    def test_header_whitespace(self) -> None:
        self.assertEqual(list(parsed("[  s  ]\n\n[t :True ]\n")), ["s", "t"])

    def test_comments_and_blank_lines_before_the_first_header(self) -> None:
        self.assertEqual(parsed("\n# comment\n; other\n\n[s]\na=1\n"), {"s": {"a": "1"}})


class SectionTests(unittest.TestCase):
    def test_repeated_sections_merge_later_wins(self) -> None:
        text = "[s]\na = 1\nb = 2\n[t]\n[s]\na = 3\n"
        self.assertEqual(parsed(text), {"s": {"a": "3", "b": "2"}, "t": {}})

    def test_names_are_case_sensitive(self) -> None:
        self.assertEqual(parsed("[S]\nA = 1\na = 2\n"), {"S": {"A": "1", "a": "2"}})

    def test_false_condition_skips_the_occurrence(self) -> None:
        text = "[s]\na = 1\n[s: False]\na = 2\nb = 3\n[t: 1 > 2]\n"
        self.assertEqual(parsed(text), {"s": {"a": "1"}})

    def test_escaped_hash_and_semicolon_in_conditions(self) -> None:
        with self.assertRaises(UserError) as caught:
            parsed("[s: python3 \\x3b \\x23 comment]\n")
        self.assertIn("'python3 ; # comment'", str(caught.exception))


class OperatorTests(unittest.TestCase):
    def test_keys_keep_the_operator_as_written(self) -> None:
        self.assertEqual(parsed("[s]\nb += 1\nc+=2\nd -= 3\n")["s"], {"b +": "1", "c+": "2", "d -": "3"})

    def test_second_add_appends_to_the_first(self) -> None:
        self.assertEqual(parsed("[s]\nb += 1\n[s: True]\nb += 2\n")["s"], {"b +": "1\n2"})

    def test_equals_after_add_drops_the_pending_operations(self) -> None:
        text = "[s]\nb += 1\nb -= 2\n[s: True]\nb = 3\n"
        self.assertEqual(parsed(text)["s"], {"b": "3"})

    def test_add_after_equals_keeps_both(self) -> None:
        self.assertEqual(parsed("[s]\nb = 1\nb += 2\n")["s"], {"b": "1", "b +": "2"})

    def test_raw_options_carry_operator_and_line(self) -> None:
        options = parse_text("[s]\n\nb += 1\n  2\n", "f.cfg")["s"]
        self.assertEqual(options["b +"], parser.RawOption("b", "+", "1\n2", 3, "b +"))

    def test_dashes_inside_names_are_not_operators(self) -> None:
        self.assertEqual(parsed("[s]\neggs-directory = x\n")["s"], {"eggs-directory": "x"})


class PartDependencyTests(unittest.TestCase):
    def test_arrow_lines_are_part_dependencies(self) -> None:
        self.assertEqual(parsed("[s]\n=> a b\n  c\n")["s"], {"<part-dependencies>": "a b\nc"})

    def test_macro_option(self) -> None:
        self.assertEqual(parsed("[s]\n<= base\n  other\n")["s"], {"<": "base\nother"})


class ErrorTests(unittest.TestCase):
    def test_every_bad_line_is_reported_with_file_and_line(self) -> None:
        text = "[s]\n  indented after header\n  its continuation\na: b\n[bad\nok = 1\n"
        with self.assertRaises(ParsingError) as caught:
            parsed(text)
        self.assertEqual([number for number, _ in caught.exception.errors], [2, 4, 5])
        self.assertEqual(
            str(caught.exception),
            "/cfg/buildout.cfg:2: Indented line without an option to continue:"
            " '  indented after header'\n"
            "/cfg/buildout.cfg:4: Expected 'name = value': 'a: b'\n"
            "/cfg/buildout.cfg:5: Invalid section header: '[bad'",
        )

    def test_text_before_any_header(self) -> None:
        with self.assertRaises(MissingSectionHeaderError) as caught:
            parsed("\n# ok\na = 1\n")
        error = caught.exception
        self.assertEqual((error.lineno, error.line), (3, "a = 1"))
        self.assertTrue(str(error).startswith("/cfg/buildout.cfg:3: Text before the first section"))
        self.assertIsInstance(error, ParsingError)

    def test_errors_are_user_errors(self) -> None:
        self.assertTrue(issubclass(parser.Error, UserError))
        self.assertTrue(issubclass(ParsingError, parser.Error))

    def test_bad_condition_names_the_line(self) -> None:
        with self.assertRaises(UserError) as caught:
            parsed("[s]\n[t: open('x')]\n")
        self.assertIn("/cfg/buildout.cfg:2:", str(caught.exception))

    def test_parse_accepts_lines(self) -> None:
        self.assertEqual(parse(["[s]\n", "a = 1\n"], "f"), {"s": {"a": "1"}})


# Text made of the characters that matter to the grammar, so that random
# input often looks like configuration.
_CONFIG_TEXT = st.lists(
    st.sampled_from(list("[]=:+-<>#; \t\nab1_.()'\"\\x\ré\x00") + ["${", "=>", "\n[s]\n", "True", "3"]),
    max_size=120,
).map("".join)


class RandomInputTests(unittest.TestCase):
    @settings(max_examples=400, deadline=None)
    @given(_CONFIG_TEXT)
    def test_random_text_parses_or_raises_a_user_error(self, text: str) -> None:
        try:
            result = parse(io.StringIO(text), "random.cfg")
        except UserError as error:
            self.assertIn("random.cfg", str(error))
        else:
            for options in result.values():
                self.assertTrue(all(isinstance(value, str) for value in options.values()))


class PublishedParseTests(unittest.TestCase):
    """``zc.buildout.configparser.parse(fp, name, defaults)``, as tools call it."""

    def test_condition_names_come_from_the_defaults_callable(self) -> None:
        import zc.buildout.configparser

        asked = []

        def defaults() -> dict[str, object]:
            asked.append(True)
            return {"windows": True, "flavour": "plone"}

        text = "[ctl:windows]\nx = 1\n[app:flavour == 'plone']\ny = 2\n[other]\nz = 3\n"
        sections = zc.buildout.configparser.parse(io.StringIO(text), "versioncheck.cfg", defaults)
        self.assertEqual({name: dict(options) for name, options in sections.items()},
                         {"ctl": {"x": "1"}, "app": {"y": "2"}, "other": {"z": "3"}})
        self.assertEqual(asked, [True])  # asked once, when a condition first needed a name
        zc.buildout.configparser.parse(io.StringIO("[plain]\na = 1\n"), "plain.cfg", defaults)
        self.assertEqual(asked, [True])  # and not at all without conditions
