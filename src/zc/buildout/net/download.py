"""The ``Download`` API recipes use: URL -> local file, download cache, checksums.

Published as :mod:`zc.buildout.download`, with the names recipes import
beside it (the HTTP client's errors, unpacking archives).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import urllib.parse
from collections.abc import Mapping

from zc.buildout.errors import UserError
from zc.buildout.net.credentials import redact_url
from zc.buildout.net.httpclient import ChecksumError, DownloadError, HTTPClient, local_path
from zc.buildout.net.timeouts import socket_timeout

__all__ = ["Download", "check_md5sum", "check_sha256", "locate_at", "remove"]


class Download:
    """Fetch resources for a recipe, optionally through a download cache.

    ``options`` is a mapping like the ``[buildout]`` section: its
    ``download-cache`` (relative to its ``directory``), ``offline``,
    ``install-from-cache`` and ``socket-timeout`` are read when the
    corresponding argument is left at its default. ``cache=None`` turns the
    cache off; ``namespace`` names a subdirectory of the cache;
    ``hash_name=True`` files cached resources under the md5 of their URL
    rather than their file name; ``fallback=True`` always tries a fresh
    download but falls back to the cached copy when that fails.
    """

    def __init__(
        self,
        options: Mapping[str, str] | None = None,
        cache: str | None | int = -1,
        namespace: str | None = None,
        offline: bool | int = -1,
        fallback: bool = False,
        hash_name: bool = False,
        logger: logging.Logger | None = None,
        *,
        client: HTTPClient | None = None,
    ) -> None:
        options = options if options is not None else {}
        self.directory = options.get("directory", "")
        if cache == -1:
            cache = options.get("download-cache") or None
        self.download_cache = (
            os.path.realpath(os.path.join(self.directory, str(cache))) if cache else None
        )
        self.namespace = namespace
        if offline == -1:
            offline = "true" in (options.get("offline"), options.get("install-from-cache"))
        self.offline = bool(offline)
        self.fallback = fallback
        self.hash_name = hash_name
        self.logger = logger if logger is not None else logging.getLogger("zc.buildout")
        if client is None:
            client = HTTPClient(timeout=socket_timeout(options.get("socket-timeout") or ""))
        self.client = client

    @property
    def cache_dir(self) -> str | None:
        """Where this downloader's cached files live (without a namespace, the cache with a trailing separator, as upstream), or ``None``."""
        if self.download_cache is None:
            return None
        return os.path.join(self.download_cache, self.namespace or "")

    def __call__(
        self,
        url: str,
        md5sum: str | None = None,
        path: str | None = None,
        *,
        sha256: str | None = None,
    ) -> tuple[str, bool]:
        """Fetch ``url``; return ``(local path, is_temp)``.

        When ``is_temp`` is true the caller owns a temporary file and must
        remove it. With ``path`` the resource is put there.
        """
        if self.download_cache is not None:
            local, is_temp = self.download_cached(url, md5sum, sha256=sha256)
        else:
            local, is_temp = self.download(url, md5sum, path, sha256=sha256)
        return locate_at(local, path), is_temp

    def download_cached(
        self, url: str, md5sum: str | None = None, *, sha256: str | None = None
    ) -> tuple[str, bool]:
        """Fetch ``url`` through the cache; return ``(path in the cache, False)``."""
        assert self.download_cache is not None and self.cache_dir is not None
        if not os.path.isdir(self.download_cache):
            raise UserError(
                f"The directory:\n{self.download_cache!r}\n"
                "to be used as a download cache doesn't exist.\n"
            )
        os.makedirs(self.cache_dir, exist_ok=True)
        self.logger.debug("Searching cache at %s", self.cache_dir)
        cached = os.path.join(self.cache_dir, self.filename(url))
        shown = redact_url(url)
        if not os.path.exists(cached):
            self.logger.debug("Cache miss; will cache %s as %s", shown, cached)
            return self.download(url, md5sum, cached, sha256=sha256)
        if self.fallback:
            try:
                self.download(url, md5sum, cached, sha256=sha256)
            except ChecksumError:
                raise
            except (UserError, OSError) as error:
                self.logger.debug("Using the cached copy of %s: %s", shown, error)
        kind = _mismatch(cached, md5sum, sha256)
        if kind:
            raise ChecksumError(
                f"{kind} checksum mismatch for cached download from {shown!r} at {cached!r}",
                url=url,
            )
        self.logger.debug("Using cache file %s", cached)
        return cached, False

    def download(
        self,
        url: str,
        md5sum: str | None = None,
        path: str | None = None,
        *,
        sha256: str | None = None,
    ) -> tuple[str, bool]:
        """Fetch ``url`` without the cache; return ``(path, is_temp)``."""
        shown = redact_url(url)
        source = local_path(url)
        if source is not None:
            self.logger.debug("Using local resource %s", url)
            if not os.path.exists(source):
                raise DownloadError(f"Couldn't find the local resource {source!r}.", url=url)
            kind = _mismatch(source, md5sum, sha256)
            if kind:
                raise ChecksumError(
                    f"{kind} checksum mismatch for local resource at {source!r}.", url=url
                )
            return locate_at(source, path), False
        if self.offline:
            raise UserError(f"Couldn't download {shown!r} in offline mode.")
        self.logger.info("Downloading %s", shown)
        directory = os.path.dirname(os.path.abspath(path)) if path else None
        descriptor, temporary = tempfile.mkstemp(prefix="buildout-", dir=directory)
        os.close(descriptor)
        try:
            self.client.download(url, temporary, sha256=sha256)
            if not check_md5sum(temporary, md5sum):
                raise ChecksumError(f"MD5 checksum mismatch downloading {shown!r}", url=url)
            if path:
                os.replace(temporary, path)
                return path, False
        except BaseException:
            remove(temporary)
            raise
        return temporary, True

    def filename(self, url: str) -> str:
        """The name ``url`` is cached under."""
        if self.hash_name:
            return hashlib.md5(url.encode()).hexdigest()
        source = local_path(url)
        if source is not None:
            return os.path.basename(os.path.normpath(source))
        parts = urllib.parse.urlsplit(url)
        for segment in reversed(parts.path.split("/")):
            if segment:
                return segment
        return parts.netloc.rpartition("@")[2]


