"""The archives of a download cache: ``<download-cache>/dist``, one file per file name.

Archives are written there whole or not at all (see
:meth:`~zc.buildout.httpclient.HTTPClient.download`), each under a file lock
of its own, so that buildouts sharing the cache download a file once. A file
found there is used only when it has the digest the index gives.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["archive_lock", "cached_archive", "sha256_of"]


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def archive_lock(directory: str, filename: str) -> Iterator[None]:
    """Hold the lock on ``filename`` in the cache ``directory`` (made if missing)."""
    from filelock import FileLock

    locks = os.path.join(directory, ".locks")
    os.makedirs(locks, exist_ok=True)
    with FileLock(os.path.join(locks, f"{filename}.lock")):
        yield


def cached_archive(directory: str, filename: str, sha256: str | None,
                   download: Callable[[str], None]) -> str:
    """The path of ``filename`` in the cache ``directory``, calling ``download(path)`` to fill it.

    A file already there is kept when it matches ``sha256`` (any file does
    when ``sha256`` is None); ``download`` writes the path (whole, checked)
    otherwise.
    """
    path = os.path.join(directory, filename)
    with archive_lock(directory, filename):
        if not (os.path.exists(path) and (sha256 is None or sha256_of(path) == sha256.lower())):
            download(path)
    return path
