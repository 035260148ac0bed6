"""Picked files to installed distributions: concurrent downloads, the download cache, sdist builds.

Each picked file is fetched (from the download cache when it has it, into it
when set), checked against the index's sha256, built into a wheel when it is
an sdist (the built wheel is kept in the download cache), and installed into
the eggs directory. Files are handled concurrently; the log tells about them
in the order they were picked. The new eggs are byte-compiled together at
the end, on all processors.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import email.message
import email.parser
import hashlib
import logging
import os
import shutil
import sysconfig
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from packaging.tags import sys_tags
from packaging.utils import parse_wheel_filename

from zc.buildout.dists import build, wheel
from zc.buildout.dists.environment import Environment, InstalledDistribution
from zc.buildout.dists.progress import Progress, terminal_progress
from zc.buildout.errors import UserError

if TYPE_CHECKING:
    from zc.buildout.dists.settings import InstallerSettings
    from zc.buildout.httpclient import HTTPClient

__all__ = ["PickedFile", "materialise", "sdist_metadata", "sha256_of"]

logger = logging.getLogger("zc.buildout")

_WORKERS = 8


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


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _cache_lock(directory: str, filename: str) -> Iterator[None]:
    from filelock import FileLock

    locks = os.path.join(directory, ".locks")
    os.makedirs(locks, exist_ok=True)
    with FileLock(os.path.join(locks, f"{filename}.lock")):
        yield


@dataclasses.dataclass
class _Fetcher:
    """Obtains and installs one picked file at a time; shared by the worker threads."""

    settings: InstallerSettings
    client: HTTPClient
    scratch: str
    progress: Progress

    @property
    def cache(self) -> str | None:
        if self.settings.download_cache is None:
            return None
        return os.path.join(self.settings.download_cache, "dist")

    def install(self, picked: PickedFile) -> InstalledDistribution:
        archive = self.archive(picked)
        if not picked.filename.endswith(".whl"):
            archive = self.built_wheel(picked, archive)
        dist = wheel.install_wheel(archive, self.settings.eggs_directory, compile=False)
        self.progress.file_done()
        return dist

    def archive(self, picked: PickedFile) -> str:
        """A local, checked copy of the picked file."""
        from zc.buildout.httpclient import local_path

        local = local_path(picked.url)
        if self.cache is None:
            if local is not None:
                self.check(picked, local)
                return local
            target = os.path.join(tempfile.mkdtemp(dir=self.scratch), picked.filename)
            self.client.download(picked.url, target, sha256=picked.sha256,
                                 progress=self.progress.add_bytes)
            return target
        os.makedirs(self.cache, exist_ok=True)
        cached = os.path.join(self.cache, picked.filename)
        with _cache_lock(self.cache, picked.filename):
            if os.path.exists(cached) and self.matches(picked, cached):
                return cached
            if self.settings.install_from_cache and local != cached:
                raise UserError(
                    f"Couldn't find {picked.filename} in the download cache {self.cache}.",
                    hint="install-from-cache is on: buildout installs only what the cache holds.",
                )
            self.client.download(picked.url, cached, sha256=picked.sha256,
                                 progress=self.progress.add_bytes)
        return cached

    def matches(self, picked: PickedFile, path: str) -> bool:
        return picked.sha256 is None or sha256_of(path) == picked.sha256.lower()

    def check(self, picked: PickedFile, path: str) -> None:
        if not self.matches(picked, path):
            raise UserError(
                f"SHA256 checksum mismatch for {path}: expected {picked.sha256}.",
                hint="The file is not the one the index describes.",
            )

    def built_wheel(self, picked: PickedFile, sdist: str) -> str:
        """A wheel built from the sdist, kept in the download cache when there is one."""
        if self.cache is None:
            output = tempfile.mkdtemp(dir=self.scratch)
            return build.build_wheel(sdist, output, self.settings,
                                     description=f"{picked.name} {picked.version}")
        built = os.path.join(self.cache, ".built", sha256_of(sdist))
        os.makedirs(built, exist_ok=True)
        with _cache_lock(self.cache, f"{picked.filename}.build"):
            found = _compatible_wheel(built)
            if found is not None:
                return found
            output = tempfile.mkdtemp(prefix=".build-", dir=built)
            try:
                path = build.build_wheel(sdist, output, self.settings,
                                         description=f"{picked.name} {picked.version}")
                target = os.path.join(built, os.path.basename(path))
                os.replace(path, target)
            finally:
                shutil.rmtree(output, ignore_errors=True)
        return target


def _compatible_wheel(directory: str) -> str | None:
    supported = set(sys_tags())
    for entry in sorted(os.listdir(directory)):
        if entry.endswith(".whl") and supported & set(parse_wheel_filename(entry)[3]):
            return os.path.join(directory, entry)
    return None


def _already_installed(picked: PickedFile, environment: Environment) -> InstalledDistribution | None:
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
    if settings.install_from_cache and settings.download_cache is None:
        raise UserError("install-from-cache is on, but there is no download-cache.",
                        hint="Set the download-cache option of [buildout].")
    environment = Environment(settings.eggs_directory, settings.develop_eggs_directory)
    results: list[InstalledDistribution | None] = [
        _already_installed(picked, environment) for picked in files
    ]
    missing = [index for index, dist in enumerate(results) if dist is None]
    if not missing:
        return [dist for dist in results if dist is not None]
    progress = progress or terminal_progress(len(missing))
    with tempfile.TemporaryDirectory(prefix="buildout-fetch-") as scratch, \
            concurrent.futures.ThreadPoolExecutor(min(_WORKERS, len(missing))) as pool:
        fetcher = _Fetcher(settings, client, scratch, progress)
        futures = {index: pool.submit(fetcher.install, files[index]) for index in missing}
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
    wheel.compile_eggs(dist.location for index, dist in enumerate(results)
                       if dist is not None and index in missing)
    return [dist for dist in results if dist is not None]


def _log(progress: Progress, message: str, *args: object) -> None:
    progress.clear()
    logger.info(message, *args)
    progress.redraw()



def _reliable_pkg_info(sdist: str) -> email.message.Message | None:
    """The sdist's ``PKG-INFO`` when it is metadata 2.2+ with static requirements."""
    from packaging.version import InvalidVersion, Version

    text = _pkg_info_text(sdist)
    if text is None:
        return None
    message = email.parser.HeaderParser().parsestr(text)
    try:
        reliable = Version(message.get("Metadata-Version", "1.0")) >= Version("2.2")
    except InvalidVersion:
        return None
    dynamic = {field.lower() for field in message.get_all("Dynamic", [])}
    return message if reliable and "requires-dist" not in dynamic else None


