"""Locks on files, held between processes (and between threads of one process).

A lock is the operating system's advisory lock on a file (``flock`` on
POSIX, ``msvcrt.locking`` on Windows), taken on a descriptor of its own, so
two threads of one process exclude each other as two processes do. The
lock goes with the process: a buildout killed while holding one leaves
nothing to clean up. The file is made when missing (its directory too) and
never removed: a process may be waiting on it, and would hold a lock on a
file nobody else opens any more.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator

__all__ = ["LockTimeout", "holding"]

_POLL = 0.05
"""Seconds between tries, where the lock cannot be waited for in one call."""


class LockTimeout(Exception):
    """The lock was not free in the time allowed."""


@contextlib.contextmanager
def holding(path: str, *, timeout: float | None = None) -> Iterator[None]:
    """Hold the lock on the file ``path``, waiting at most ``timeout`` seconds for it (``None``: no limit).

    Raises :class:`LockTimeout` when it is not free in time (at once, with ``timeout=0``).
    """
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        _acquire(descriptor, path, timeout)
        try:
            yield
        finally:
            _release(descriptor)
    finally:
        os.close(descriptor)


def _acquire(descriptor: int, path: str, timeout: float | None) -> None:
    if _try(descriptor):
        return
    if timeout is None and sys.platform != "win32":
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # waits without holding the interpreter lock
        return
    deadline = None if timeout is None else time.monotonic() + timeout
    while not _try(descriptor):
        if deadline is not None and time.monotonic() >= deadline:
            raise LockTimeout(f"The lock {path} is held by another process.")
        time.sleep(_POLL)


if sys.platform == "win32":
    import msvcrt

    def _try(descriptor: int) -> bool:
        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _release(descriptor: int) -> None:
        os.lseek(descriptor, 0, os.SEEK_SET)
        msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try(descriptor: int) -> bool:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _release(descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
