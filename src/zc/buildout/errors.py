"""User-facing errors, the places they point at, and what buildout was doing."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import NamedTuple

__all__ = [
    "Location",
    "UserError",
    "MissingOption",
    "MissingSection",
    "UsageError",
    "add_note",
    "doing",
    "current_doing",
    "notes",
]


class Location(NamedTuple):
    """Where a piece of configuration came from.

    ``source`` is a file path, a URL or one of the pseudo sources
    (``DEFAULT_VALUE``, ``COMPUTED_VALUE``, ``COMMAND_LINE_VALUE``,
    ``IMPLICIT_VALUE``); ``line`` is 1-based, or ``None`` when the source has
    no lines.
    """

    source: str
    line: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.source
        return f"{self.source}:{self.line}"


class UserError(Exception):
    """A mistake the user can fix: reported as one ``Error:`` line, no traceback.

    Positional arguments are joined with spaces, as recipes written for older
    buildouts expect. ``location`` (keyword only) prefixes the message with
    ``file:line:``; ``hint`` adds a line telling the user what to do.
    """

    def __init__(
        self,
        *args: object,
        location: Location | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(*args)
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        message = " ".join(str(arg) for arg in self.args)
        if self.location is not None:
            message = f"{self.location}: {message}"
        if self.hint:
            message = f"{message}\n{self.hint}"
        return message


class MissingOption(UserError, KeyError):
    """An option that was asked for does not exist.

    Also a ``KeyError`` so that ``Options.setdefault`` and ``in`` work.
    """

    __str__ = UserError.__str__


class MissingSection(UserError, KeyError):
    """A section that was asked for does not exist."""

    __str__ = UserError.__str__


class UsageError(UserError):
    """A malformed command line."""


_doing: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar(
    "zc.buildout.doing", default=()
)


@contextlib.contextmanager
def doing(activity: str) -> Iterator[None]:
    """Record ``activity`` (e.g. ``"Installing demo."``) while the block runs.

    When an exception escapes, the command line prints the activities that
    were under way when it was raised, outermost first, under ``While:``.
    The stack at the moment of the failure is attached to the exception the
    first time it passes through here.
    """
    token = _doing.set(_doing.get() + (activity,))
    try:
        yield
    except BaseException as error:
        if not hasattr(error, "__buildout_doing__"):
            setattr(error, "__buildout_doing__", _doing.get())
        raise
    finally:
        _doing.reset(token)


def current_doing(error: BaseException) -> tuple[str, ...]:
    """The activities under way when ``error`` was raised (outermost first)."""
    return tuple(getattr(error, "__buildout_doing__", ()))


def add_note(error: BaseException, note: str) -> None:
    """Add a line the command line prints after ``error``: what buildout did about it."""
    setattr(error, "__buildout_notes__", notes(error) + (note,))


def notes(error: BaseException) -> tuple[str, ...]:
    """The lines :func:`add_note` added to ``error``, in order."""
    return tuple(getattr(error, "__buildout_notes__", ()))
