"""Buildout's own directories, and removing what parts created."""

from __future__ import annotations

import logging
import os
import stat
import sys
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["DIRECTORY_OPTIONS", "create", "own", "remove", "remove_tree", "write_text"]

logger = logging.getLogger("zc.buildout")

DIRECTORY_OPTIONS = ("bin-directory", "parts-directory", "develop-eggs-directory", "eggs-directory")
"""The directories every buildout has, in the order they are created."""


def create(options: Mapping[str, str]) -> None:
    """Create the directories of ``[buildout]`` that do not exist yet, saying so."""
    for name in DIRECTORY_OPTIONS:
        path = options[name]
        if not os.path.isdir(path):
            logger.info("Creating directory %r.", path)
            os.makedirs(path)


def own(options: Mapping[str, str]) -> list[str]:
    """The directories holding what buildout made (never part of a project's source)."""
    paths = [options[name] for name in DIRECTORY_OPTIONS]
    eggs = options["eggs-directory"]
    if options.get("eggs-directory-version") and os.path.dirname(eggs) != options["directory"]:
        paths.append(os.path.dirname(eggs))
    paths.extend(options[name] for name in ("download-cache", "extends-cache") if options.get(name))
    return paths


def remove(paths: Iterable[str]) -> None:
    """Remove files, links and whole directory trees; missing paths are fine."""
    for path in paths:
        if not path or not os.path.lexists(path):
            continue
        if not os.path.isdir(path) or os.path.islink(path):
            os.remove(path)
        else:
            remove_tree(path)


def remove_tree(path: str) -> None:
    """Remove the directory tree at ``path``, making read-only entries writable first."""
    import shutil

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=_make_writable_and_retry)
    else:
        shutil.rmtree(path, onerror=_make_writable_and_retry)


def _make_writable_and_retry(function: Any, path: str, _error: object) -> None:
    """Read-only files (and their directories) cannot be removed everywhere: fix and retry."""
    os.chmod(path, stat.S_IWRITE | stat.S_IREAD | stat.S_IEXEC)
    parent = os.path.dirname(path)
    if parent:
        os.chmod(parent, os.stat(parent).st_mode | stat.S_IWRITE)
    function(path)


def write_text(path: str, text: str, *, mode: int = 0o666) -> bool:
    """Write ``text`` to ``path`` unless it already holds it; return whether it changed.

    A new text replaces the file at once (written beside it, then renamed),
    so a reader sees the old file or the new one, never a part; the new file
    gets ``mode`` less the umask.
    """
    try:
        with open(path, encoding="utf-8") as file:
            if file.read() == text:
                return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    import secrets

    directory, name = os.path.split(os.path.abspath(path))
    temporary = os.path.join(directory, f".{name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.remove(temporary)
        raise
    return True
