"""A safe evaluator of the small Python expressions section conditions are written in.

The expression is parsed with :mod:`ast` and evaluated by walking the tree;
nothing is handed to ``eval``. Allowed: literals, tuples and lists (as
tuples), ``and``/``or``/``not``, ``x if c else y``, comparisons, arithmetic
(``+ - * / // %``, with results kept small), subscripts of strings, tuples
and mappings; the names and attribute chains of ``names``, the argument-less
``calls``, the side-effect-free ``functions`` below (with arguments), and the
read-only methods of the values: strings, tuples, mappings and regular
expression matches. Values are only ever strings, numbers, booleans,
``None``, tuples, read-only mappings and matches, so no attribute of
anything else can be reached.
"""

from __future__ import annotations

import ast
import operator
import os
import re
import warnings
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from zc.buildout.errors import Location, UserError

__all__ = ["ConditionError", "Evaluator", "FUNCTIONS", "dotted_name", "parse_expression", "plain"]

_MAX_SIZE = 100_000
"""The longest string or tuple an expression may make (``'x' * 10**9`` is refused)."""


class ConditionError(UserError):
    """A section condition that cannot be evaluated or is not allowed."""


def _sorted(values: Any) -> tuple[Any, ...]:
    return tuple(sorted(values))


FUNCTIONS: Mapping[str, Callable[..., object]] = MappingProxyType({
    "len": len, "str": str, "int": int, "float": float, "bool": bool, "tuple": tuple,
    "abs": abs, "min": min, "max": max, "round": round, "any": any, "all": all,
    "sorted": _sorted,
    "os.getenv": os.getenv,
    "re.match": re.match, "re.search": re.search, "re.fullmatch": re.fullmatch,
})
"""Functions a condition may call with arguments; ``map(f, values)`` too, for ``f`` among them."""

_METHODS: Mapping[type, frozenset[str]] = MappingProxyType({
    str: frozenset((
        "startswith", "endswith", "lower", "upper", "casefold", "title", "strip", "lstrip",
        "rstrip", "split", "rsplit", "splitlines", "partition", "rpartition", "replace", "find",
        "rfind", "count", "join", "isdigit", "isalpha", "isalnum", "isspace",
    )),
    tuple: frozenset(("count", "index")),
    MappingProxyType: frozenset(("get",)),
    re.Match: frozenset(("group", "groups", "start", "end", "span")),
})
"""The methods a condition may call on a value, by the value's type."""

_VALUES = (str, int, float, tuple, type(None), MappingProxyType, re.Match)

_COMPARISONS: Mapping[type[ast.cmpop], Callable[[Any, Any], object]] = MappingProxyType({
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda left, right: operator.contains(right, left),
    ast.NotIn: lambda left, right: not operator.contains(right, left),
    ast.Is: operator.is_, ast.IsNot: operator.is_not,
})

_ARITHMETIC: Mapping[type[ast.operator], Callable[[Any, Any], object]] = MappingProxyType({
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
})

_UNARY: Mapping[type[ast.unaryop], Callable[[Any], object]] = MappingProxyType({
    ast.USub: operator.neg, ast.UAdd: operator.pos,
})