def _pkg_info_text(sdist: str) -> str | None:
    import tarfile
    import zipfile

    try:
        if sdist.endswith(".zip"):
            with zipfile.ZipFile(sdist) as archive:
                names = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith("/PKG-INFO")]
                return archive.read(names[0]).decode("utf-8", "replace") if names else None
        with tarfile.open(sdist) as tar:
            members = [m for m in tar.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")]
            file = tar.extractfile(members[0]) if members else None
            return file.read().decode("utf-8", "replace") if file else None
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as error:
        raise UserError(f"Couldn't read {sdist}: {error}") from None


def sdist_metadata(path: str, settings: InstallerSettings) -> email.message.Message:
    """The core metadata of an sdist.

    ``PKG-INFO`` when it is reliable (metadata 2.2 or later, requirements not
    dynamic), else what the build backend prepares; that result is kept (in
    the download cache, or in the eggs directory) keyed by the sdist's digest
    and the Python, so it is computed once.
    """
    found = _reliable_pkg_info(path)
    if found is not None:
        return found
    from zc.buildout.dists.buildenv import private_directory
    from zc.buildout.dists.environment import python_tag

    if settings.download_cache is not None:
        cache = os.path.join(settings.download_cache, "dist", ".metadata")
        os.makedirs(cache, exist_ok=True)
    else:
        cache = private_directory(settings, "metadata")
    key = os.path.join(cache, f"{sha256_of(path)}-{python_tag()}-{sysconfig.get_platform()}")
    if not os.path.exists(key):
        with tempfile.TemporaryDirectory(prefix="buildout-metadata-") as output:
            info = build.prepare_metadata(path, output, settings,
                                          description=os.path.basename(path))
            descriptor, staged = tempfile.mkstemp(prefix=".tmp-", dir=cache)
            os.close(descriptor)
            shutil.copyfile(os.path.join(info, "METADATA"), staged)
            os.replace(staged, key)
    with open(key, encoding="utf-8") as file:
        return email.parser.HeaderParser().parse(file)
