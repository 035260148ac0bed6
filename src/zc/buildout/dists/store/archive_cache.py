"""The archives of a download cache: ``<download-cache>/dist``, one file per file name.

Archives are written there whole or not at all (see
:meth:`~zc.buildout.net.httpclient.HTTPClient.download`), each under a file lock
of its own, so that buildouts sharing the cache download a file once. A file
found there is used only when it has the digest the index gives. The locks,
and the wheels built from sdists (by digest of the sdist), are kept in the
download cache's working state (``<download-cache>/.buildout``), so that
``dist`` holds archives only.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from zc.buildout.dists.store.state import download_cache_state

__all__ = ["archive_lock", "built_wheel", "cached_archive", "sha256_of"]


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
def archive_lock(directory: str, filename: str) -> Iterator[None]:
    """Hold the lock on ``filename`` in the cache ``directory`` (made if missing)."""
    from filelock import FileLock  # start-up: only installing takes locks

    locks = _state(directory, "locks")
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
    os.makedirs(directory, exist_ok=True)
    with archive_lock(directory, filename):
        if not (os.path.exists(path) and (sha256 is None or sha256_of(path) == sha256.lower())):
            download(path)
    return path


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
            return found
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
