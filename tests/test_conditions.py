"""Section conditions: markers, the allow-list, and everything refused."""

from __future__ import annotations

import os
import platform
import sys
import unittest

from zc.buildout.config.conditions import ConditionError, evaluate
from zc.buildout.errors import Location

HERE = Location("/cfg/buildout.cfg", 7)


def check(expression: str) -> bool:
    return evaluate(expression, HERE)


class AllowedTests(unittest.TestCase):
    def test_pep508_markers(self) -> None:
        self.assertTrue(check('python_version >= "3.10" and os_name == "%s"' % os.name))
        self.assertFalse(check('python_version < "3"'))
        self.assertTrue(check(f'sys.platform == "{sys.platform}"'))

    def test_python_version_names(self) -> None:
        minor = f"python3{sys.version_info.minor}"
        self.assertTrue(check(f"python3 and {minor}"))
        self.assertFalse(check("python2 or python27 or python39 or python319 and python310"))

    def test_platform_names(self) -> None:
        self.assertEqual(check("linux"), sys.platform.startswith("linux"))
        self.assertEqual(check("posix"), os.name == "posix")
        self.assertEqual(check("bits64"), sys.maxsize > 2**32)
        self.assertEqual(check("little_endian"), sys.byteorder == "little")
        self.assertNotEqual(check("little_endian"), check("big_endian"))
        self.assertEqual(check("cpython"), platform.python_implementation() == "CPython")
        self.assertFalse(check("jython or ironpython or windows and macosx"))

    def test_attribute_chains_and_calls(self) -> None:
        self.assertTrue(check(f"platform.machine() == {platform.machine()!r}"))
        self.assertTrue(check("sys.version_info >= (3, 10)"))
        self.assertTrue(check("sys.version_info[:2] >= (3, 10) and sys.version_info[0] == 3"))
        self.assertTrue(check("sys.version_info.major == 3"))
        self.assertTrue(check(f"os.name in ('posix', 'nt') and {os.name!r} == os.name"))

    def test_string_methods_with_literal_arguments(self) -> None:
        self.assertEqual(check("sys.platform.startswith(('linux', 'darwin'))"),
                         sys.platform.startswith(("linux", "darwin")))
        self.assertTrue(check("platform.system().lower() == platform.system().lower()"))

    def test_what_real_configurations_write(self) -> None:
        self.assertEqual(check("sys.platform.startswith('linux')"), sys.platform.startswith("linux"))
        self.assertEqual(check("os.name == 'nt'"), os.name == "nt")
        self.assertTrue(check(f"platform.machine() == {platform.machine()!r}"))
        self.assertTrue(check("str(platform.python_version_tuple()[0]) == '3'"))
        self.assertTrue(check("int(platform.python_version_tuple()[1]) * 2 >= 20"))
        self.assertTrue(check("len(sys.version_info) == 5 and sys.version_info[0] + 1 == 4"))
        self.assertTrue(check("tuple(map(int, platform.python_version_tuple()[:2])) >= (3, 10)"))
        self.assertEqual(check("os.environ.get('HOME', '') == os.getenv('HOME', '')"), True)
        self.assertEqual(check("'x'.startswith(sys.platform) or 'a' + 'b' == 'ab'"), True)
        self.assertTrue(check("re.match('[a-z]+', sys.platform) is not None and bool(re.search('i', 'linux'))"))
        self.assertTrue(check("'yes' if python3 else 'no'"))
        self.assertEqual(check("'HOME' in os.environ"), "HOME" in os.environ)

    def test_nested_too_deeply(self) -> None:
        with self.assertRaises(ConditionError):
            check("not " * 1000 + "True")

    def test_literals_and_logic(self) -> None:
        self.assertTrue(check("True"))
        self.assertFalse(check("not True"))
        self.assertTrue(check("1 < 2 < 3 and -1 < 0"))
        self.assertFalse(check("1 < 3 < 2"))
        self.assertEqual(check("False or 0 or ''"), False)
        self.assertTrue(check("None is None and 1 is not None"))

    def test_extra_plain_names(self) -> None:
        names = {"custom": "x", "module": os, "windows": True}
        self.assertTrue(evaluate("custom == 'x'", HERE, lambda: names))
        self.assertTrue(evaluate("windows", HERE, lambda: names))  # the caller's names win
        with self.assertRaises(ConditionError):
            evaluate("module.name == 'posix'", HERE, lambda: names)


class RefusedTests(unittest.TestCase):
    def refused(self, expression: str) -> str:
        with self.assertRaises(ConditionError) as caught:
            check(expression)
        message = str(caught.exception)
        self.assertTrue(message.startswith("/cfg/buildout.cfg:7: "), message)
        return message.splitlines()[0]

    def test_import_and_system_are_refused(self) -> None:
        self.assertIn(
            "unknown function: __import__('os')",
            self.refused("__import__('os').system('touch /tmp/owned')"),
        )

    def test_unknown_names_and_attributes(self) -> None:
        self.assertIn("unknown name: open", self.refused("open"))
        self.assertIn("unknown name: sys.modules", self.refused("sys.modules"))
        self.assertIn("unknown name: os", self.refused("os"))
        self.assertIn("unknown name: __builtins__", self.refused("__builtins__"))
        self.assertIn("unknown function: platform.uname()", self.refused("platform.uname() == 1"))

    def test_constructs_outside_the_allow_list(self) -> None:
        for expression in (
            "[x for x in ()]",
            "lambda: 1",
            "(1).__class__",
            "2 ** 3",
            "1 << 2",
            "'x' * 1000000",
            "{'a': 1}",
            "f'{sys}'",
            "sys.platform.format(1)",
            "().__class__.__bases__",
            "sys.platform.__class__",
            "os.environ.copy()",
            "re.compile('x')",
            "open('x')",
            "getattr(sys, 'modules')",
            "(lambda: 1)()",
            "'abc'[sys.maxsize]",
        ):
            with self.subTest(expression):
                self.refused(expression)

    def test_syntax_errors(self) -> None:
        self.assertIn("neither a PEP 508 marker nor a valid expression", self.refused("1 +"))
        self.assertIn("is empty", self.refused("  "))

    def test_type_errors_are_user_errors(self) -> None:
        self.assertIn("Cannot evaluate", self.refused("sys.version_info > 'x'"))
