"""Picked files to installed distributions: concurrent downloads, the download cache, sdist builds.

Each picked file is fetched (from the download cache when it has it, into it
when set), checked against the index's sha256, built into a wheel when it is
an sdist (the built wheel is kept in the download cache), and installed into
the eggs directory (a zipped egg is unpacked as it is): each egg is unpacked and byte-compiled by worker
processes on all processors, while other files download. With a
download cache, the installed egg is kept in the cache too
(:mod:`~zc.buildout.dists.store.egg_cache`) and linked from there, so installing it
again needs no unpacking and no compiling (nor the wheel: the entry is found
by the wheel's digest); a wheel downloaded while resolving has its egg made
there before it is asked for. Files are handled
concurrently; the log tells about them in the order they were picked.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import errno
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from zc.buildout.dists.install import wheel
from zc.buildout.dists.install.compiler import Compiler
from zc.buildout.dists.install.progress import Progress, terminal_progress
from zc.buildout.dists.store.archive_cache import built_wheel, sha256_of, using_archive
from zc.buildout.dists.store.egg_cache import EggCache
from zc.buildout.dists.store.eggs import InstalledDistribution, InstalledEggs
from zc.buildout.errors import UserError
from zc.buildout.net.httpclient import local_path

if TYPE_CHECKING:
    import tempfile

    from zc.buildout.dists.build.isolation import BuildEnvironments
    from zc.buildout.dists.metadata import Metadata
    from zc.buildout.dists.settings import InstallerSettings
    from zc.buildout.net.httpclient import HTTPClient

__all__ = ["Fetcher", "PickedFile", "materialise"]

logger = logging.getLogger("zc.buildout")

_T = TypeVar("_T")

_WORKERS = 8
_PREPARE_WORKERS = 4

_UNWRITABLE = frozenset((errno.EROFS, errno.EACCES, errno.EPERM))
"""What an eggs directory that cannot be written to fails with."""


@dataclasses.dataclass(frozen=True)
class PickedFile:
    """A file the resolver chose to install."""

    name: str
    version: str
    filename: str
    url: str
    """``http(s)://``, ``file://`` or a local path."""
    sha256: str | None = None
    requirement: str | None = None
    """What ``Getting distribution for '...'`` names (the name when not given)."""


