"""Exporting the lock: a PEP 751 ``pylock.toml`` and a pip constraints file."""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Callable

from zc.buildout.dists.lock.file import Lock, LockedDistribution, LockedFile
from zc.buildout.errors import UserError
from zc.buildout.net.file_urls import url_path

__all__ = ["NAMES_UNDERSTOOD", "constraints", "exporter", "pylock_toml"]

_PYLOCK_NAME = re.compile(r"^pylock\.([^.]+\.)?toml$")
_SDIST_SUFFIXES = (".tar.gz", ".zip")
NAMES_UNDERSTOOD = "pylock.toml or pylock.<name>.toml (PEP 751), or a name ending in .txt (pip constraints)"
# TOML basic strings: these characters need an escape; other controls use \uXXXX.
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')


def pylock_toml(lock: Lock, *, requires_python: str | None = None) -> str:
    """The lock as ``pylock.toml`` text: one package per distribution, by canonical name."""
    lines = ['lock-version = "1.0"']
    if requires_python is not None:
        lines.append(f"requires-python = {_string(requires_python)}")
    lines.append('created-by = "zc.buildout"')
    for key in sorted(lock.distributions):
        lines += ["", *_package(lock.distributions[key])]
    return "\n".join(lines) + "\n"


def constraints(lock: Lock) -> str:
    """The lock as a pip constraints file: ``name==version`` lines, by canonical name."""
    lines = ["# Exported by zc.buildout from its lock: the exact version of each distribution."]
    for key in sorted(lock.distributions):
        dist = lock.distributions[key]
        lines.append(f"{dist.name}=={dist.version}")
    return "\n".join(lines) + "\n"


def _package(dist: LockedDistribution) -> list[str]:
    wheels = sorted((file for file in dist.files if file.filename.endswith(".whl")), key=_file_order)
    sdists = [file for file in dist.files if file.filename.endswith(_SDIST_SUFFIXES)]
    if not wheels and not sdists and dist.files:
        raise UserError(
            f"The lock holds only eggs of {dist.name} {dist.version}, and pylock.toml names"
            " wheels and sdists only.",
            location=dist.location,
            hint="Make a wheel or sdist of it available on the index or in find-links, and run buildout.",
        )
    if not wheels and not sdists:
        raise UserError(
            f"The lock holds no wheel or sdist of {dist.name} {dist.version}, "
            "so pylock.toml cannot name a file to install it from.",
            location=dist.location,
            hint="Run buildout online once, so that the lock records the files of each distribution.",
        )
    lines = ["[[packages]]", f"name = {_string(dist.key)}", f"version = {_string(dist.version)}"]
    if sdists:
        lines.append(f"sdist = {_file_table(min(sdists, key=lambda file: file.url))}")
    if wheels:
        lines.append("wheels = [")
        lines += [f"    {_file_table(file)}," for file in wheels]
        lines.append("]")
    return lines


def _file_order(file: LockedFile) -> tuple[str, str]:
    return file.filename, file.url


def _file_table(file: LockedFile) -> str:
    """An inline table: ``name``, then ``url`` (or ``path`` for a local file), then ``hashes``."""
    parts = urllib.parse.urlsplit(file.url)
    if parts.scheme == "file":
        where = f"path = {_string(url_path(parts.path))}"
    else:
        where = f"url = {_string(file.url)}"
    return f"{{name = {_string(file.filename)}, {where}, hashes = {{sha256 = {_string(file.sha256)}}}}}"


def _string(text: str) -> str:
    """``text`` as a TOML basic string."""
    return '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    return _ESCAPES.get(character) or f"\\u{ord(character):04X}"


def exporter(path: str) -> Callable[[Lock], str]:
    """The export a file name asks for: pylock.toml's names, or ``.txt`` for constraints."""
    name = os.path.basename(path)
    if _PYLOCK_NAME.match(name):
        return pylock_toml
    if name.endswith(".txt"):
        return constraints
    raise UserError(f"Don't know how to export the lock as {path}.",
                    hint=f"Name the file {NAMES_UNDERSTOOD}.")
