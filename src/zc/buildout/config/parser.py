"""Buildout's configuration dialect: text -> raw sections, every value with its file:line.

Grammar, line by line (a line's first character decides):

- ``#`` or ``;``: a comment, ignored everywhere, even between the
  continuation lines of a value.
- blank (empty or only whitespace): ignored, except inside a value.
- whitespace: a continuation line of the option above.
- ``[name]`` or ``[name: condition]``, optionally followed by a ``#``/``;``
  comment: a section header. A section whose condition is false is skipped.
- ``=>`` names: shorthand for ``<part-dependencies> = names``.
- ``name = value``, ``name += value``, ``name -= value``: an option.

A value whose first line is not empty is its lines stripped, blank ones
dropped. A value starting on the line after ``=`` ("block mode") keeps its
blank lines and relative indentation: it is dedented, leading blank lines and
trailing whitespace removed.

Within one file a repeated section adds to the earlier occurrences; a later
``=`` replaces a value and drops ``+=``/``-=`` given before it in the same
section; a second ``+=`` (or ``-=``) adds its lines to the first.
"""

from __future__ import annotations

import functools
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple, Protocol

from zc.buildout.errors import Location, UserError

__all__ = [
    "Error",
    "MissingSectionHeaderError",
    "ParsingError",
    "RawOption",
    "RawSections",
    "parse",
    "parse_text",
]

_HEADER = re.compile(
    r"\[\s*(?P<name>[^\s#\[\]:;{}]+)\s*(?::(?P<condition>[^#;]*))?\]\s*(?:[#;].*)?"
)
_OPTION = re.compile(r"(?P<name>[^\s{}\[\]=:]+?)\s*(?P<op>[-+]?)=(?P<value>.*)")
_PART_DEPENDENCIES = "<part-dependencies>"


class Error(UserError):
    """A configuration file that cannot be read."""


class ParsingError(Error):
    """Lines that are not Buildout configuration, all of them.

    ``errors`` lists ``(line number, repr(line))`` for each bad line, as
    callers of upstream's parser expect.
    """

    def __init__(
        self,
        filename: str,
        problems: Sequence[tuple[int, str, str]],
        hint: str | None = None,
    ) -> None:
        self.filename = filename
        self.errors = [(number, repr(line)) for number, line, _ in problems]
        first, *more = [f"{why}: {line!r}" for _, line, why in problems]
        lines = [first] + [
            f"{Location(filename, number)}: {text}"
            for (number, _, _), text in zip(problems[1:], more)
        ]
        super().__init__("\n".join(lines), location=Location(filename, problems[0][0]), hint=hint)


class MissingSectionHeaderError(ParsingError):
    """An option (or any other text) before the first section header."""

    def __init__(self, filename: str, lineno: int, line: str) -> None:
        super().__init__(
            filename,
            [(lineno, line, "Text before the first section header")],
            hint="Start the file with a section header, such as [buildout].",
        )
        self.lineno = lineno
        self.line = line


class RawOption(NamedTuple):
    """One option of one section, as a file gave it."""

    name: str
    """The option name, without operator."""
    op: str
    """``""`` for ``=``, ``"+"`` for ``+=``, ``"-"`` for ``-=``."""
    text: str
    """The value, whitespace handled as the module docstring says."""
    line: int
    """1-based line of the option (its first ``+=``/``-=`` when several merged)."""
    key: str
    """The text before ``=`` as written (``"b +"`` for ``b += 1``)."""


RawSections = dict[str, dict[str, RawOption]]
"""Section name -> key -> option; the key is the name, or ``"name +"`` /
``"name -"`` for ``+=`` / ``-=``."""


class _Readable(Protocol):
    def read(self) -> str: ...


def parse(
    fp: _Readable | Iterable[str],
    fpname: str,
    exp_globals: Callable[[], Mapping[str, object]] = dict,
) -> dict[str, dict[str, str]]:
    """Parse a configuration file into ``{section: {key: value}}``.

    The upstream interface: keys keep their operator (``"b +"`` for
    ``b += 1``). ``exp_globals`` may supply extra plain values for section
    conditions.
    """
    text = fp.read() if hasattr(fp, "read") else "".join(fp)
    return {
        name: {option.key: option.text for option in options.values()}
        for name, options in parse_text(text, fpname, exp_globals).items()
    }


