"""Writing new files through their descriptors, in as few system calls as a file allows.

A wheel's thousands of members, and the modules compiled beside them, are
each written once into a directory no one else writes: opened with
:data:`NEW_FILE` (it fails if the file is there) and written whole with
:func:`write_all`, without a file object's buffering in between.
"""

from __future__ import annotations

import os

__all__ = ["NEW_FILE", "write_all"]

NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
"""The :func:`os.open` flags of a file to create: one already there is an error."""


def write_all(descriptor: int, data: bytes) -> None:
    """Write all of ``data`` to ``descriptor`` (one write may take less than it is given)."""
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]
