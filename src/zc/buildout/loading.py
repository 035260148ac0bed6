"""Configuration sources merged into raw sections, every value with its history."""

from __future__ import annotations

import dataclasses

from zc.buildout.errors import Location

__all__ = ["HistoryEntry", "LoadedConfiguration", "Value"]


@dataclasses.dataclass(frozen=True)
class HistoryEntry:
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


@dataclasses.dataclass
class Value:
    """A merged raw value (before ``${...}`` substitution) and how it came to be."""

    text: str
    history: list[HistoryEntry]
    """Oldest first."""

    @property
    def location(self) -> Location:
        """Where the value was last set."""
        for entry in reversed(self.history):
            if entry.operation in ("SET", "OVERRIDE"):
                return entry.location
        return self.history[-1].location


@dataclasses.dataclass
class LoadedConfiguration:
    """Every source merged in precedence order."""

    sections: dict[str, dict[str, Value]]
    """Section name -> option name -> value; macro (``<``) sections are kept raw."""
    config_file: str | None
    """Absolute path or URL of the main configuration file, if there is one."""
