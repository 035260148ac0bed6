"""The archives of remote distribution files, downloaded once per run before installing.

Who does what: :class:`Archives` downloads each remote file at most once, into
a temporary directory of its own: ahead of installing (on workers of its own,
so that downloads never hold up reading pages and metadata), or when a
file's metadata must be read from it; the
:class:`~zc.buildout.dists.index.Finder` decides when, and the run's
:class:`~zc.buildout.httpclient.HTTPClient` does the transfers.
"""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from zc.buildout.httpclient import local_path

if TYPE_CHECKING:
    from zc.buildout.dists.pages import DistributionFile
    from zc.buildout.httpclient import HTTPClient

__all__ = ["Archives"]

_WORKERS = 4


class Archives:
    """The archives of remote files downloaded with ``client``, until :meth:`close`.

    ``on_download(file, path)`` is told of each archive downloaded ahead of
    installing (in a worker thread).
    """

    def __init__(self, client: HTTPClient,
                 on_download: Callable[[DistributionFile, str], None] | None = None) -> None:
        self._client = client
        self._on_download = on_download
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._futures: dict[str, concurrent.futures.Future[str]] = {}
        self._directory: str | None = None

    def close(self) -> None:
        """Stop downloading ahead and remove the archives downloaded."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        with self._lock:
            directory, self._directory = self._directory, None
            self._futures.clear()
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
            mine = future is None or future.cancelled()
            if future is None or mine:
                future = self._futures[file.url] = concurrent.futures.Future()
        if mine:
            try:
                future.set_result(self._download(file))
            except BaseException as error:
                future.set_exception(error)
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

    def _download(self, file: DistributionFile) -> str:
        path = self._path(file)
        self._client.download(file.url, path, sha256=file.sha256)
        return path

    def _path(self, file: DistributionFile) -> str:
        """Where the archive of ``file`` goes."""
        with self._lock:
            if self._directory is None:
                self._directory = tempfile.mkdtemp(prefix="buildout-")
            directory = os.path.join(self._directory, file.url.rsplit("/", 1)[0].replace("/", "_"))
        os.makedirs(directory, exist_ok=True)
        return os.path.join(directory, file.filename)


def _succeeded(future: concurrent.futures.Future[str]) -> bool:
    """Whether ``future`` is done, neither cancelled nor failed (waits for it)."""
    return not future.cancelled() and future.exception() is None
