"""A configuration value with its history, and the operations that change it."""

from __future__ import annotations

from typing import NamedTuple

from zc.buildout.errors import Location

__all__ = [
    "COMMAND_LINE_VALUE",
    "COMPUTED_VALUE",
    "DEFAULT_VALUE",
    "IMPLICIT_VALUE",
    "HistoryEntry",
    "Value",
    "is_file_source",
    "is_url",
]

DEFAULT_VALUE = "DEFAULT_VALUE"
COMPUTED_VALUE = "COMPUTED_VALUE"
COMMAND_LINE_VALUE = "COMMAND_LINE_VALUE"
IMPLICIT_VALUE = "IMPLICIT_VALUE"
_PSEUDO_SOURCES = frozenset((DEFAULT_VALUE, COMPUTED_VALUE, COMMAND_LINE_VALUE, IMPLICIT_VALUE))


def is_url(source: str) -> bool:
    """Whether a source (or an ``extends`` name) is a URL (``scheme://...``)."""
    scheme, found, _ = source.partition("://")
    return bool(found) and scheme.replace("+", "").replace("-", "").replace(".", "").isalnum()


def is_file_source(source: str) -> bool:
    """Whether a source is a file path or URL rather than a pseudo source."""
    return source not in _PSEUDO_SOURCES


class HistoryEntry(NamedTuple):
    """One operation on a value, as ``annotate`` shows it.

    The attribute names ``operation``, ``value`` and ``source`` are the ones
    upstream used; tools such as plone.versioncheck read them.
    """

    operation: str
    """``SET``, ``OVERRIDE``, ``ADD`` (``+=``), ``REMOVE`` (``-=``) or ``DIRECTORY``."""
    value: str
    """The text this operation set, added or removed."""
    source: str
    """A file path or URL, or ``DEFAULT_VALUE``, ``COMPUTED_VALUE``,
    ``COMMAND_LINE_VALUE`` or ``IMPLICIT_VALUE``."""
    line: int | None = None
    """The 1-based line in ``source``, when it has lines."""

    @property
    def location(self) -> Location:
        return Location(self.source, self.line)


class Value:
    """A merged raw value (before ``${...}`` substitution) and how it came to be."""

    __slots__ = ("text", "history")

    def __init__(self, text: str, history: list[HistoryEntry]) -> None:
        self.text = text
        self.history = history
        """Oldest first."""

    @classmethod
    def new(cls, text: str, source: str, line: int | None = None) -> Value:
        return cls(text, [HistoryEntry("SET", text, source, line)])

    @property
    def location(self) -> Location:
        """Where the value was last set (an ``IMPLICIT_VALUE`` base does not count)."""
        for entry in reversed(self.history):
            if entry.operation in ("SET", "OVERRIDE") and entry.source != IMPLICIT_VALUE:
                return entry.location
        for entry in reversed(self.history):
            if entry.source != IMPLICIT_VALUE:
                return entry.location
        return self.history[-1].location

    def override(self, text: str, source: str, line: int | None = None) -> None:
        """Replace the text, as a later source setting the same option does."""
        self.text = text
        self.history.append(HistoryEntry("OVERRIDE", text, source, line))

    def add(self, text: str, source: str, line: int | None = None) -> None:
        """``+=``: append the lines of ``text``."""
        self.text = f"{self.text}\n{text}" if self.text and text else self.text or text
        self.history.append(HistoryEntry("ADD", text, source, line))

    def remove(self, text: str, source: str, line: int | None = None) -> None:
        """``-=``: drop every line equal (ignoring surrounding blanks) to a line of ``text``."""
        removed = {stripped for line_text in text.split("\n") if (stripped := line_text.strip())}
        kept = [line_text for line_text in self.text.split("\n") if line_text.strip() not in removed]
        self.text = "\n".join(kept)
        self.history.append(HistoryEntry("REMOVE", text, source, line))

    def directory(self, path: str) -> None:
        """Record that the value was made into the absolute path ``path``."""
        if path != self.text:
            where = self.location
            self.text = path
            self.history.append(HistoryEntry("DIRECTORY", path, where.source, where.line))

    def copy(self) -> Value:
        return Value(self.text, list(self.history))

    @classmethod
    def implicit(cls) -> Value:
        """The empty base that ``+=``/``-=`` apply to when nothing was set before."""
        return cls("", [HistoryEntry("SET", "", IMPLICIT_VALUE)])
