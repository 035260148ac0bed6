"""Section conditions (``[name: expression]``): PEP 508 markers, then a safe evaluator.

An expression is first read as a PEP 508 environment marker. Anything else is
parsed with :mod:`ast` and evaluated by walking the tree: literals, tuples,
comparisons, ``and``/``or``/``not``, the names, attribute chains and
argument-less calls of an allow-list, integer subscripts and a few string
methods with literal arguments. Nothing is ever handed to ``eval``, so a
configuration fetched from a URL cannot run code.
"""

from __future__ import annotations

import ast
import operator
import os
import platform
import re
import sys
import warnings
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from zc.buildout.errors import Location, UserError

__all__ = ["ConditionError", "evaluate", "NAMES", "CALLS"]


class ConditionError(UserError):
    """A section condition that cannot be evaluated or is not allowed."""


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

_PLAIN = (str, int, float, tuple, type(None))

_STRING_METHODS = frozenset(("startswith", "endswith", "lower", "upper", "strip"))

_COMPARISONS: Mapping[type[ast.cmpop], Callable[[Any, Any], object]] = MappingProxyType(
    {
        ast.Eq: operator.eq,
        ast.NotEq: operator.ne,
        ast.Lt: operator.lt,
        ast.LtE: operator.le,
        ast.Gt: operator.gt,
        ast.GtE: operator.ge,
        ast.In: lambda left, right: operator.contains(right, left),
        ast.NotIn: lambda left, right: not operator.contains(right, left),
        ast.Is: operator.is_,
        ast.IsNot: operator.is_not,
    }
)


def evaluate(
    expression: str,
    location: Location,
    names: Callable[[], Mapping[str, object]] | None = None,
) -> bool:
    """Whether the section whose header at ``location`` has this condition applies.

    ``\\x23`` and ``\\x3b`` stand for ``#`` and ``;``, which a header cannot
    contain. ``names`` may supply further names (plain values only: strings,
    numbers, booleans, tuples); it is called only when a condition uses a
    name the allow-list does not know.
    """
    text = expression.replace("\\x23", "#").replace("\\x3b", ";").strip()
    if not text:
        raise ConditionError("The section condition is empty.", location=location)
    result = _as_marker(text, location)
    if result is not None:
        return result
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning: odd literals are refused below
            tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError):
        raise ConditionError(
            f"Invalid section condition {text!r}: it is neither a PEP 508 marker"
            " nor a valid expression.",
            location=location,
        ) from None
    return bool(_Evaluator(text, tree.body, location, names).value(tree.body))


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


class _Evaluator:
    """Walks an expression tree, allowing only what the module docstring lists."""

    def __init__(
        self,
        text: str,
        root: ast.expr,
        location: Location,
        names: Callable[[], Mapping[str, object]] | None,
    ) -> None:
        self.text = text
        self.root = root
        self.location = location
        self.names = names
        self.extra: Mapping[str, object] | None = None

    def refuse(self, node: ast.AST, why: str) -> ConditionError:
        which = "" if node is self.root else f" {self.text!r}"
        return ConditionError(
            f"Section condition{which} refused: {why}: {ast.unparse(node)}",
            location=self.location,
            hint="Conditions are PEP 508 markers or comparisons of the names listed"
            " in the documentation (python3, linux, sys.platform, platform.machine(), ...).",
        )

    def detail(self, node: ast.AST, prefix: str) -> str:
        """The construct at fault, unless it is the whole condition."""
        return "" if node is self.root else prefix + ast.unparse(node)

    def value(self, node: ast.expr) -> object:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, (ast.Tuple, ast.List)):
            return tuple(self.value(element) for element in node.elts)
        if isinstance(node, ast.BoolOp):
            return self.bool_op(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return not self.value(node.operand)
            if isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
                return self.checked(node, operator.neg, node.operand.value)
            raise self.refuse(node, "unsupported operator")
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, (ast.Name, ast.Attribute)):
            return self.name(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        raise self.refuse(node, "unsupported construct")

    def checked(self, node: ast.AST, function: Callable[..., object], *args: object) -> object:
        try:
            return function(*args)
        except Exception as error:
            raise ConditionError(
                f"Cannot evaluate the section condition {self.text!r}: {error}"
                f"{self.detail(node, ' in ')}",
                location=self.location,
            ) from None

    def bool_op(self, node: ast.BoolOp) -> object:
        result: object = None
        for operand in node.values:
            result = self.value(operand)
            if isinstance(node.op, ast.And) != bool(result):
                return result
        return result

    def compare(self, node: ast.Compare) -> bool:
        left = self.value(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.value(comparator)
            if not self.checked(node, _COMPARISONS[type(op)], left, right):
                return False
            left = right
        return True

    def name(self, node: ast.Name | ast.Attribute) -> object:
        dotted = _dotted(node)
        if dotted is None:
            if isinstance(node, ast.Attribute):
                raise self.refuse(node, "unsupported attribute")
            raise self.refuse(node, "unsupported construct")
        compute = NAMES.get(dotted)
        if compute is not None:
            return compute()
        match = _PYTHON_NAME.fullmatch(dotted)
        if match:
            major, minor = match.groups()
            running = sys.version_info
            return running.major == int(major) and (not minor or running.minor == int(minor))
        if self.names is not None and "." not in dotted:
            if self.extra is None:
                self.extra = self.names()
            if dotted in self.extra and isinstance(self.extra[dotted], _PLAIN):
                return self.extra[dotted]
        raise self.refuse(node, "unknown name")

    def call(self, node: ast.Call) -> object:
        function = node.func
        if isinstance(function, ast.Attribute) and function.attr in _STRING_METHODS:
            return self.string_method(node, function)
        if node.args or node.keywords:
            raise self.refuse(node, "calls with arguments are not allowed")
        dotted = _dotted(function) if isinstance(function, (ast.Name, ast.Attribute)) else None
        if dotted is None or dotted not in CALLS:
            raise self.refuse(node, "unknown function")
        return self.checked(node, CALLS[dotted])

    def string_method(self, node: ast.Call, function: ast.Attribute) -> object:
        subject = self.value(function.value)
        if not isinstance(subject, str):
            raise self.refuse(node, "string methods apply to strings only")
        if node.keywords or not all(_is_literal(arg) for arg in node.args):
            raise self.refuse(node, "string methods take literal arguments only")
        args = [self.value(arg) for arg in node.args]
        return self.checked(node, getattr(subject, function.attr), *args)

    def subscript(self, node: ast.Subscript) -> object:
        subject = self.value(node.value)
        if not isinstance(subject, (str, tuple)):
            raise self.refuse(node, "only strings and tuples can be indexed")
        index = node.slice
        if isinstance(index, ast.Slice):
            bounds = [self.integer(node, part) for part in (index.lower, index.upper, index.step)]
            return self.checked(node, operator.getitem, subject, slice(*bounds))
        return self.checked(node, operator.getitem, subject, self.integer(node, index))

    def integer(self, node: ast.AST, part: ast.expr | None) -> int | None:
        if part is None:
            return None
        value = self.value(part)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.refuse(node, "indexes must be whole numbers")
        return value


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _is_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Tuple):
        return all(_is_literal(element) for element in node.elts)
    return False
