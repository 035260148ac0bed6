"""Where buildout keeps its working state: never inside an eggs, develop-eggs or ``dist`` directory.

The eggs directory, develop-eggs and the download cache's ``dist`` hold
distributions only: people (and recipe authors' tests) list them. What
buildout keeps besides (locks, build environments, prepared metadata,
remembered resolutions) goes elsewhere:

- for an eggs directory, into a directory of the user's cache
  (``$XDG_CACHE_HOME/zc.buildout``, else ``~/.cache/zc.buildout``) named
  after the eggs directory's real path, so that buildouts sharing an eggs
  directory share it too (the system's temporary directory when that cache
  cannot be written);
- for a download cache, into its ``.buildout`` directory, beside ``dist``.

The state of an eggs directory is the user's: buildouts of one user that
share an eggs directory share its locks, and wait for each other; those of
different users do not, but never see a half-made egg either. Eggs are made
in the eggs directory itself, for an atomic rename, under hidden names
(:func:`staging_name`) that a completed install never leaves.
"""

from __future__ import annotations

import os
import zlib

__all__ = ["STAGING_PREFIX", "download_cache_state", "eggs_state", "staging_name"]

STAGING_PREFIX = ".tmp-"
"""What an entry being made inside an eggs or develop-eggs directory is named with, until renamed."""


def _user() -> str:
    return str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")


def staging_name(name: str) -> str:
    """The hidden name this user's buildouts make the entry ``name`` under, beside its final name.

    A run stages ``name`` only while it holds this user's lock on it, so what
    it finds under this name was left by a killed run, and is removed: no
    listing of the directory is needed (an eggs directory or a download
    cache may hold thousands of entries). Another user's staging of the same
    entry, under another name, may be in progress.
    """
    return f"{STAGING_PREFIX}{name}-{_user()}"


def eggs_state(eggs_directory: str, *names: str, create: bool = True) -> str:
    """A directory of buildout's working state for ``eggs_directory`` (``names`` below it).

    Made when ``create`` (else it may not exist: nothing was installed there yet).
    """
    real = os.path.realpath(eggs_directory)
    data = real.encode("utf-8", "surrogateescape")
    # Checksums, not a cryptographic digest: they only tell eggs directories
    # apart, and hashlib would load OpenSSL (2.5 ms of a run with nothing to do).
    key = f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
    leaf = f"{os.path.basename(real) or 'eggs'}-{key}"
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    preferred = os.path.join(base, "zc.buildout", "eggs-directories", leaf, *names)
    if not create:
        if os.path.isdir(preferred):
            return preferred
        fallback = _temporary_place(leaf, *names)
        return fallback if os.path.isdir(fallback) else preferred
    try:
        os.makedirs(preferred, exist_ok=True)
        return preferred
    except OSError:
        fallback = _temporary_place(leaf, *names)
    try:
        os.makedirs(fallback, exist_ok=True)
    except OSError:
        raise OSError(f"Nowhere to keep buildout's working state for {eggs_directory}: neither {preferred}"
                      f" nor {fallback} can be made.") from None
    return fallback


def _temporary_place(leaf: str, *names: str) -> str:
    """Where the state goes when the user's cache cannot take it: the system's temporary directory."""
    import tempfile  # start-up: only runs whose user's cache is missing or unwritable get here

    return os.path.join(tempfile.gettempdir(), f"zc.buildout-{_user()}", leaf, *names)


def download_cache_state(download_cache: str, *names: str, create: bool = True) -> str:
    """A directory of buildout's working state in ``download_cache`` (beside ``dist``), made when ``create``."""
    path = os.path.join(os.path.abspath(download_cache), ".buildout", *names)
    if create:
        os.makedirs(path, exist_ok=True)
    return path
