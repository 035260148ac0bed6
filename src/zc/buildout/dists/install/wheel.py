"""One wheel to one egg directory.

The wheel is unpacked (:mod:`~zc.buildout.dists.install.unpack`) into a
staging directory inside the eggs directory by a worker process,
byte-compiled (by a :class:`~zc.buildout.dists.install.compiler.Compiler`, naming
the final paths) unless ``byte-compile = false``, and renamed into place,
under a per-distribution file lock: an interrupted run never leaves half an
egg, and a staging directory left by a killed run is removed by the next
one. With an egg cache, the staged egg is linked from the cache entry
instead (made the same way, once; an uncompiled one by a worker alone,
:func:`make_entry`); an entry found by the wheel's digest is linked without
the wheel (:func:`link_cached_egg`).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from zc.buildout.dists.metadata import canonical_name, headers_of_wheel
from zc.buildout.dists.store.egg_cache import EggCache, link_tree
from zc.buildout.dists.store.eggs import (
    ARCHIVE_RECORD,
    InstalledDistribution,
    egg_directory_name,
)
from zc.buildout.dists.store.state import eggs_state, staging_name
from zc.buildout.errors import UserError
from zc.buildout.files.locks import LockTimeout, holding

if TYPE_CHECKING:
    from zc.buildout.dists.install.compiler import Compiler

__all__ = [
    "cached_egg", "discard_linked_ahead", "install_wheel", "link_ahead", "link_cached_egg", "locked", "make_entry",
    "place_egg", "place_linked_ahead", "wheel_metadata",
]

logger = logging.getLogger("zc.buildout")

_SEALED = os.name != "nt"
"""Whether an egg cache entry's files are made read-only as they are written (as
:func:`~zc.buildout.dists.store.egg_cache.seal` would make them after: not on Windows)."""


def wheel_metadata(wheel_path: str) -> tuple[str, str]:
    """The project name (as its metadata spells it) and version of a wheel."""
    filename = os.path.basename(wheel_path)
    headers = headers_of_wheel(wheel_path, filename)
    name, version = headers.get("Name"), headers.get("Version")
    if not name or not version:
        raise UserError(f"The wheel {filename} has no Name or Version in its METADATA file.")
    return name, version


@contextmanager
def locked(eggs_directory: str, name: str) -> Iterator[None]:
    """Hold the lock that guards installing ``name`` into ``eggs_directory``."""
    path = os.path.join(eggs_state(eggs_directory, "locks"), f"{name}.lock")
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(holding(path, timeout=2))
        except LockTimeout:
            logger.info("Waiting for another buildout installing %s.", name)
            stack.enter_context(holding(path))
        yield


def _holds(directory: str, name: str, version: str) -> bool:
    """Whether the egg directory ``directory`` is one of ``name`` ``version`` (its metadata says so)."""
    try:
        headers = InstalledDistribution(name, version, directory, False).metadata.metadata
    except FileNotFoundError:
        return False
    return canonical_name(headers.get("Name") or "") == canonical_name(name) and (
        headers.get("Version") == version)


def install_wheel(
    wheel_path: str,
    eggs_directory: str,
    *,
    compiler: Compiler | None = None,
    egg_cache: EggCache | None = None,
    sha256: str | None = None,
    archive_sha256: str | None = None,
    byte_compile: bool = True,
) -> InstalledDistribution:
    """Install a wheel as one egg directory (reusing one already there); return it.

    ``compiler`` unpacks and, with ``byte_compile``, compiles (a private one
    when not given). With an ``egg_cache`` and the wheel's ``sha256``, the
    egg is made in the cache (once) and linked from there. ``archive_sha256`` is the digest of the
    archive the wheel came from (the wheel itself, or the sdist it was
    built from), recorded in the egg (:data:`~zc.buildout.dists.store.eggs.ARCHIVE_RECORD`).
    """
    name, version, egg_name = _egg_of(wheel_path)
    target = os.path.join(eggs_directory, egg_name)
    result = InstalledDistribution(name, version, target, False)
    if os.path.isdir(target):
        return result
    fill: Callable[[str], None] = functools.partial(_make_egg, wheel_path, target, compiler,
                                                    archive_sha256, byte_compile)
    if egg_cache is not None and sha256 is not None:
        try:
            entry = _entry(egg_cache, wheel_path, egg_name, sha256, target, compiler, archive_sha256,
                           byte_compile)[0]
        except OSError as error:  # a read-only shared cache, say: install without it
            logger.debug("Not keeping %s in the egg cache: %s", egg_name, error)
        else:
            fill = functools.partial(egg_cache.link, entry, link=functools.partial(
                _link_entry, archive_sha256=archive_sha256, compiler=compiler), make=fill)
    place_egg(eggs_directory, result, fill)
    return result


class _EntryChanged(Exception):
    """The egg cache entry to link was changed or removed since it was found."""


def link_cached_egg(entry: str, name: str, version: str, eggs_directory: str, egg_cache: EggCache,
                    archive_sha256: str, *, made_now: bool = False) -> InstalledDistribution | None:
    """Install ``name`` ``version`` by linking the egg cache ``entry`` of its wheel; ``None`` if it changed.

    ``entry`` was found by the wheel's digest, ``archive_sha256``, so the
    wheel is not needed: its egg directory is named in the entry's name.
    An entry ``made_now`` (or checked now) is not checked again.
    """
    location = os.path.join(eggs_directory, egg_cache.egg_name(entry))
    result = InstalledDistribution(name, version, location, False)
    if os.path.isdir(result.location):
        return result

    def fill(path: str) -> None:
        try:
            linked = egg_cache.link_unchanged(entry, path, made_now=made_now)
        except OSError as error:  # a read-only shared cache, say: install without it
            logger.debug("Not linking %s from the egg cache: %s", entry, error)
            linked = False
        if not linked:
            raise _EntryChanged(entry)
        _add_archive_record(path, archive_sha256)

    try:
        place_egg(eggs_directory, result, fill)
    except _EntryChanged:
        return None
    return result


def place_egg(eggs_directory: str, dist: InstalledDistribution, fill: Callable[[str], None]) -> None:
    """Make the egg directory of ``dist`` (in ``eggs_directory``) unless it is there.

    ``fill`` makes it at a hidden temporary path in ``eggs_directory`` (for
    an atomic rename), renamed into place when complete, under the lock for
    that egg: a run killed meanwhile leaves no half egg, and its leftovers
    are removed by the next.
    """
    egg_name = os.path.basename(dist.location)
    staged = os.path.join(eggs_directory, staging_name(egg_name))
    with _writing(eggs_directory, dist):
        os.makedirs(eggs_directory, exist_ok=True)
    with locked(eggs_directory, egg_name):
        shutil.rmtree(staged, ignore_errors=True)  # a killed run's: we hold the lock
        if os.path.isdir(dist.location):
            return
        with _writing(eggs_directory, dist):  # an eggs directory that cannot be written fails here, clearly
            os.mkdir(staged)
        os.rmdir(staged)
        try:
            fill(staged)
            _rename(staged, dist.location, dist.name, dist.version)
        finally:
            shutil.rmtree(staged, ignore_errors=True)


@contextmanager
def _writing(eggs_directory: str, dist: InstalledDistribution) -> Iterator[None]:
    """Report an eggs directory that cannot be written (read-only, say) as a user's error."""
    try:
        yield
    except OSError as error:
        raise UserError(f"Couldn't install {dist.name} {dist.version} into {eggs_directory}: {error.strerror}.",
                        hint="Buildout installs what the eggs directory lacks: it must be writable.") from None


