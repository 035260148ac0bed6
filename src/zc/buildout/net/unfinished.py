"""Unfinished downloads: the hidden file a download is written to, and what killed downloads left.

A download goes to ``.<file name>.<random>.part`` beside its final name and
is renamed when complete, so no one ever sees half a file under the final
name. A buildout killed mid-way leaves its ``.part`` file behind; one left
untouched for :data:`STALE_PART` seconds belongs to a process that is gone,
and is removed.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time

__all__ = ["STALE_PART", "Leftovers", "part_path"]

STALE_PART = 3600.0
"""Seconds after which a download's untouched temporary file is taken for a killed one's."""

_PART = re.compile(r"\..+\.[0-9a-f]{12}\.part")


def part_path(path: str) -> str:
    """A new name, beside ``path``, for a download of it (each download has its own)."""
    directory, name = os.path.split(path)
    return os.path.join(directory, f".{name}.{secrets.token_hex(6)}.part")


class Leftovers:
    """Removes what killed downloads left, once for each directory a run downloads into.

    Not at each download: a download cache may hold thousands of files, and
    a run downloads hundreds. Safe to share between threads.
    """

    def __init__(self) -> None:
        self._swept: set[str] = set()
        self._lock = threading.Lock()

    def sweep(self, directory: str) -> None:
        """Remove the stale ``.part`` files of ``directory``, unless this was done already."""
        with self._lock:
            if directory in self._swept:
                return
            self._swept.add(directory)
        deadline = time.time() - STALE_PART
        try:
            entries = list(os.scandir(directory))
        except OSError:
            return
        for entry in entries:
            if _PART.fullmatch(entry.name):
                try:
                    if entry.stat().st_mtime < deadline:
                        os.remove(entry.path)
                except OSError:
                    pass  # gone meanwhile, or not ours to remove