def _file_digest(path: str, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(64 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _mismatch(path: str, md5sum: str | None, sha256: str | None) -> str | None:
    """Which checksum of ``path`` is wrong (``"MD5"`` or ``"SHA256"``), if any."""
    if not check_md5sum(path, md5sum):
        return "MD5"
    if not check_sha256(path, sha256):
        return "SHA256"
    return None


def check_md5sum(path: str, md5sum: str | None) -> bool:
    """Whether the file at ``path`` has the md5 hex digest ``md5sum`` (``None``: yes)."""
    return md5sum is None or _file_digest(path, "md5") == md5sum.lower()


def check_sha256(path: str, sha256: str | None) -> bool:
    """Whether the file at ``path`` has the sha256 hex digest ``sha256`` (``None``: yes)."""
    return sha256 is None or _file_digest(path, "sha256") == sha256.lower()


def locate_at(source: str, dest: str | None) -> str:
    """Put ``source`` at ``dest`` (hard link, else copy; trees are copied); return where it is."""
    if dest is None or os.path.realpath(source) == os.path.realpath(dest):
        return source
    if os.path.isdir(source):
        shutil.copytree(source, dest, dirs_exist_ok=True)
        return dest
    if os.path.lexists(dest):
        os.remove(dest)
    try:
        os.link(source, dest)
    except OSError:
        shutil.copyfile(source, dest)
    return dest


def remove(path: str) -> None:
    """Remove the file or tree at ``path`` if there is one."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.remove(path)
