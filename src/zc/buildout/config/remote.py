"""Configuration files named by URLs: fetched once per run, through the extends cache.

How a URL is fetched depends only on the command-line assignments and the
*root* files: the user defaults file decides how what it extends is fetched
by its own ``[buildout]`` options; the user defaults with everything they
extend, and the main configuration file's own options, decide how the main
configuration's files are fetched. Files the main configuration extends do
not decide how they are fetched themselves:

- ``offline = true`` or ``install-from-cache = true``: only the cached copy
  (``Couldn't download '<url>' in offline mode.`` without one);
- ``newest = false``: the cached copy when there is one, else download;
- otherwise: download and refresh the cache, falling back to the cached copy
  when the download fails.

The cache (``extends-cache``) holds each file under the md5 of its URL.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from zc.buildout.config.directories import absolute_path
from zc.buildout.config.parser import RawSections
from zc.buildout.errors import Location, UserError
from zc.buildout.net.timeouts import socket_timeout

if TYPE_CHECKING:
    from zc.buildout.net.httpclient import HTTPClient

__all__ = ["RemoteConfigurations"]

_SETTINGS = ("offline", "install-from-cache", "newest", "extends-cache", "socket-timeout")


class RemoteConfigurations:
    """Fetches configuration text for URLs, with settings from the root files.

    ``defaults`` are buildout's defaults, ``command_line`` the ``[buildout]``
    assignments; :meth:`add_root` adds a root file's own options between them.
    """

    def __init__(self, defaults: Mapping[str, str], command_line: Mapping[str, str], cwd: str) -> None:
        self._settings: dict[str, tuple[str, Location]] = {
            name: (defaults.get(name, ""), Location("DEFAULT_VALUE")) for name in _SETTINGS
        }
        self._command_line = {
            name: (command_line[name], Location("COMMAND_LINE_VALUE"))
            for name in _SETTINGS
            if name in command_line
        }
        self._cwd = cwd
        self._client: HTTPClient | None = None

    def add_root(self, source: str, sections: RawSections) -> None:
        """Let the ``[buildout]`` options of ``sections`` (from ``source``) decide how to fetch from now on."""
        for name, option in sections.get("buildout", {}).items():
            if name in _SETTINGS:
                self._settings[name] = (option.text, Location(source, option.line))

    def fetch(self, url: str, origin: Location | None) -> str:
        """The text at ``url``; ``origin`` is the line that named it, if any."""
        from urllib.parse import urlsplit  # start-up: only for URLs

        from zc.buildout.net.download import Download  # start-up: only for URLs

        try:
            urlsplit(url).port  # a malformed host or port raises here
        except ValueError as error:
            raise UserError(f"Invalid URL {url!r}: {error}", location=origin,
                            hint="Check the URL: its host, brackets and port.") from None
        offline = self._flag("offline") or self._flag("install-from-cache")
        download = Download(
            cache=self._cache(),
            offline=offline,
            fallback=self._flag("newest") and not offline,
            hash_name=True,
            client=self._http_client(),
        )
        try:
            path, is_temp = download(url)
            try:
                with open(path, encoding="utf-8") as file:
                    return file.read()
            finally:
                if is_temp:
                    os.remove(path)
        except UserError as error:
            if error.location is None:
                error.location = origin
            raise
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"Couldn't read {url}: {error}", location=origin) from None

    def _setting(self, name: str) -> tuple[str, Location]:
        return self._command_line.get(name) or self._settings[name]

    def _flag(self, name: str) -> bool:
        return self._setting(name)[0].strip() == "true"

    def _cache(self) -> str | None:
        text, where = self._setting("extends-cache")
        text = text.strip()
        if not text:
            return None
        if "${" in text:
            raise UserError(
                f"extends-cache cannot use substitutions: {text!r}",
                location=where,
                hint="Give the directory as a path.",
            )
        path = absolute_path(text, where, self._cwd, "extends-cache")
        os.makedirs(path, exist_ok=True)
        return path

    def _http_client(self) -> HTTPClient:
        if self._client is None:
            from zc.buildout.net.httpclient import HTTPClient  # start-up: only for URLs

            timeout, where = self._setting("socket-timeout")
            try:
                seconds = socket_timeout(timeout) if timeout.strip().isdigit() else None
            except UserError as error:
                error.location = where if where.line else None
                raise
            self._client = HTTPClient(timeout=seconds)
        return self._client
