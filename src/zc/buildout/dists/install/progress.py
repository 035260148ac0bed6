"""The one updating progress line shown on a terminal while distributions are installed."""

from __future__ import annotations

import logging
import sys
import threading
import time
from typing import TextIO

__all__ = ["Progress", "terminal_progress"]


class Progress:
    """Counts installed files and downloaded bytes; draws them on one line.

    Thread-safe. Without a ``stream`` nothing is drawn (output is not a
    terminal, or buildout runs quietly).
    """

    def __init__(self, total: int, stream: TextIO | None = None, interval: float = 0.1) -> None:
        self.total = total
        self.done = 0
        self.received = 0
        self._stream = stream
        self._interval = interval
        self._lock = threading.Lock()
        self._drawn_at = float("-inf")
        self._shown = False

    def add_bytes(self, count: int) -> None:
        with self._lock:
            self.received += count
            self._draw(force=False)

    def file_done(self) -> None:
        with self._lock:
            self.done += 1
            self._draw(force=True)

    def clear(self) -> None:
        """Remove the line, so a log message can be printed."""
        with self._lock:
            if self._stream is not None and self._shown:
                self._stream.write("\r\x1b[K")
                self._stream.flush()
                self._shown = False

    def redraw(self) -> None:
        with self._lock:
            self._draw(force=True)

    def line(self) -> str:
        return (
            f"Installing distributions: {self.done}/{self.total}, "
            f"{self.received / 1e6:.1f} MB downloaded"
        )

    def _draw(self, *, force: bool) -> None:
        now = time.monotonic()
        if self._stream is None or (not force and now - self._drawn_at < self._interval):
            return
        self._drawn_at = now
        self._stream.write("\r\x1b[K" + self.line())
        self._stream.flush()
        self._shown = True


def terminal_progress(total: int) -> Progress:
    """A progress line on standard output when it is a terminal and INFO messages show."""
    stream = sys.stdout
    shown = stream.isatty() and logging.getLogger("zc.buildout").isEnabledFor(logging.INFO)
    return Progress(total, stream if shown else None)