class Fetcher:
    """Obtains and installs picked files for one installation; use it as a context manager.

    :meth:`materialise` installs; :meth:`prepare` starts making the egg of a
    wheel downloaded while resolving, in the egg cache, before it is asked
    for; :meth:`alongside` runs other work of the installation beside them. Threads, compiling processes and scratch files are made when first
    needed, and removed by :meth:`close`.
    """

    def __init__(self, settings: InstallerSettings, client: HTTPClient,
                 environments: Callable[[], BuildEnvironments] | None = None) -> None:
        self.settings = settings
        self.client = client
        self._environments = environments
        """Makes where sdists are built (by default, with buildout's environment only)."""
        self.compiler = Compiler()
        self.egg_cache = (None if settings.download_cache is None else EggCache.in_download_cache(
            settings.download_cache, compiled=settings.byte_compile, work=self.compiler))
        self._lock = threading.Lock()
        self._closed = False
        self._pools: dict[str, concurrent.futures.ThreadPoolExecutor] = {}
        self._prepared: dict[str, concurrent.futures.Future[str | None]] = {}
        """The egg cache entries being made ahead, by the digest of their wheels."""
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._entries: dict[str, str] | None = None
        """The egg cache's entries by digest, listed once."""
        self._ahead: dict[str, str] = {}
        """The entries whose eggs were linked ahead and are not installed yet, by the digest of their wheels."""

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop preparing, wait for the work under way, remove scratch files."""
        with self._lock:
            self._closed = True
            pools, self._pools = self._pools, {}
        for pool in pools.values():
            pool.shutdown(cancel_futures=True)
        for entry in self._ahead.values():  # not installed: the resolution failed, or chose otherwise
            assert self.egg_cache is not None
            with contextlib.suppress(OSError):  # left for the next run linking it ahead
                wheel.discard_linked_ahead(entry, self.settings.eggs_directory, self.egg_cache)
        self.compiler.close()
        if self._scratch is not None:
            self._scratch.cleanup()

    def prepare(self, filename: str, path: str, sha256: str | None,
                metadata: Callable[[], Metadata | None] | None = None, *, pinned: bool = False) -> None:
        """Start making the egg of the wheel at ``path`` in the egg cache: it is likely needed.

        Only with a download cache, and for a wheel whose digest is known;
        a failure is left for installing to meet (and report) again.
        ``metadata()``, the wheel's core metadata when it was read (called
        in the thread that makes the egg), spares reading its name and
        version (the egg directory's) from the wheel. A ``pinned`` version
        is sure to be installed if the resolution holds: its egg is linked
        into the eggs directory too, under a hidden name, and installing it
        is a rename (:func:`~zc.buildout.dists.install.wheel.link_ahead`).
        """
        if self.egg_cache is None or sha256 is None or not filename.endswith(".whl"):
            return
        key = sha256.lower()
        with self._lock:
            if not self._closed and key not in self._prepared:
                self._prepared[key] = self._pool("prepare", _PREPARE_WORKERS).submit(
                    self._prepare, path, key, metadata, pinned)

    def _prepare(self, path: str, sha256: str, metadata: Callable[[], Metadata | None] | None,
                 pinned: bool) -> str | None:
        """The egg cache entry of the wheel at ``path``, made if need be; ``None`` if that failed."""
        assert self.egg_cache is not None
        try:
            known = None if metadata is None else metadata()
            name, version = (known.get("Name"), known.get("Version")) if known else (None, None)
            spelled = (name, version) if name and version else None
            entry, ahead = wheel.cached_egg(path, self.settings.eggs_directory, self.egg_cache, sha256,
                                            self.compiler, self.settings.byte_compile, spelled=spelled,
                                            ahead=pinned)
            if ahead:
                with self._lock:
                    self._ahead[sha256] = entry
            return entry
        except Exception:
            logger.debug("Preparing the egg of %s failed", path, exc_info=True)
            return None

    def alongside(self, function: Callable[..., _T], *args: object) -> concurrent.futures.Future[_T]:
        """``function(*args)``, called in one of the installing threads (while others install)."""
        with self._lock:
            return self._pool("install", _WORKERS).submit(function, *args)

    def _pool(self, kind: str, workers: int) -> concurrent.futures.ThreadPoolExecutor:
        """The thread pool for ``kind`` of work (the caller holds the lock)."""
        pool = self._pools.get(kind)
        if pool is None:
            pool = self._pools[kind] = concurrent.futures.ThreadPoolExecutor(
                workers, thread_name_prefix=f"buildout-{kind}")
        return pool

    def workers(self) -> Compiler:
        """The worker processes, started now (a big index page may go to one before anything is installed)."""
        self.compiler.start()
        return self.compiler

    @property
    def scratch(self) -> str:
        with self._lock:
            if self._scratch is None:
                import tempfile  # start-up: only downloads without a download cache, and builds

                self._scratch = tempfile.TemporaryDirectory(prefix="buildout-fetch-")
            return self._scratch.name

    @property
    def cache(self) -> str | None:
        return self.settings.archive_cache

    def materialise(self, files: Sequence[PickedFile], progress: Progress | None = None
                    ) -> list[InstalledDistribution]:
        """See :func:`materialise`."""
        settings = self.settings
        if settings.install_from_cache and settings.download_cache is None:
            raise UserError("install-from-cache is on, but there is no download-cache.",
                            hint="Set the download-cache option of [buildout].")
        environment = InstalledEggs(settings.eggs_directory, settings.develop_eggs_directory)
        results: list[InstalledDistribution | None] = [
            _already_installed(picked, environment) for picked in files
        ]
        missing = [index for index, dist in enumerate(results) if dist is None]
        if not missing:
            return [dist for dist in results if dist is not None]
        progress = progress or terminal_progress(len(missing))
        with self._lock:
            pool = self._pool("install", _WORKERS)
        futures = {index: pool.submit(self.install, files[index], progress) for index in missing}
        try:
            for index in missing:
                picked = files[index]
                _log(progress, "Getting distribution for %r.", picked.requirement or picked.name)
                dist = results[index] = futures[index].result()
                _log(progress, "Got %s %s.", dist.name, dist.version)
        finally:
            for future in futures.values():
                future.cancel()
            progress.clear()
        return [dist for dist in results if dist is not None]

    def install(self, picked: PickedFile, progress: Progress) -> InstalledDistribution:
        """Obtain one picked file and install it (or link the egg the egg cache keeps of it)."""
        with self._into_eggs_directory(picked):
            dist = self._linked_from_cache(picked)
        if dist is None:
            with self.archive(picked, progress) as archive, self._into_eggs_directory(picked):
                dist = self._install_from(picked, archive)
        progress.file_done()
        return dist

    @contextlib.contextmanager
    def _into_eggs_directory(self, picked: PickedFile) -> Iterator[None]:
        """Report an eggs directory that cannot be written to as a user's error."""
        try:
            yield
        except OSError as error:
            if error.errno not in _UNWRITABLE:
                raise
            raise UserError(
                f"Cannot install {picked.name} {picked.version} into the eggs directory"
                f" {self.settings.eggs_directory} ({error.strerror}).",
                hint="Make [buildout] eggs-directory writable, or set it to a directory you can write to.",
            ) from None

    def _linked_from_cache(self, picked: PickedFile) -> InstalledDistribution | None:
        """The egg of a picked wheel linked from the egg cache entry of its digest, if there is one.

        That is an entry there before, or one made ahead in this run (:meth:`prepare`).
        """
        if self.egg_cache is None or picked.sha256 is None or not picked.filename.endswith(".whl"):
            return None
        digest = picked.sha256.lower()
        with self._lock:
            if self._entries is None:
                self._entries = self.egg_cache.by_digest()
            entry = self._entries.get(digest[:16])
            prepared = self._prepared.get(digest)
        made_now = False
        if entry is None and prepared is not None and not prepared.cancelled():
            entry, made_now = prepared.result(), True  # never fails: None when making the entry did
        if entry is None:
            return None
        with self._lock:
            ahead = self._ahead.pop(digest, None)
        placed = None if ahead is None else wheel.place_linked_ahead(
            ahead, picked.name, picked.version, self.settings.eggs_directory, self.egg_cache)
        return placed or wheel.link_cached_egg(entry, picked.name, picked.version, self.settings.eggs_directory,
                                               self.egg_cache, picked.sha256.lower(), made_now=made_now)

    def _install_from(self, picked: PickedFile, archive: str) -> InstalledDistribution:
        source = (picked.sha256 or sha256_of(archive)).lower()  # checked by archive() when known
        digest: str | None = source
        if picked.filename.endswith(".egg"):
            from zc.buildout.dists.install.egg import install_egg  # start-up: eggs are rare

            return install_egg(archive, self.settings.eggs_directory, compiler=self.compiler,
                               archive_sha256=source, byte_compile=self.settings.byte_compile)
        if not picked.filename.endswith(".whl"):
            archive, digest = self.built_wheel(picked, archive), None
        if self.egg_cache is not None:
            digest = digest or sha256_of(archive)
            prepared = self._prepared.get(digest)
            if prepared is not None and not prepared.cancelled():
                prepared.result()  # never fails: installing meets again what it met
        return wheel.install_wheel(archive, self.settings.eggs_directory, compiler=self.compiler,
                                   egg_cache=self.egg_cache, sha256=digest, archive_sha256=source,
                                   byte_compile=self.settings.byte_compile)

    @contextlib.contextmanager
    def archive(self, picked: PickedFile, progress: Progress) -> Iterator[str]:
        """A local, checked copy of the picked file; one in the download cache is locked meanwhile."""
        local = local_path(picked.url)
        if self.cache is None:
            if local is not None:
                self.check(picked, local)
                yield local
                return
            target = os.path.join(_scratch_directory(self.scratch), picked.filename)
            self.client.download(picked.url, target, sha256=picked.sha256,
                                 progress=progress.add_bytes)
            yield target
            return

        def download(cached: str) -> None:
            if self.settings.install_from_cache and local != cached:
                raise UserError(
                    f"Couldn't find {picked.filename} in the download cache {self.cache}.",
                    hint="install-from-cache is on: buildout installs only what the cache holds.",
                )
            self.client.download(picked.url, cached, sha256=picked.sha256,
                                 progress=progress.add_bytes)

        with using_archive(self.cache, picked.filename, picked.sha256, download) as path:
            yield path

    def check(self, picked: PickedFile, path: str) -> None:
        if picked.sha256 is not None and sha256_of(path) != picked.sha256.lower():
            raise UserError(
                f"SHA256 checksum mismatch for {path}: expected {picked.sha256}.",
                hint="The file is not the one the index describes.",
            )

    def built_wheel(self, picked: PickedFile, sdist: str) -> str:
        """A wheel built from the sdist, kept in the download cache when there is one."""

        def build_into(output: str) -> str:
            from zc.buildout.dists.build import frontend  # start-up: only sdists are built
            from zc.buildout.dists.build.isolation import BuildEnvironments  # start-up: as frontend

            environments = (BuildEnvironments(self.settings) if self._environments is None
                            else self._environments())
            return frontend.build_wheel(sdist, output, environments,
                                        description=f"{picked.name} {picked.version}")

        if self.cache is None:
            return build_into(_scratch_directory(self.scratch))
        return built_wheel(self.cache, sdist, build_into)


def _scratch_directory(scratch: str) -> str:
    """A new directory in the scratch directory ``scratch``."""
    import tempfile  # start-up: see Fetcher.scratch

    return tempfile.mkdtemp(dir=scratch)


def _already_installed(picked: PickedFile, environment: InstalledEggs) -> InstalledDistribution | None:
    for dist in environment.find(picked.name):
        if not dist.develop and dist.version == picked.version:
            return dist
    return None


def materialise(
    files: Sequence[PickedFile],
    settings: InstallerSettings,
    client: HTTPClient,
    *,
    progress: Progress | None = None,
) -> list[InstalledDistribution]:
    """Install the picked files into the eggs directory; return them in the same order.

    Distributions already in the eggs directory are reused. Logs
    ``Getting distribution for '<requirement>'.`` and ``Got <name> <version>.``
    for each file installed, in the order given.
    """
    with Fetcher(settings, client) as fetcher:
        return fetcher.materialise(files, progress)


def _log(progress: Progress, message: str, *args: object) -> None:
    progress.clear()
    logger.info(message, *args)
    progress.redraw()