def parse_text(
    text: str,
    source: str,
    names: Callable[[], Mapping[str, object]] | None = None,
) -> RawSections:
    """Parse configuration ``text`` read from ``source`` (a path or URL).

    Raises :class:`MissingSectionHeaderError` for text before the first
    header, :class:`ParsingError` listing every bad line, and a
    :class:`~zc.buildout.errors.UserError` naming the line for a condition
    that cannot be evaluated. ``names`` supplies extra names to conditions.
    """
    return _Parser(source, names).parse(text)


class _Parser:
    def __init__(self, source: str, names: Callable[[], Mapping[str, object]] | None) -> None:
        self.source = source
        self.names = None if names is None else functools.cache(names)
        """Extra names for conditions, asked for once a file, when a condition first needs one."""
        self.sections: RawSections = {}
        self.problems: list[tuple[int, str, str]] = []
        # Where options go: None before the first header, a throwaway dict in
        # a skipped (false or invalid) section.
        self.target: dict[str, RawOption] | None = None
        # The option being read: (name, op, key, first line text, line number, continuations).
        self.option: tuple[str, str, str, str, int, list[str]] | None = None
        # Inside a bad entry, whose continuation lines are not reported again.
        self.bad = False

    def parse(self, text: str) -> RawSections:
        for number, line in enumerate(text.splitlines(), 1):
            first = line[:1]
            if first in ("#", ";"):
                continue
            if first in (" ", "\t", "\f", "\v", "") or not line.strip():
                self.continuation(number, line)
            elif first == "[":
                self.finish()
                self.header(number, line)
            else:
                self.finish()
                self.start_option(number, line)
        self.finish()
        if self.problems:
            raise ParsingError(self.source, self.problems)
        return self.sections

    def continuation(self, number: int, line: str) -> None:
        if self.option is not None:
            self.option[5].append(line)
        elif self.bad or not line.strip():
            return
        elif self.target is None:
            raise MissingSectionHeaderError(self.source, number, line)
        else:
            self.problems.append((number, line, "Indented line without an option to continue"))
            self.bad = True

    def header(self, number: int, line: str) -> None:
        match = _HEADER.fullmatch(line.rstrip())
        if match is None:
            self.problems.append((number, line, "Invalid section header"))
            self.bad, self.target = True, {}
            return
        self.bad = False
        condition = match.group("condition")
        if condition is not None:
            from zc.buildout.config.conditions import evaluate  # start-up: only conditional sections

            if not evaluate(condition, Location(self.source, number), self.names):
                self.target = {}
                return
        self.target = self.sections.setdefault(match.group("name"), {})

    def start_option(self, number: int, line: str) -> None:
        if self.target is None:
            raise MissingSectionHeaderError(self.source, number, line)
        if line.startswith("=>"):
            self.option = (_PART_DEPENDENCIES, "", _PART_DEPENDENCIES, line[2:], number, [])
            self.bad = False
            return
        match = _OPTION.match(line)
        if match is None:
            self.problems.append((number, line, "Expected 'name = value'"))
            self.bad = True
            return
        self.bad = False
        key = line[: match.start("value") - 1].rstrip()
        self.option = (match["name"], match["op"], key, match["value"], number, [])

    def finish(self) -> None:
        """Store the option being read, if any, in the current section."""
        if self.option is None:
            return
        name, op, key, first, number, more = self.option
        self.option = None
        assert self.target is not None
        option = RawOption(name, op, _value(first, more), number, key)
        if not op:
            self.target.pop(name + " +", None)
            self.target.pop(name + " -", None)
            self.target[name] = option
            return
        slot = f"{name} {op}"
        earlier = self.target.get(slot)
        if earlier is not None:
            text = "\n".join(part for part in (earlier.text, option.text) if part)
            option = earlier._replace(text=text)
        self.target[slot] = option


def _value(first: str, more: list[str]) -> str:
    first = first.strip()
    if not more:
        return first
    if first:
        return "\n".join([first, *(stripped for line in more if (stripped := line.strip()))])

    block = textwrap.dedent("\n".join(line.rstrip() for line in more))
    return block.lstrip("\n").rstrip()
