"""Output normalisation for docs pages and recipe tests, in one place.

Each normaliser is a ``(compiled pattern, replacement)`` pair for
``zope.testing.renormalizing.RENormalizing``. Docs pages run with
:func:`docs_checker`. The others are upstream's, by the names recipe tests
import them under: paths below a ``buildoutSetUp`` base print as
``/sample-buildout/...`` (the ``_TEST_`` marker directory is cut off) and
egg directory names lose their Python version and platform.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile

from zope.testing import renormalizing

__all__ = [
    "adding_find_link",
    "docs_checker",
    "easyinstall_deprecated",
    "ignore_native_namespace_warning_1",
    "ignore_native_namespace_warning_2",
    "ignore_native_namespace_warning_3",
    "ignore_native_namespace_warning_4",
    "ignore_native_namespace_warning_5",
    "ignore_not_upgrading",
    "ignore_root_logger",
    "normalize___pycache__",
    "normalize_egg_py",
    "normalize_endings",
    "normalize_exception_type_for_python_2_and_3",
    "normalize_executable",
    "normalize_loopback_port",
    "normalize_open_in_generated_script",
    "normalize_path",
    "normalize_sandbox",
    "normalize_script",
    "not_found",
    "pkg_resources_deprecated",
    "setuptools_deprecated",
    "warnings_warn",
]

# Paths inside a sandbox print as if the sandbox were the file system root:
# ``/tmp/buildout-test-x1y2/sample-buildout/bin`` becomes ``/sample-buildout/bin``.
normalize_sandbox = (
    re.compile(re.escape(os.path.realpath(tempfile.gettempdir())) + r"/buildout-test-[^/\s'\"]+"),
    "",
)

# Loopback servers listen on a port the system picks: ``127.0.0.1:<PORT>``.
normalize_loopback_port = (re.compile(r"\b127\.0\.0\.1:\d+"), "127.0.0.1:<PORT>")

# The Python running the tests, wherever it lives, shows as ``/usr/bin/python``
# (as in the ``#!`` line of generated scripts).
normalize_executable = (re.compile(re.escape(sys.executable) + r"(?![\w.-])"), "/usr/bin/python")


def docs_checker() -> renormalizing.OutputChecker:
    """The output checker every docs page runs with."""
    return renormalizing.RENormalizing([normalize_executable, normalize_sandbox, normalize_loopback_port])


# -- upstream's normalisers, for recipe tests ------------------------------


def _dropped_lines(pattern: str) -> tuple[re.Pattern[str], str]:
    """Removes whole lines matching ``pattern``."""
    return re.compile(rf"(?m)^.*{pattern}.*(?:\n|\Z)"), ""


normalize_path = (re.compile(r"""[^'"\s]*[/\\]_TEST_[/\\]([^'"\s]*)"""), r"/\1")
"""``/tmp/buildoutSetUpXYZ/_TEST_/sample-buildout/bin`` -> ``/sample-buildout/bin``."""

normalize_endings = (re.compile(r"\r\n"), "\n")

def _script_as_upstream(match: re.Match[str]) -> str:
    if match.group("bang"):
        return match.group("bang")
    return f"{match.group(1)}  {match.group(2)}"


normalize_script = (
    re.compile(r"(?m)^([-d])  ([\w.-]+)-script\.py\n[-d]  \2\.exe$|^(?P<bang>#!\S+) -S$"), _script_as_upstream)
"""A script as upstream's tests show it: ``#!python -S`` (a part's isolated script) as ``#!python``;
a Windows script listed as ``x-script.py`` and ``x.exe`` as ``x``."""

normalize___pycache__ = (re.compile(r"(?m)^d  __pycache__\n"), "")

normalize_egg_py = (re.compile(r"-py\d+\.\d+(?:-[^\s/'\"]+?)?\.egg"), "-pyN.N.egg")
"""``Demo-1.0-py3.11-linux-x86_64.egg`` -> ``Demo-1.0-pyN.N.egg``."""

normalize_exception_type_for_python_2_and_3 = (re.compile(r"(?m)^(?:\w+\.)+(?=[A-Z]\w*:)"), "")
"""``zc.buildout.errors.UserError: x`` -> ``UserError: x``."""

normalize_open_in_generated_script = (re.compile(r"open\(__file__, 'U'\)"), "open(__file__)")

not_found = _dropped_lines(r"Not found: \S*/")

easyinstall_deprecated = _dropped_lines(r"EasyInstallDeprecationWarning")
setuptools_deprecated = _dropped_lines(r"SetuptoolsDeprecationWarning")
pkg_resources_deprecated = _dropped_lines(r"pkg_resources is deprecated")
warnings_warn = (re.compile(r"(?m)^\s*warnings\.warn\(.*(?:\n|\Z)"), "")

adding_find_link = _dropped_lines(r"Adding find link '.*' from ")
ignore_not_upgrading = _dropped_lines(r"Not upgrading because not running a local buildout command\.")
ignore_root_logger = (re.compile(r"(?m)^root: .*(?:\n|\Z)"), "")

# setuptools' banner about pkg_resources-style namespace packages, piece by piece.
ignore_native_namespace_warning_1 = _dropped_lines(r"Deprecated call to `pkg_resources\.declare_namespace")
ignore_native_namespace_warning_2 = _dropped_lines(r"Implementing implicit namespace packages")
ignore_native_namespace_warning_3 = _dropped_lines(r"is preferred to `pkg_resources\.declare_namespace`")
ignore_native_namespace_warning_4 = _dropped_lines(r"See https?://setuptools\.pypa\.io/en/latest/references/keywords")
ignore_native_namespace_warning_5 = _dropped_lines(r"declare_namespace\(")
