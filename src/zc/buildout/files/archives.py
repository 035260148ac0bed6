"""Unpacking zip and tar archives (or copying a directory) for download recipes.

The calling convention is the one download recipes know from
``setuptools.archive_util``: ``unpack_archive(filename, extract_dir,
progress_filter)``, where ``progress_filter(name, target)`` sees each member
(``name`` uses ``/``) and returns where to put it, or ``None`` to skip it.
Members whose names are absolute or climb out with ``..`` are never written;
links inside tar archives are written as copies of the member they point at.
"""

from __future__ import annotations

import contextlib
import logging
import os
import posixpath
import shutil
import tarfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from typing import IO

from zc.buildout.errors import UserError

__all__ = [
    "ProgressFilter",
    "UnrecognizedFormat",
    "default_filter",
    "unpack_archive",
    "unpack_directory",
    "unpack_tarfile",
    "unpack_zipfile",
]

logger = logging.getLogger("zc.buildout")

ProgressFilter = Callable[[str, str], str | None]
Driver = Callable[[str, str, ProgressFilter], None]


class UnrecognizedFormat(UserError):
    """The file is neither a directory nor a zip or tar archive."""


def default_filter(name: str, target: str) -> str:
    """Extract every member where its name says."""
    return target


def unpack_archive(
    filename: str,
    extract_dir: str,
    progress_filter: ProgressFilter = default_filter,
    drivers: Sequence[Driver] | None = None,
) -> None:
    """Unpack the archive (or copy the directory) ``filename`` into ``extract_dir``.

    Raises :class:`UnrecognizedFormat` when no driver knows the format.
    """
    for driver in drivers or (unpack_directory, unpack_zipfile, unpack_tarfile):
        try:
            driver(filename, extract_dir, progress_filter)
        except UnrecognizedFormat:
            continue
        return
    raise UnrecognizedFormat(f"Not a recognized archive type: {filename}")


def unpack_directory(filename: str, extract_dir: str, progress_filter: ProgressFilter = default_filter) -> None:
    """Copy the tree ``filename`` into ``extract_dir``."""
    if not os.path.isdir(filename):
        raise UnrecognizedFormat(f"{filename} is not a directory")
    for root, directories, files in os.walk(filename):
        relative = os.path.relpath(root, filename)
        prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        for name in sorted(directories):
            target = _target(extract_dir, prefix + name + "/", progress_filter)
            if target:
                os.makedirs(target, exist_ok=True)
        for name in sorted(files):
            target = _target(extract_dir, prefix + name, progress_filter)
            if target:
                _make_parent(target)
                shutil.copyfile(os.path.join(root, name), target)
                shutil.copymode(os.path.join(root, name), target)


def unpack_zipfile(filename: str, extract_dir: str, progress_filter: ProgressFilter = default_filter) -> None:
    """Unpack the zip archive ``filename`` into ``extract_dir``."""
    if not zipfile.is_zipfile(filename):
        raise UnrecognizedFormat(f"{filename} is not a zip file")
    with _reading(filename, zipfile.BadZipFile), zipfile.ZipFile(filename) as archive:
        for info in archive.infolist():
            target = _target(extract_dir, info.filename, progress_filter)
            if not target:
                continue
            if info.is_dir():
                os.makedirs(target, exist_ok=True)
                continue
            with archive.open(info) as member:
                _write(member, target, info.external_attr >> 16)


def unpack_tarfile(filename: str, extract_dir: str, progress_filter: ProgressFilter = default_filter) -> None:
    """Unpack the (possibly compressed) tar archive ``filename`` into ``extract_dir``."""
    try:
        archive = tarfile.open(filename)
    except (tarfile.TarError, OSError):
        raise UnrecognizedFormat(f"{filename} is not a tar file") from None
    with _reading(filename, tarfile.TarError), archive:
        for member in archive:
            if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
                continue
            target = _target(extract_dir, member.name, progress_filter)
            if not target:
                continue
            if member.isdir():
                os.makedirs(target, exist_ok=True)
                continue
            source = _link_source(archive, member)
            data = archive.extractfile(source) if source is not None else None
            if source is None or data is None:
                logger.warning("Skipping %r in %s: it links to no file in the archive.", member.name, filename)
                continue
            with data:
                _write(data, target, source.mode)


def _link_source(archive: tarfile.TarFile, member: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """The member whose bytes ``member`` stands for; ``None`` for links leading outside."""
    if member.isfile():
        return member
    if member.issym():
        name = posixpath.join(posixpath.dirname(member.name), member.linkname)
    else:
        name = member.linkname
    name = posixpath.normpath(name)
    if member.linkname.startswith("/") or name.split("/")[0] == "..":
        return None
    try:
        return archive.getmember(name)
    except KeyError:
        return None


def _target(extract_dir: str, name: str, progress_filter: ProgressFilter) -> str | None:
    """Where the member ``name`` goes, or ``None`` to skip it."""
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
        logger.warning("Skipping %r: it points outside the directory it is unpacked into.", name)
        return None
    target = os.path.join(extract_dir, *[part for part in parts if part not in ("", ".")])
    return progress_filter(name, target)


def _make_parent(target: str) -> None:
    parent = os.path.dirname(target)
    if parent:
        os.makedirs(parent, exist_ok=True)


def _write(data: IO[bytes], target: str, mode: int) -> None:
    _make_parent(target)
    if os.path.islink(target):
        os.remove(target)  # never write through a link left in the target directory
    with open(target, "wb") as output:
        shutil.copyfileobj(data, output)
    # Keep the executable bits; never make a file group- or world-writable.
    os.chmod(target, 0o644 | (mode & 0o111))


@contextlib.contextmanager
def _reading(filename: str, corrupt: type[Exception]) -> Iterator[None]:
    """Turn a corrupt archive (``corrupt`` raised, or data ending early) into a user error."""
    try:
        yield
    except (corrupt, EOFError) as error:
        raise UserError(f"Couldn't unpack {filename}: {error}") from None
