"""Removing files, links and whole trees, read-only entries included."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable
from typing import Any

__all__ = ["remove_paths", "remove_tree"]


def remove_paths(paths: Iterable[str]) -> None:
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
    import shutil  # start-up: most runs remove nothing

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