def _link_entry(entry: str, path: str, *, archive_sha256: str | None, compiler: Compiler | None) -> None:
    """Link the egg cache ``entry`` at ``path`` (on ``compiler``'s workers, when given).

    Adds the archive record older entries lack.
    """
    if compiler is None:
        link_tree(entry, path)
    else:
        compiler.link(entry, path)
    if archive_sha256 is not None:
        _add_archive_record(path, archive_sha256)


def _add_archive_record(path: str, archive_sha256: str) -> None:
    """Record ``archive_sha256`` in the egg at ``path`` (linked from an entry older than the record)."""
    for name in os.listdir(path):
        record = os.path.join(path, name, ARCHIVE_RECORD)
        if name.endswith(".dist-info") and not os.path.exists(record):
            with open(record, "x", encoding="ascii") as file:
                file.write(f"{archive_sha256.lower()}\n")


def cached_egg(wheel_path: str, eggs_directory: str, egg_cache: EggCache, sha256: str,
               compiler: Compiler | None = None, byte_compile: bool = True, *,
               spelled: tuple[str, str] | None = None, ahead: bool = False) -> tuple[str, bool]:
    """The egg cache entry of a wheel with digest ``sha256``, made when missing, and, asked ``ahead``,
    whether its egg was linked into ``eggs_directory`` ahead (see :func:`link_ahead`).

    A new entry is compiled (with ``byte_compile``) for the wheel's egg
    directory in ``eggs_directory``. ``spelled``, the name and version the
    wheel's metadata gives, spares reading them from the wheel.
    """
    egg_name = _egg_of(wheel_path, spelled)[2]
    return _entry(egg_cache, wheel_path, egg_name, sha256, os.path.join(eggs_directory, egg_name), compiler,
                  sha256, byte_compile, ahead=eggs_directory if ahead else None)