class Evaluator:
    """Evaluates one expression ``text`` (parsed as ``root``) from the header at ``location``.

    ``name(dotted)`` gives the value of a name or attribute chain (raising
    ``KeyError`` for an unknown one); ``calls`` are the functions callable
    without arguments, by dotted name.
    """

    def __init__(
        self,
        text: str,
        root: ast.expr,
        location: Location,
        name: Callable[[str], object],
        calls: Mapping[str, Callable[[], object]],
    ) -> None:
        self.text = text
        self.root = root
        self.location = location
        self.lookup = name
        self.calls = calls

    def refuse(self, node: ast.AST, why: str) -> ConditionError:
        which = "" if node is self.root else f" {self.text!r}"
        return ConditionError(
            f"Section condition{which} refused: {why}: {ast.unparse(node)}",
            location=self.location,
            hint="Conditions are PEP 508 markers or expressions over the names, functions and"
            " methods listed in the documentation (python3, linux, sys.platform, platform.machine(), ...).",
        )

    def checked(self, node: ast.AST, function: Callable[..., object], *args: object) -> object:
        """``function(*args)``, its error a :class:`ConditionError`, its result small."""
        try:
            result = function(*args)
        except Exception as error:
            detail = "" if node is self.root else f" in {ast.unparse(node)}"
            raise ConditionError(
                f"Cannot evaluate the section condition {self.text!r}: {error}{detail}",
                location=self.location,
            ) from None
        if isinstance(result, (list, dict)):
            result = tuple(result) if isinstance(result, list) else MappingProxyType(result)
        if isinstance(result, (str, tuple)) and len(result) > _MAX_SIZE:
            raise self.refuse(node, "the result is too large")
        if isinstance(result, int) and result.bit_length() > 4 * _MAX_SIZE:
            raise self.refuse(node, "the result is too large")
        if not isinstance(result, _VALUES):
            raise self.refuse(node, f"it gives a {type(result).__name__}, which conditions cannot use")
        return result

    def value(self, node: ast.expr) -> object:
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, (str, int, float, type(None))):
                raise self.refuse(node, "unsupported literal")
            return node.value
        if isinstance(node, (ast.Tuple, ast.List)):
            return tuple(self.value(element) for element in node.elts)
        if isinstance(node, ast.BoolOp):
            return self.bool_op(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                return not self.value(node.operand)
            return self.checked(node, _UNARY[type(node.op)], self.number(node, node.operand))
        if isinstance(node, ast.BinOp):
            function = _ARITHMETIC.get(type(node.op))
            if function is None:
                raise self.refuse(node, "unsupported operator")
            return self.checked(node, function, self.value(node.left), self.value(node.right))
        if isinstance(node, ast.IfExp):
            return self.value(node.body if self.value(node.test) else node.orelse)
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, (ast.Name, ast.Attribute)):
            return self.name(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        raise self.refuse(node, "unsupported construct")

    def number(self, node: ast.AST, operand: ast.expr) -> object:
        value = self.value(operand)
        if not isinstance(value, (int, float)):
            raise self.refuse(node, "only numbers have a sign")
        return value

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
        dotted = dotted_name(node)
        if dotted is None:
            raise self.refuse(node, "unsupported attribute")
        try:
            return self.lookup(dotted)
        except KeyError:
            raise self.refuse(node, "unknown name") from None

    def call(self, node: ast.Call) -> object:
        if node.keywords:
            raise self.refuse(node, "keyword arguments are not allowed")
        function = node.func
        dotted = dotted_name(function) if isinstance(function, (ast.Name, ast.Attribute)) else None
        if dotted == "map":
            return self.map(node)
        if dotted is not None and dotted in self.calls:
            if node.args:
                raise self.refuse(node, f"{dotted}() takes no arguments")
            return self.checked(node, self.calls[dotted])
        if dotted is not None and dotted in FUNCTIONS:
            return self.checked(node, FUNCTIONS[dotted], *[self.value(arg) for arg in node.args])
        if isinstance(function, ast.Attribute) and self.known(function.value):
            return self.method(node, function)
        raise self.refuse(node, "unknown function")

    def known(self, node: ast.expr) -> bool:
        """Whether ``node`` is a value a method may be called on (not a module, say)."""
        dotted = dotted_name(node)
        if dotted is None:
            return True  # a literal, a call, a subscript...: a value
        try:
            self.lookup(dotted)
        except KeyError:
            return False
        return True

    def method(self, node: ast.Call, function: ast.Attribute) -> object:
        subject = self.value(function.value)
        if function.attr not in _METHODS.get(type(subject), ()):
            raise self.refuse(node, f"unknown function (no method {function.attr} of {type(subject).__name__})")
        args = [self.value(arg) for arg in node.args]
        return self.checked(node, getattr(subject, function.attr), *args)

    def map(self, node: ast.Call) -> object:
        if len(node.args) != 2 or not isinstance(node.args[0], ast.Name) or node.args[0].id not in FUNCTIONS:
            raise self.refuse(node, "map() takes one of the allowed functions and values")
        function = FUNCTIONS[node.args[0].id]
        values = self.value(node.args[1])
        if not isinstance(values, (str, tuple)):
            raise self.refuse(node, "map() applies to strings and tuples")
        return self.checked(node, lambda: tuple(map(function, values)))

    def subscript(self, node: ast.Subscript) -> object:
        subject = self.value(node.value)
        index = node.slice
        if isinstance(subject, MappingProxyType):
            return self.checked(node, operator.getitem, subject, self.value(index))
        if not isinstance(subject, (str, tuple)):
            raise self.refuse(node, "only strings, tuples and mappings can be indexed")
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


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def plain(value: object) -> bool:
    """Whether a name given from outside may stand in a condition (a plain value)."""
    return isinstance(value, (str, int, float, tuple, type(None)))


def parse_expression(text: str, location: Location) -> ast.expr:
    """The expression tree of ``text``, or an error naming its location."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning: odd literals are refused later
            return ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        raise ConditionError(
            f"Invalid section condition {text!r}: it is neither a PEP 508 marker"
            " nor a valid expression.",
            location=location,
        ) from None
