"""Where log messages go: ``log-level``, ``log-format`` and ``verbosity``."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator

from zc.buildout.errors import UserError
from zc.buildout.net.credentials import redact_url

__all__ = ["LIBRARIES", "LIBRARY_DETAIL", "configure", "library_level", "parse_level", "preserved"]

_LEVELS: dict[str, int] = {name: getattr(logging, name) for name in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")}

LIBRARIES = ("urllib3", "resolvelib", "build", "pyproject_hooks", "concurrent")
"""The loggers of libraries buildout uses: their detail is not buildout's (see :func:`library_level`)."""

LIBRARY_DETAIL = logging.DEBUG - 20
"""From this effective level down (``-vvv`` with the default ``log-level``), libraries show their detail."""


class _BuildoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stdout`` is when a message is emitted.

    Doctests and recipe tests swap ``sys.stdout``; the class also marks the
    handlers this module installed, so a second call replaces them.
    """

    @property
    def stream(self) -> object:
        return sys.stdout

    @stream.setter
    def stream(self, value: object) -> None:
        pass

    def handleError(self, record: logging.LogRecord) -> None:
        """A reader gone from standard output (``buildout | head``) ends the output, quietly."""
        if not isinstance(sys.exc_info()[1], BrokenPipeError):
            super().handleError(record)
            return
        try:  # what is left to print, and the flush at exit, go nowhere
            descriptor = sys.stdout.fileno()
        except (OSError, ValueError):  # not the process's own standard output
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, descriptor)
        finally:
            os.close(devnull)


class _Redacting(logging.Formatter):
    """Formats as :class:`logging.Formatter` does, with passwords in URLs shown as ``****``.

    Every message buildout's handlers print goes through it: the
    configuration dump of ``-vv``, recipes' messages, libraries' detail.
    """

    def format(self, record: logging.LogRecord) -> str:
        return redact_url(super().format(record))


def parse_level(log_level: str, verbosity: str = "0") -> int:
    """The effective level: ``log-level`` (a name or a number) minus ``verbosity``."""
    text = log_level.strip()
    if text.upper() in _LEVELS:
        level = _LEVELS[text.upper()]
    else:
        try:
            level = int(text)
        except ValueError:
            raise UserError(
                f"Invalid logging level {log_level!r}",
                hint="Use DEBUG, INFO, WARNING, ERROR, CRITICAL or a number.",
            ) from None
    try:
        return level - int(verbosity.strip() or "0")
    except ValueError:
        raise UserError(
            f"Invalid verbosity {verbosity!r}", hint="Use a whole number, such as 10 or -10."
        ) from None


def library_level(level: int) -> int:
    """The level of the :data:`LIBRARIES`' loggers for the effective ``level``.

    They keep to warnings and errors while ``-v`` and ``-vv`` show buildout's
    and the recipes' detail; from :data:`LIBRARY_DETAIL` down they follow
    ``level`` too.
    """
    return level if level <= LIBRARY_DETAIL else max(level, logging.WARNING)


def configure(log_level: str = "INFO", log_format: str = "", verbosity: str = "0") -> int:
    """Send log messages to standard output; return the effective level.

    With an empty ``log_format``, buildout's own messages are printed bare and
    other loggers (recipes) print as ``name: message``; otherwise every
    message uses ``log_format``. The :data:`LIBRARIES`' loggers get
    :func:`library_level`.
    """
    level = parse_level(log_level, verbosity)
    root = logging.getLogger()
    buildout = logging.getLogger("zc.buildout")
    for logger in (root, buildout):
        for handler in [h for h in logger.handlers if isinstance(h, _BuildoutHandler)]:
            logger.removeHandler(handler)

    root_handler = _BuildoutHandler()
    root_handler.setFormatter(_Redacting(log_format or "%(name)s: %(message)s"))
    root.addHandler(root_handler)
    root.setLevel(level)

    if log_format:
        buildout.propagate = True
    else:
        bare = _BuildoutHandler()
        bare.setFormatter(_Redacting("%(message)s"))
        buildout.addHandler(bare)
        buildout.propagate = False
    buildout.setLevel(level)
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(library_level(level))
    return level


@contextlib.contextmanager
def preserved() -> Iterator[None]:
    """Put the loggers :func:`configure` sets back as they were when the block ends.

    Tests, and programs that build a ``Buildout`` in-process, use it so that
    the handlers :func:`configure` installs do not outlive them.
    """
    loggers = [logging.getLogger(name) for name in (None, "zc.buildout", *LIBRARIES)]
    saved = [(logger, list(logger.handlers), logger.level, logger.propagate) for logger in loggers]
    try:
        yield
    finally:
        for logger, handlers, level, propagate in saved:
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate = propagate
