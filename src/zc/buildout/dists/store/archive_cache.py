"""The archives of a download cache: ``<download-cache>/dist``, one file per file name.

Archives are written there whole or not at all (see
:meth:`~zc.buildout.net.httpclient.HTTPClient.download`), each under a file lock
of its own, so that buildouts sharing the cache download a file once. A file
found there is used only when it has the digest the index gives. The locks,
and the wheels built from sdists (by digest of the sdist), are kept in the
download cache's working state (``<download-cache>/.buildout``), so that
``dist`` holds archives only. A file's modification time is when a
buildout last used it; installing from a file holds its lock, so that
``buildout cache prune`` never removes a file in use.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from zc.buildout.dists.store.state import download_cache_state
from zc.buildout.files.locks import holding

__all__ = ["archive_lock", "built_wheel", "cached_archive", "mark_used", "sha256_of", "using_archive"]

logger = logging.getLogger("zc.buildout")


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _state(directory: str, *names: str) -> str:
    # ``directory`` is ``<download-cache>/dist``.
    return download_cache_state(os.path.dirname(directory), *names)


@contextmanager
def archive_lock(directory: str, filename: str, *, wait: bool = True) -> Iterator[None]:
    """Hold the lock on ``filename`` in the cache ``directory`` (made if missing).

    Without ``wait``, a lock another process holds raises
    :class:`~zc.buildout.files.locks.LockTimeout` at once.
    """
    locks = _state(directory, "locks")
    with holding(os.path.join(locks, f"{filename}.lock"), timeout=None if wait else 0):
        yield


@contextmanager
def using_archive(directory: str, filename: str, sha256: str | None,
                  download: Callable[[str], None]) -> Iterator[str]:
    """The path of ``filename`` in the cache ``directory``, calling ``download(path)`` to fill it.

    A file already there is kept when it matches ``sha256`` (any file does
    when ``sha256`` is None), and marked as used now (its modification
    time); ``download`` writes the path (whole, checked) otherwise. The
    file's lock is held until the block ends, so ``cache prune`` leaves it
    alone meanwhile.
    """
    path = os.path.join(directory, filename)
    os.makedirs(directory, exist_ok=True)
    with archive_lock(directory, filename):
        if os.path.exists(path) and (sha256 is None or sha256_of(path) == sha256.lower()):
            mark_used(path)
        else:
            if os.path.exists(path):
                logger.warning("%s in the download cache is not the file the index describes "
                               "(damaged?): downloading it again.", filename)
            download(path)
        yield path


def cached_archive(directory: str, filename: str, sha256: str | None,
                   download: Callable[[str], None]) -> str:
    """Like :func:`using_archive`, for a caller that only reads ahead (no lock held after)."""
    with using_archive(directory, filename, sha256, download) as path:
        return path


def mark_used(path: str) -> None:
    """Record that a cache entry was used now (``cache prune`` removes entries long unused)."""
    try:
        os.utime(path)
    except OSError:  # a read-only shared cache: its entries' ages stay as they are
        pass


def built_wheel(directory: str, sdist: str, build: Callable[[str], str]) -> str:
    """The wheel built from ``sdist``, kept in the cache ``directory``; built when missing.

    ``build(output)`` builds it into the directory ``output`` and returns its
    path; it is kept in the download cache's ``.buildout/built/<sha256 of
    sdist>`` and used by any run of a Python it fits.
    """
    built = _state(directory, "built", sha256_of(sdist))
    with archive_lock(directory, f"{os.path.basename(sdist)}.build"):
        found = _compatible_wheel(built)
        if found is not None:
            mark_used(built)
            return found
        import tempfile  # start-up: only builds need it

        output = tempfile.mkdtemp(prefix=".build-", dir=built)
        try:
            path = build(output)
            target = os.path.join(built, os.path.basename(path))
            os.replace(path, target)
        finally:
            shutil.rmtree(output, ignore_errors=True)
    return target


def _compatible_wheel(directory: str) -> str | None:
    from packaging.tags import sys_tags  # start-up: only for built wheels
    from packaging.utils import parse_wheel_filename  # start-up: only for built wheels

    supported = set(sys_tags())
    for entry in sorted(os.listdir(directory)):
        if entry.endswith(".whl") and supported & set(parse_wheel_filename(entry)[3]):
            return os.path.join(directory, entry)
    return None