def _entry(egg_cache: EggCache, wheel_path: str, egg_name: str, sha256: str, target: str,
           compiler: Compiler | None, archive_sha256: str | None, byte_compile: bool, *,
           ahead: str | None = None) -> tuple[str, bool]:
    """The entry of ``egg_cache`` for the wheel at ``wheel_path`` (digest ``sha256``), made when missing;
    compiled (with ``byte_compile``) as if at ``target``, its archive recorded as ``archive_sha256``;
    and whether its egg was linked into the eggs directory ``ahead``, if given (:func:`link_ahead`).

    An uncompiled entry of a wheel a worker unpacks alone is made in that
    worker, start to end (:func:`make_entry`): one request, where the steps
    around unpacking (the entry's lock, its checks, sealing it, the rename,
    linking it ahead) would be system calls of the calling process, the one
    that resolves, each of which lets its interpreter lock go and waits to
    have it back.
    """
    if compiler is not None and not byte_compile and not compiler.shared(wheel_path):
        entry, linked = compiler.call(f"{__name__}:make_entry", wheel_path, egg_name, sha256, archive_sha256,
                                      egg_cache.directory, egg_cache.locks, ahead)
        return str(entry), bool(linked)
    make = functools.partial(_make_egg, wheel_path, target, compiler, archive_sha256, byte_compile,
                             read_only=_SEALED)
    entry = egg_cache.entry(egg_name, sha256, make)
    return entry, ahead is not None and link_ahead(entry, ahead, egg_cache, archive_sha256)


def make_entry(wheel_path: str, egg_name: str, sha256: str, archive_sha256: str | None, directory: str,
               locks: str, ahead: str | None = None) -> tuple[str, bool]:
    """:meth:`EggCache.entry` of the uncompiled egg cache in ``directory`` (its locks in ``locks``) for
    the wheel at ``wheel_path``, made (unpacked, sealed, placed) by the calling process alone.

    What a worker does for :func:`_entry`: returns the entry's path and,
    with an eggs directory ``ahead``, whether the egg was linked into it ahead.
    """
    from zc.buildout.dists.install.unpack import install_into  # start-up: only workers unpack

    record = {} if archive_sha256 is None else {ARCHIVE_RECORD: f"{archive_sha256.lower()}\n"}

    def make(path: str) -> None:
        install_into(wheel_path, path, metadata=record, read_only=_SEALED)

    cache = EggCache(directory, locks)
    entry = cache.entry(egg_name, sha256, make)
    return entry, ahead is not None and link_ahead(entry, ahead, cache, archive_sha256)


# Linked ahead: the egg of a wheel sure to be installed (a pinned version)
# is linked from its entry while the resolution goes on, by whoever made the
# entry, under a hidden name in the eggs directory; once the resolution
# holds, installing it is a rename. The hidden name is the entry's (so it
# names the wheel's digest) as staged, and one exists only complete: the
# links are made under the egg's staging name and renamed to it.


def _ahead_path(entry: str, eggs_directory: str) -> str:
    return os.path.join(eggs_directory, staging_name(os.path.basename(entry)))


