"""Section conditions (``[name: expression]``): PEP 508 markers, then a safe evaluator.

An expression is first read as a PEP 508 environment marker. Anything else is
evaluated by :mod:`zc.buildout.config.expressions` over the names below:
upstream's plain names (``python3``, ``linux``, ...), read-only attributes of
``sys``, ``os`` and ``platform``, and ``platform``'s getters. Nothing is
ever handed to ``eval``, so a configuration fetched from a URL cannot run code.
"""

from __future__ import annotations

import os
import platform
import re
import sys
from collections.abc import Callable, Mapping
from types import MappingProxyType

from zc.buildout.config.expressions import ConditionError, Evaluator, parse_expression, plain
from zc.buildout.errors import Location

__all__ = ["CALLS", "ConditionError", "NAMES", "evaluate"]


def _implementation(name: str) -> Callable[[], object]:
    return lambda: platform.python_implementation() == name


NAMES: Mapping[str, Callable[[], object]] = MappingProxyType(
    {
        "cpython": _implementation("CPython"),
        "pypy": _implementation("PyPy"),
        "jython": _implementation("Jython"),
        "ironpython": _implementation("IronPython"),
        "linux": lambda: sys.platform.startswith("linux"),
        "windows": lambda: sys.platform.startswith("win"),
        "cygwin": lambda: sys.platform.startswith("cygwin"),
        "solaris": lambda: sys.platform.startswith("sunos"),
        "macosx": lambda: sys.platform == "darwin",
        "posix": lambda: os.name == "posix",
        "bits32": lambda: sys.maxsize <= 2**32,
        "bits64": lambda: sys.maxsize > 2**32,
        "little_endian": lambda: sys.byteorder == "little",
        "big_endian": lambda: sys.byteorder == "big",
        "sys.platform": lambda: sys.platform,
        "sys.version": lambda: sys.version,
        "sys.version_info": lambda: tuple(sys.version_info),
        "sys.version_info.major": lambda: sys.version_info.major,
        "sys.version_info.minor": lambda: sys.version_info.minor,
        "sys.version_info.micro": lambda: sys.version_info.micro,
        "sys.version_info.releaselevel": lambda: sys.version_info.releaselevel,
        "sys.hexversion": lambda: sys.hexversion,
        "sys.maxsize": lambda: sys.maxsize,
        "sys.byteorder": lambda: sys.byteorder,
        "sys.implementation.name": lambda: sys.implementation.name,
        "os.name": lambda: os.name,
        "os.sep": lambda: os.sep,
        "os.pathsep": lambda: os.pathsep,
        "os.linesep": lambda: os.linesep,
        "os.environ": lambda: MappingProxyType(dict(os.environ)),
    }
)
"""Names and attribute chains a condition may use, with how to compute them.

``python2``, ``python3``, ``python27``, ``python311`` ... are computed from
their digits (major version, then minor version).
"""

CALLS: Mapping[str, Callable[[], object]] = MappingProxyType(
    {
        f"platform.{name}": getattr(platform, name)
        for name in (
            "architecture",
            "machine",
            "node",
            "platform",
            "processor",
            "python_implementation",
            "python_version",
            "python_version_tuple",
            "release",
            "system",
            "version",
        )
    }
)
"""Functions a condition may call, always without arguments."""

# A marker compares at least one of these (PEP 508 names and legacy spellings).
_MARKER_VARIABLE = re.compile(
    r"\b(?:python_(?:full_)?version|os_name|sys_platform|platform_(?:release|system|version|machine"
    r"|python_implementation)|implementation_(?:name|version)|extra|os\.name|sys\.platform"
    r"|platform\.(?:version|machine|python_implementation)|python_implementation)\b"
)
_PYTHON_NAME = re.compile(r"python([23])(\d*)")


def evaluate(
    expression: str,
    location: Location,
    names: Callable[[], Mapping[str, object]] | None = None,
) -> bool:
    """Whether the section whose header at ``location`` has this condition applies.

    ``\\x23`` and ``\\x3b`` stand for ``#`` and ``;``, which a header cannot
    contain. ``names`` may supply further names (plain values only: strings,
    numbers, booleans, tuples), which win over buildout's own; it is called
    once, when a condition first uses a plain name.
    """
    text = expression.replace("\\x23", "#").replace("\\x3b", ";").strip()
    if not text:
        raise ConditionError("The section condition is empty.", location=location)
    result = _as_marker(text, location)
    if result is not None:
        return result
    tree = parse_expression(text, location)
    extra: list[Mapping[str, object]] = []

    def lookup(dotted: str) -> object:
        if names is not None and "." not in dotted:
            if not extra:
                extra.append(names())  # asked for once, and only when a plain name is used
            if dotted in extra[0] and plain(extra[0][dotted]):
                return extra[0][dotted]
        return _builtin_name(dotted)

    try:
        return bool(Evaluator(text, tree, location, lookup, CALLS).value(tree))
    except RecursionError:
        raise ConditionError(f"The section condition {text[:60]!r}... is nested too deeply.",
                             location=location) from None


def _builtin_name(dotted: str) -> object:
    """The value of one of buildout's names (raises ``KeyError`` for an unknown one)."""
    compute = NAMES.get(dotted)
    if compute is not None:
        return compute()
    match = _PYTHON_NAME.fullmatch(dotted)
    if match is None:
        raise KeyError(dotted)
    major, minor = match.groups()
    running = sys.version_info
    return running.major == int(major) and (not minor or running.minor == int(minor))


def _as_marker(text: str, location: Location) -> bool | None:
    """The marker's value, or None when ``text`` is not a PEP 508 marker."""
    if _MARKER_VARIABLE.search(text) is None:
        return None  # not worth importing packaging.markers for python3 and friends
    from packaging.markers import (  # start-up: only conditions that are markers need packaging
        InvalidMarker,
        Marker,
    )

    try:
        marker = Marker(text)
    except InvalidMarker:
        return None
    try:
        return marker.evaluate()
    except Exception as error:
        raise ConditionError(
            f"Cannot evaluate the section condition {text!r}: {error}", location=location
        ) from None
