"""What installations do with the lock file: take its pins, make its entries, check ``--locked``.

Develop projects are never locked, nor buildout's own distributions unless
a part's distribution requires them. For the others, an entry lists every
file of the version the index offers. An egg records the digest of the
archive it was made from (:data:`~zc.buildout.dists.store.eggs.ARCHIVE_RECORD`
in its ``.dist-info``), so that ``--locked`` checks installed eggs too.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from zc.buildout.dists.lock.file import Lock, LockedDistribution, LockedFile
from zc.buildout.dists.settings import Pin
from zc.buildout.dists.store.eggs import ARCHIVE_RECORD
from zc.buildout.errors import UserError

if TYPE_CHECKING:
    from zc.buildout.dists.find.index import Finder
    from zc.buildout.dists.find.pages import DistributionFile
    from zc.buildout.dists.resolve.candidates import Installed
    from zc.buildout.dists.resolve.result import Resolved

__all__ = [
    "archive_digest",
    "check",
    "check_files",
    "entries",
    "expected_sha256",
    "lockable",
    "with_fetched_archives",
    "with_lock_pins",
]


def with_lock_pins(pins: Mapping[str, Pin], lock: Lock) -> dict[str, Pin]:
    """``pins`` with the lock's versions as exact pins, located at their lines of the lock file.

    A ``[versions]`` pin the locked version does not satisfy wins: the lock
    is out of date there.
    """
    merged = dict(pins)
    for key, dist in lock.distributions.items():
        pin = pins.get(key)
        if pin is None or pin.specifier_set.contains(dist.version, prereleases=True):
            merged[key] = Pin(dist.name, f"=={dist.version}", dist.location)
    return merged


def lockable(resolved: Sequence[Resolved], own: Mapping[str, Installed], *,
             in_process: bool = False) -> list[Resolved]:
    """The distributions of ``resolved`` that belong in a lock.

    Develop projects do not. The running copy of one of buildout's own
    distributions (``own``, by canonical name) does only where a part's code
    uses it: where a distribution that is not buildout's requires it, or a
    part asks for it (not ``in_process``, for buildout's own process).
    """
    def used_by_parts(dist: Resolved) -> bool:
        if not dist.required_by:
            return not in_process
        return any(canonicalize_name(by.partition("==")[0]) not in own for by in dist.required_by)

    def running_own(dist: Resolved) -> bool:
        return dist.installed is not None and dist.installed is own.get(canonicalize_name(dist.name))

    return [dist for dist in resolved
            if not (dist.installed is not None and dist.installed.develop)
            and (not running_own(dist) or used_by_parts(dist))]


def entries(
    dists: Sequence[Resolved],
    lock: Lock,
    finder: Callable[[], Finder] | None,
) -> list[LockedDistribution]:
    """The lock entries of ``dists``.

    The files of a version the lock does not have yet are the ones the
    index and find-links offer, when there is a ``finder`` (not offline):
    their pages are read concurrently.
    """
    def known(dist: Resolved) -> tuple[LockedFile, ...]:
        old = lock.get(dist.name)
        return old.files if old is not None and old.version == str(dist.version) else ()

    if finder is not None:
        for dist in dists:
            if not known(dist):
                finder().prefetch(dist.name)
    found = []
    for dist in dists:
        version = str(dist.version)
        files = known(dist)
        if not files and finder is not None:
            files = tuple(sorted(_offered(finder(), dist.name, version)))
        found.append(LockedDistribution(dist.name, version, files))
    return found


def with_fetched_archives(
    found: Sequence[LockedDistribution],
    resolved: Sequence[Resolved],
    installed: Sequence[Installed],
) -> list[LockedDistribution]:
    """``found``, each entry also naming the file just installed if it does not yet.

    That is a file whose page gave no digest, or one published after its
    version was locked. The digest is the one the new egg recorded for its
    archive (checked against the index's, when the index gave one).
    """
    fetched = {canonicalize_name(dist.name): (dist.file, egg)
               for dist, egg in zip(resolved, installed) if dist.file is not None}
    result = []
    for entry in found:
        file, egg = fetched.get(entry.key, (None, None))
        if file is not None and egg is not None and file.filename not in {f.filename for f in entry.files}:
            digest = archive_digest(egg)
            if digest is not None:
                entry = dataclasses.replace(
                    entry, files=tuple(sorted((*entry.files, LockedFile.of(file.url, digest)))))
        result.append(entry)
    return result


def _offered(finder: Finder, name: str, version: str) -> Iterator[LockedFile]:
    """The files of ``name`` ``version`` the index and find-links offer (not the download cache's)."""
    from zc.buildout.dists.store.archive_cache import sha256_of  # start-up: only new lock entries need it
    from zc.buildout.net.httpclient import local_path  # start-up: only new lock entries need it

    cached = {file.url for file in finder.cached(name)}
    for file in finder.files(name):
        if str(file.version) != version or file.url in cached:
            continue
        digest = file.sha256
        path = local_path(file.url)
        if digest is None and path is not None:
            digest = sha256_of(path)
        if digest:
            yield LockedFile.of(file.url, digest)


def check(dists: Sequence[Resolved], lock: Lock, own: Mapping[str, Installed]) -> None:
    """Refuse, in one error naming every one, the distributions the lock does not hold as they are.

    Of the running copies of buildout's own distributions (``own``, by
    canonical name), only the version is checked: they are not installed
    from files.
    """
    check_files(dists, lock)
    problems = []
    for dist in dists:
        locked = lock.get(dist.name)
        if locked is None:
            problems.append(f"{dist.name} {dist.version} is not in the lock.")
        elif locked.version != str(dist.version):
            problems.append(f"{dist.name} {dist.version} is not the locked version {locked.version}"
                            f" ({locked.location}).")
        elif dist.installed is not None and dist.installed is own.get(canonicalize_name(dist.name)):
            continue
        elif not locked.files:
            problems.append(f"The lock holds no files of {dist.name} {dist.version}.")
        elif dist.file is not None:
            problems += _file_problems(dist.file, locked, strict=True)
        elif dist.installed is not None:
            digest = archive_digest(dist.installed)
            if digest is None:
                problems.append(f"Nothing records which archive the installed {dist.name}"
                                f" {dist.version} was made from: remove {dist.installed.location}"
                                " to install it again.")
            elif digest not in locked.digests:
                problems.append(f"The installed {dist.name} {dist.version} was made from an"
                                f" archive that is not in the lock: remove {dist.installed.location}"
                                " to install it again.")
    if problems:
        raise UserError(
            "\n".join([*problems, f"The lock file {lock.path} does not match, and --locked is on."]),
            hint="Run buildout without --locked to bring the lock up to date, and review the change.",
        )


def check_files(dists: Sequence[Resolved], lock: Lock) -> None:
    """Refuse files the index offers under a locked file's name with another digest."""
    problems: dict[str, list[str]] = {}
    for dist in dists:
        locked = lock.get(dist.name)
        if dist.file is not None and locked is not None and locked.version == str(dist.version):
            found = _file_problems(dist.file, locked, strict=False)
            if found:
                problems[dist.name] = found
    if problems:
        raise UserError(
            "\n".join(line for lines in problems.values() for line in lines),
            hint=f"If the new files are to be trusted, remove the lines of {', '.join(problems)}"
                 f" from {lock.path}.",
        )


def _file_problems(file: DistributionFile, locked: LockedDistribution, *, strict: bool) -> list[str]:
    """Why ``file`` is not a locked file of ``locked`` (one it does not name counts when ``strict``)."""
    expected = _expected(locked, file)
    if expected is None:
        return [f"{file.filename} is not one of the locked files of {locked.name}."] if strict else []
    if file.sha256 is not None and file.sha256.lower() != expected:
        return [f"{file.filename} on the index is not the locked file: its sha256 is {file.sha256},"
                f" the lock's {expected}."]
    return []


def expected_sha256(lock: Lock, file: DistributionFile) -> str | None:
    """The digest the lock holds for ``file`` (``None`` when it holds none)."""
    locked = lock.get(file.name)
    return None if locked is None else _expected(locked, file)


def _expected(locked: LockedDistribution, file: DistributionFile) -> str | None:
    for candidate in locked.files:
        if candidate.filename == file.filename:
            return candidate.sha256
    return None


def archive_digest(installed: Installed) -> str | None:
    """The digest of the archive an installed egg was made from, when the egg recorded it."""
    try:
        path = os.path.join(installed.metadata.path, ARCHIVE_RECORD)
        with open(path, encoding="ascii") as file:
            return file.read().strip().lower() or None
    except (OSError, UnicodeDecodeError):
        return None