def link_ahead(entry: str, eggs_directory: str, egg_cache: EggCache, archive_sha256: str | None) -> bool:
    """Link the egg of ``entry``, just made or checked, into ``eggs_directory`` under its hidden name,
    for :func:`place_linked_ahead`; whether it was (not when the egg is there already, nor on a
    failure, which installing meets again and reports)."""
    egg_name = egg_cache.egg_name(entry)
    staged = os.path.join(eggs_directory, staging_name(egg_name))
    try:
        os.makedirs(eggs_directory, exist_ok=True)
        with locked(eggs_directory, egg_name):
            if os.path.isdir(os.path.join(eggs_directory, egg_name)):
                return False
            shutil.rmtree(staged, ignore_errors=True)  # a killed run's: we hold the lock
            if not egg_cache.link_unchanged(entry, staged, made_now=True):
                return False
            if archive_sha256 is not None:
                _add_archive_record(staged, archive_sha256)
            ahead = _ahead_path(entry, eggs_directory)
            shutil.rmtree(ahead, ignore_errors=True)  # a killed run's (or another's), from the same entry
            os.rename(staged, ahead)
    except (OSError, UserError):
        shutil.rmtree(staged, ignore_errors=True)
        return False
    return True


def place_linked_ahead(entry: str, name: str, version: str, eggs_directory: str,
                       egg_cache: EggCache) -> InstalledDistribution | None:
    """Install ``name`` ``version`` by renaming the egg :func:`link_ahead` linked from ``entry``;
    ``None`` if that egg is gone (another buildout of the same user linked the same egg ahead
    meanwhile, under the same name, and removed it: its resolution failed)."""
    egg_name = egg_cache.egg_name(entry)
    result = InstalledDistribution(name, version, os.path.join(eggs_directory, egg_name), False)
    ahead = _ahead_path(entry, eggs_directory)
    with locked(eggs_directory, egg_name):
        if os.path.isdir(result.location):
            shutil.rmtree(ahead, ignore_errors=True)
            return result
        try:
            os.rename(ahead, result.location)
        except FileNotFoundError:
            return None
    return result


def discard_linked_ahead(entry: str, eggs_directory: str, egg_cache: EggCache) -> None:
    """Remove the egg :func:`link_ahead` linked from ``entry``, not installed after all."""
    with locked(eggs_directory, egg_cache.egg_name(entry)):
        shutil.rmtree(_ahead_path(entry, eggs_directory), ignore_errors=True)


def _egg_of(wheel_path: str, spelled: tuple[str, str] | None = None) -> tuple[str, str, str]:
    """Name, version and egg directory name of a wheel (its name and version read unless ``spelled``)."""
    from packaging.utils import parse_wheel_filename  # start-up: linking a cached egg needs no wheel

    name, version = spelled or wheel_metadata(wheel_path)
    tags = parse_wheel_filename(os.path.basename(wheel_path))[3]
    return name, version, egg_directory_name(name, version, [tag.platform for tag in tags])


def _make_egg(wheel_path: str, target: str, compiler: Compiler | None, archive_sha256: str | None,
              byte_compile: bool, path: str, *, read_only: bool = False) -> None:
    """Install the wheel at ``path`` on ``compiler``'s workers, compiled as if it were at ``target`` (its files,
    compiled ones too, ``read_only`` if so)."""
    from zc.buildout.dists.install.compiler import Compiler  # start-up: worker processes unpack without one

    record = {} if archive_sha256 is None else {ARCHIVE_RECORD: f"{archive_sha256.lower()}\n"}
    with contextlib.ExitStack() as stack:
        workers = compiler or stack.enter_context(Compiler())
        workers.unpack(wheel_path, path, record, read_only=read_only)
        if byte_compile:
            workers.compile_tree(path, target)


def _rename(staged: str, target: str, name: str, version: str) -> None:
    try:
        os.rename(staged, target)
    except OSError:
        if not _holds(target, name, version):
            raise UserError(
                f"Couldn't install {name} {version}: {target} exists and holds something else.",
                hint="Remove that directory and run buildout again.",
            ) from None
        logger.warning("%s was installed by another buildout meanwhile; using it.", target)

