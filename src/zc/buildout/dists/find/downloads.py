"""The archives of remote distribution files, downloaded once per run before installing.

Who does what: :class:`Archives` downloads each remote file at most once, into
the download cache when there is one (where installing finds it), else into
a temporary directory of its own: ahead of installing (on workers of its own,
so that downloads never hold up reading pages and metadata), or when a
file's metadata must be read from it. A wheel whose metadata is being read
with range requests (:mod:`zc.buildout.dists.find.remote_wheel`) is downloaded
ahead only once that read is over, and not at all when the read brought the
whole wheel: that copy is kept as if downloaded. The
:class:`~zc.buildout.dists.find.index.Finder` decides when, and the run's
:class:`~zc.buildout.net.httpclient.HTTPClient` does the transfers.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from zc.buildout.dists.store.archive_cache import cached_archive
from zc.buildout.net.httpclient import local_path

if TYPE_CHECKING:
    from zc.buildout.dists.find.pages import DistributionFile
    from zc.buildout.net.httpclient import HTTPClient

__all__ = ["Archives"]

_WORKERS = 4


class Archives:
    """The archives of remote files downloaded with ``client``, until :meth:`close`.

    ``on_download(file, path)`` is told of each archive downloaded ahead of
    installing (in a worker thread). With ``cache``, the ``dist`` directory
    of a download cache, archives are downloaded there (or found there) and
    kept; otherwise into a temporary directory that :meth:`close` removes.
    """

    def __init__(self, client: HTTPClient,
                 on_download: Callable[[DistributionFile, str], None] | None = None,
                 cache: str | None = None) -> None:
        self._client = client
        self._cache = cache
        self._on_download = on_download
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._futures: dict[str, concurrent.futures.Future[str]] = {}
        self._deferred: set[str] = set()
        """URLs whose download ahead waits for a read of their metadata."""
        self._directory: str | None = None

    def close(self) -> None:
        """Stop downloading ahead and remove the archives downloaded (but not into the cache)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        with self._lock:
            directory, self._directory = self._directory, None
            self._futures.clear()
            self._deferred.clear()
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)

    def get(self, file: DistributionFile) -> str:
        """A local path of ``file``'s archive, downloading it (once) if it is remote."""
        path = local_path(file.url)
        if path is not None:
            return path
        # Downloaded in this thread (often a worker reading metadata): waiting
        # on another task of the pool could starve it.
        with self._lock:
            future = self._futures.get(file.url)
            if future is None or future.cancelled():
                future = self._futures[file.url] = concurrent.futures.Future()
                mine = True
            else:  # a download waiting for a read of the metadata: this read needs it now
                mine = file.url in self._deferred
            self._deferred.discard(file.url)
        if mine:
            _fulfil(future, self._download, file)
        return future.result()

    def prefetch(self, file: DistributionFile) -> None:
        """Start downloading ``file``'s archive: it will probably be installed."""
        path = local_path(file.url)
        if path is not None:
            if self._on_download is not None:
                self._on_download(file, path)
            return
        with self._lock:
            future = self._futures.get(file.url)
            if future is None:
                if self._pool is None:
                    self._pool = concurrent.futures.ThreadPoolExecutor(
                        _WORKERS, thread_name_prefix="buildout-download")
                future = self._futures[file.url] = self._pool.submit(self._download, file)
        self._tell(file, future)

    def prefetch_after(self, file: DistributionFile, reading: concurrent.futures.Future[Any]) -> None:
        """:meth:`prefetch`, once ``reading``, a read of the metadata of remote ``file``, is over.

        The read may bring the whole file (see :meth:`keep`), or download it
        (:meth:`get`); meanwhile :meth:`downloaded` waits, and
        :meth:`under_way` says no.
        """
        with self._lock:
            future = self._futures.get(file.url)
            deferring = future is None
            if future is None:
                future = self._futures[file.url] = concurrent.futures.Future()
                self._deferred.add(file.url)
        self._tell(file, future)
        if deferring:
            reading.add_done_callback(lambda read: self._start_deferred(file, future))

    def _start_deferred(self, file: DistributionFile, future: concurrent.futures.Future[str]) -> None:
        with self._lock:
            if file.url not in self._deferred:  # kept, downloaded by the read, or closed
                return
            self._deferred.discard(file.url)
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(
                    _WORKERS, thread_name_prefix="buildout-download")
            started = self._pool.submit(_fulfil, future, self._download, file)

        def cancel_if_cancelled(started: concurrent.futures.Future[None]) -> None:
            if started.cancelled():  # by close: nobody waits any more
                future.cancel()

        started.add_done_callback(cancel_if_cancelled)

    def _tell(self, file: DistributionFile, future: concurrent.futures.Future[str]) -> None:
        """Tell ``on_download`` when ``future``, the download of ``file`` ahead, succeeds."""
        on_download = self._on_download
        if on_download is not None:

            def tell(done: concurrent.futures.Future[str]) -> None:
                if _succeeded(done):
                    on_download(file, done.result())

            future.add_done_callback(tell)

    def downloaded(self, file: DistributionFile) -> str | None:
        """The local copy of a remote archive downloaded (or being downloaded), if any.

        Waits for a download under way; a failed one counts as none. The
        caller downloads the file itself otherwise, so reading ahead must not
        start it any more.
        """
        with self._lock:
            future = self._futures.get(file.url)
            if future is None:
                future = self._futures[file.url] = concurrent.futures.Future()
                future.cancel()
        return future.result() if _succeeded(future) else None

    def under_way(self, file: DistributionFile) -> bool:
        """Whether the archive of ``file`` is downloaded, or being downloaded."""
        with self._lock:
            future = self._futures.get(file.url)
            deferred = file.url in self._deferred
        return future is not None and not future.cancelled() and not deferred

    def keep(self, file: DistributionFile, data: bytes) -> None:
        """Keep ``data``, the whole archive of ``file`` read another way, as if downloaded.

        Unless a download of it started meanwhile (or was refused, see
        :meth:`downloaded`), or ``data`` does not match the file's sha256: a
        download, checked, says what is wrong then.
        """
        if file.sha256 and hashlib.sha256(data).hexdigest() != file.sha256.lower():
            return
        path = self._path(file)
        # Named as a download's partial file, so that a killed run's is discarded.
        with tempfile.NamedTemporaryFile(dir=os.path.dirname(path), prefix=f".{file.filename}.",
                                         suffix=".part", delete=False) as output:
            output.write(data)
        with self._lock:
            kept = self._futures.get(file.url)
            if kept is None or file.url in self._deferred:
                os.replace(output.name, path)
                kept = self._futures.setdefault(file.url, concurrent.futures.Future())
                self._deferred.discard(file.url)
            else:  # downloaded meanwhile, or refused
                kept = None
        if kept is None:
            os.remove(output.name)
        else:
            kept.set_result(path)

    def _download(self, file: DistributionFile) -> str:
        def download(path: str) -> None:
            self._client.download(file.url, path, sha256=file.sha256)

        if self._cache is not None:
            return cached_archive(self._cache, file.filename, file.sha256, download)
        path = self._path(file)
        download(path)
        return path

    def _path(self, file: DistributionFile) -> str:
        """Where the archive of ``file`` goes."""
        if self._cache is not None:
            os.makedirs(self._cache, exist_ok=True)
            return os.path.join(self._cache, file.filename)
        with self._lock:
            if self._directory is None:
                self._directory = tempfile.mkdtemp(prefix="buildout-")
            directory = os.path.join(self._directory, file.url.rsplit("/", 1)[0].replace("/", "_"))
        os.makedirs(directory, exist_ok=True)
        return os.path.join(directory, file.filename)


def _fulfil(future: concurrent.futures.Future[str], download: Callable[[DistributionFile], str],
            file: DistributionFile) -> None:
    """Set the result of ``future`` to the path ``download(file)`` gives, or its error."""
    try:
        future.set_result(download(file))
    except BaseException as error:
        future.set_exception(error)


def _succeeded(future: concurrent.futures.Future[str]) -> bool:
    """Whether ``future`` is done, neither cancelled nor failed (waits for it)."""
    return not future.cancelled() and future.exception() is None
