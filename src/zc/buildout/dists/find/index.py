"""Finding distribution files: the index, find-links, core metadata.

Who does what: :class:`Finder` answers "which files does project X have"
and "what is the core metadata of this file", reading each page and each
metadata file at most once per run, several at a time in a thread pool;
:mod:`zc.buildout.dists.find.usable` judges which files can be used here (allowed
hosts, Python, platform); :mod:`zc.buildout.dists.find.pages` turns page bytes into
:class:`~zc.buildout.dists.find.pages.DistributionFile` objects;
:mod:`zc.buildout.dists.find.remote_wheel` reads the metadata of a wheel with range
requests when the index publishes none, and :mod:`zc.buildout.dists.find.downloads`
downloads the archives; the run's
:class:`~zc.buildout.net.httpclient.HTTPClient` does the transfers (and knows
about credentials).
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import logging
import os
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from packaging.utils import canonicalize_name
from packaging.version import Version

from zc.buildout.dists.build.isolation import BuildEnvironments
from zc.buildout.dists.find.downloads import Archives
from zc.buildout.dists.find.local_index import local_files, read_local_index
from zc.buildout.dists.find.pages import (
    JSON_TYPE,
    DistributionFile,
    ProjectFiles,
    distribution_file,
    parse_page,
    project_files,
)
from zc.buildout.dists.find.pinned_pages import Workers, pinned_page_files
from zc.buildout.dists.find.remote_wheel import TAIL_SIZE, RemoteWheels, local_headers
from zc.buildout.dists.find.usable import Usability
from zc.buildout.dists.metadata import Metadata, headers_of_egg, parse_headers
from zc.buildout.dists.settings import default_index
from zc.buildout.errors import UserError
from zc.buildout.net.credentials import redact_url, with_credentials
from zc.buildout.net.file_urls import file_url
from zc.buildout.net.httpclient import DownloadError, local_path

if TYPE_CHECKING:
    from zc.buildout.dists.settings import InstallerSettings
    from zc.buildout.net.httpclient import HTTPClient, Response

__all__ = ["ACCEPT", "Finder", "IndexPageError"]

logger = logging.getLogger("zc.buildout")

ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
_WORKERS = 10
_T = TypeVar("_T")


class IndexPageError(UserError):
    """An index or find-links page could not be used."""


class Finder:
    """The distribution files of projects, from the index and find-links of ``settings``.

    Call :meth:`close` when done with an installation: it stops the worker
    threads and removes the archives it downloaded (to read their metadata,
    or ahead of installing them) unless they went into the download cache;
    the pages read are kept for the run.
    ``on_download(file, path)`` is told of each archive downloaded ahead of
    installing (in a worker thread), until :meth:`close`. The metadata of an
    sdist that does not state it reliably is prepared by its build backend,
    in ``environments`` (by default, buildout's environment only). With
    ``pinned_only``, the index pages of projects pinned to one version keep
    the files of that version alone (the pages of a big set hold tens of
    megabytes of files no installation asks for); their other versions are
    still listed. A big page of such a project is read by an idle worker
    process of ``workers()``, if it gives any (:mod:`~.pinned_pages`).
    """

    def __init__(self, settings: InstallerSettings, client: HTTPClient, *,
                 on_download: Callable[[DistributionFile, str], None] | None = None,
                 environments: BuildEnvironments | None = None, pinned_only: bool = False,
                 workers: Callable[[], Workers | None] = lambda: None) -> None:
        self._settings = settings
        self._pinned_only = pinned_only
        self._workers = workers
        self._environments = BuildEnvironments(settings) if environments is None else environments
        self._client = client
        self._lock = threading.Lock()
        self._links_lock = threading.Lock()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._pages: dict[str, concurrent.futures.Future[ProjectFiles]] = {}
        self._metadata: dict[str, concurrent.futures.Future[Metadata]] = {}
        self._archives = Archives(client, on_download, cache=settings.archive_cache)
        self._links: dict[str, list[DistributionFile]] | None = None
        self._index: str | None = None
        self._root: dict[str, list[DistributionFile]] | None = None
        self._usable = Usability(settings.allow_hosts)
        self._remote_wheels = RemoteWheels(client)

    def close(self) -> None:
        """Stop reading ahead and remove downloaded archives (not the cache's); the pages read are kept."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        self._archives.close()
        with self._lock:
            # What was read is kept for the rest of the run; what was not, is forgotten.
            for futures in (self._pages, self._metadata):
                for key in [key for key, future in futures.items() if future.cancelled()]:
                    del futures[key]

    def prefetch(self, name: str, then: Callable[[], None] | None = None) -> None:
        """Start reading the index page of ``name``; call ``then()`` once it is read.

        ``then`` runs in a worker thread, and only if the page could be read.
        """
        future = self._page(canonicalize_name(name))
        if then is not None:
            _on_success(future, lambda files: then())

    def files(self, name: str) -> list[DistributionFile]:
        """Every file the index and find-links offer for project ``name``, usable or not."""
        name = canonicalize_name(name)
        listed = self._page(name).result().files()
        # A copy in the download cache stands for the file the index describes: it is
        # used only once checked against the index's digest (and downloaded again if bad).
        described = {file.filename for file in listed if file.sha256}
        cached = self.cached(name)
        found = listed + [file for file in self.find_links().get(name, [])
                          if file.filename not in described or file not in cached]
        return list({file.url: file for file in found}.values())

    def versions(self, name: str) -> Mapping[Version, Sequence[DistributionFile]]:
        """:meth:`files` by version, each version's read from the index page when asked for."""
        name = canonicalize_name(name)
        if name in self.find_links():
            return ProjectFiles(self.files(name))
        return self._page(name).result()

    def choose(self, files: Iterable[DistributionFile]) -> DistributionFile | str:
        """The best usable file among ``files`` (of one version), or why none is usable.

        See :mod:`zc.buildout.dists.find.usable`.
        """
        return self._usable.choose(files)

    def metadata(self, file: DistributionFile) -> Metadata:
        """The core metadata of ``file``: from the index (PEP 658), else from the archive.

        The archive of a remote wheel is read with range requests, unless it
        is downloaded (or being downloaded) anyway.
        """
        return self._future(self._metadata, file.url, self._read_metadata, file).result()

    def read_metadata(self, file: DistributionFile) -> Metadata | None:
        """The core metadata of ``file`` once a read of it (started) ends; else ``None``."""
        future = self._metadata.get(file.url)  # a dict lookup: no lock needed
        if future is None or future.cancelled() or future.exception():
            return None
        return future.result()

    def prefetch_metadata(
        self, file: DistributionFile, then: Callable[[Metadata], None] | None = None
    ) -> None:
        """Start reading the metadata of ``file``; call ``then(metadata)`` once it is read."""
        future = self._future(self._metadata, file.url, self._read_metadata, file)
        if then is not None:
            _on_success(future, then)

    def archive(self, file: DistributionFile) -> str:
        """A local path of ``file``'s archive, downloading it (once) if it is remote."""
        return self._archives.get(file)

    def prefetch_archive(self, file: DistributionFile) -> None:
        """Start downloading ``file``'s archive: it will probably be installed.

        Downloads have workers of their own, never holding up pages and
        metadata. A wheel whose metadata is being read with range requests
        is downloaded once that is over (a small one comes whole with it),
        unless the index says it is bigger than that read.
        """
        with self._lock:
            reading = self._metadata.get(file.url)
        if reading is None or reading.done() or not _by_ranges(file) or _bigger_than_its_tail(file):
            self._archives.prefetch(file)
        else:
            self._archives.prefetch_after(file, reading)

    def downloaded(self, file: DistributionFile) -> str | None:
        """The local copy of a remote archive this finder downloaded (or is downloading), if any.

        Waits for a download under way; a failed one counts as none. The
        caller downloads the file itself otherwise, so reading ahead must not
        start it any more.
        """
        return self._archives.downloaded(file)

    # Pages.

    def _page(self, name: str) -> concurrent.futures.Future[ProjectFiles]:
        return self._future(self._pages, name, self._read_index, name)

    def _future(self, futures: dict[str, concurrent.futures.Future[_T]], key: str,
                function: Callable[..., _T], *args: object) -> concurrent.futures.Future[_T]:
        with self._lock:
            future = futures.get(key)
            if future is None:
                if self._pool is None:
                    self._pool = concurrent.futures.ThreadPoolExecutor(
                        _WORKERS, thread_name_prefix="buildout-index")
                future = futures[key] = self._pool.submit(function, *args)
            return future

    def _index_location(self) -> str | None:
        if self._settings.install_from_cache:
            return None
        if self._index is None:
            self._index = self._settings.index or default_index()
        return self._index

    def _read_index(self, name: str) -> ProjectFiles:
        index = self._index_location()
        if index is None:
            return ProjectFiles()
        directory = local_path(index)
        if directory is not None:
            return ProjectFiles(read_local_index(directory, name))
        url = f"{index.rstrip('/')}/{name}/"
        if not self._usable.host_allowed(url):
            return ProjectFiles()
        logger.debug("Reading %s", redact_url(url))
        response = self._get(url, {"Accept": ACCEPT})
        if response is None:
            if _simple(index):  # an unknown project (its root would list every project)
                return ProjectFiles()
            # No page of its own: an old flat index lists files at its root.
            return ProjectFiles(self._root_files(index).get(name, []))
        pin = self._settings.pins.get(name) if self._pinned_only else None
        return _parse(response, url, functools.partial(self._page_files, project=name,
                                                       only=None if pin is None else pin.exact))

    def _page_files(self, data: bytes, content_type: str, url: str, project: str, only: Version | None
                    ) -> ProjectFiles:
        """:func:`project_files`; a big JSON page of a pinned project read in a worker if one is idle."""
        if only is not None and content_type.partition(";")[0].strip().lower() == JSON_TYPE:
            found = pinned_page_files(self._workers, data, url, project, only)
            if found is not None:
                return found
        return project_files(data, content_type, url, project, only)

    def _root_files(self, index: str) -> dict[str, list[DistributionFile]]:
        """The distribution files the index's root page links to, by project (read once)."""
        with self._links_lock:
            if self._root is None:
                url = index.rstrip("/") + "/"
                logger.debug("Reading %s", redact_url(url))
                # As HTML: a flat page of files is; a JSON root lists projects, not files.
                response = self._get(url, {"Accept": "text/html"})
                files = [] if response is None else _parse(response, url, parse_page)
                self._root = {}
                for file in files:
                    self._root.setdefault(file.name, []).append(file)
            return self._root

    def _get(self, url: str, headers: Mapping[str, str] | None = None) -> Response | None:
        """The response for ``url``, or ``None`` when there is nothing there (404)."""
        try:
            return self._client.get(url, headers)
        except DownloadError as error:
            if error.status in (404, 410):
                return None
            raise

    def cached(self, name: str) -> list[DistributionFile]:
        """The files of project ``name`` in the download cache (earlier runs' downloads)."""
        directory = self._settings.archive_cache
        if directory is None:
            return []
        return [file for file in self.find_links().get(canonicalize_name(name), [])
                if os.path.dirname(local_path(file.url) or "") == directory]

    def find_links(self) -> dict[str, list[DistributionFile]]:
        """Every file the find-links (and the download cache) offer, by project name."""
        with self._links_lock:
            if self._links is None:
                links: dict[str, list[DistributionFile]] = {}
                # In the calling thread, which may be a worker: waiting on
                # other tasks of the pool could starve it.
                for location in self._link_locations():
                    for file in self._read_link(location):
                        links.setdefault(file.name, []).append(file)
                self._links = links
            return self._links

    def _link_locations(self) -> list[str]:
        settings = self._settings
        cached = [settings.archive_cache] if settings.archive_cache else []
        return cached if settings.install_from_cache else cached + list(settings.find_links)

    def _read_link(self, location: str) -> list[DistributionFile]:
        path = local_path(location)
        if path is not None:
            if os.path.isdir(path):
                return local_files(path)
            found = distribution_file(file_url(path)) if os.path.isfile(path) else None
            return [found] if found else []
        if not self._usable.host_allowed(location):
            return []
        direct = distribution_file(location)
        if direct is not None:
            return [direct]
        try:
            response = self._get(location)
        except UserError as error:
            logger.warning("Couldn't read find-links page: %s", error)
            return []
        return [] if response is None else _parse(response, location, parse_page)

    # Metadata and archives.

    def _read_metadata(self, file: DistributionFile) -> Metadata:
        cache = self._settings.archive_cache
        if file.sha256 and cache and file.kind == "wheel" and os.path.isfile(os.path.join(cache, file.filename)):
            return local_headers(self.archive(file), file.filename)  # the cached copy, checked
        if file.metadata_url is not None and self._usable.host_allowed(file.metadata_url):
            response = self._get(file.metadata_url)
            if response is not None:
                digest = hashlib.sha256(response.data).hexdigest()
                if file.metadata_sha256 and digest != file.metadata_sha256.lower():
                    raise IndexPageError(f"The metadata at {response.url} does not match its"
                                     f" sha256 checksum ({file.metadata_sha256}).")
                return parse_headers(response.data)
        if file.kind == "wheel" and (_bigger_than_its_tail(file) or not self._archives.under_way(file)):
            read = self._remote_wheels.metadata(file.url)
            if read is not None:
                if read.archive is not None:
                    self._archives.keep(file, read.archive)
                return parse_headers(read.metadata)
        path = self.archive(file)
        if file.kind == "wheel":
            return local_headers(path, file.filename)
        if file.kind == "egg":
            return headers_of_egg(path, file.filename)

        from zc.buildout.dists.build.sdist_metadata import sdist_metadata  # start-up: only sdists need it

        pin = self._settings.pins.get(file.name)
        return sdist_metadata(path, self._environments, pinned=pin is not None and pin.exact == file.version)


def _simple(index: str) -> bool:
    """Whether ``index`` is a "simple" index (``.../simple/``, ``.../+simple/``): one page per project."""
    return urllib.parse.urlsplit(index).path.rstrip("/").rsplit("/", 1)[-1] in ("simple", "+simple")


def _on_success(future: concurrent.futures.Future[_T], callback: Callable[[_T], None]) -> None:
    """Call ``callback`` with the result of ``future`` when it succeeds."""

    def done(future: concurrent.futures.Future[_T]) -> None:
        if not future.cancelled() and future.exception() is None:
            callback(future.result())

    future.add_done_callback(done)


def _bigger_than_its_tail(file: DistributionFile) -> bool:
    """Whether ``file`` is bigger than a range read of its end (as the index says): its
    download need not wait for that read, nor that read (quicker) for its download."""
    return file.size is not None and file.size > TAIL_SIZE


def _by_ranges(file: DistributionFile) -> bool:
    """Whether the metadata of ``file`` is read with range requests, if at all: so it is for a
    remote wheel without a metadata file on the index (:mod:`~zc.buildout.dists.find.remote_wheel`)."""
    remote = urllib.parse.urlsplit(file.url).scheme in ("http", "https")
    return remote and file.kind == "wheel" and file.metadata_url is None


def _parse(response: Response, requested: str, read: Callable[[bytes, str, str], _T]) -> _T:
    """``read(data, content type, URL)`` of a page."""
    base = with_credentials(response.url, requested)
    content_type = response.headers.get("Content-Type", "")
    logger.debug("Read %s as %s.", redact_url(response.url),
                 "JSON (PEP 691)" if content_type.split(";")[0].strip() == JSON_TYPE else "HTML")
    try:
        return read(response.data, content_type, base)
    except (ValueError, LookupError) as error:  # bad JSON, bad bytes, unknown charset
        raise IndexPageError(f"The index page {response.url} could not be read: {error}") from None
