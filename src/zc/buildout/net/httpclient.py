"""The one HTTP client of a run: pooled, proxy- and netrc-aware, never showing credentials.

Who does what: :class:`HTTPClient` turns a URL into bytes (``get``) or a
file (``download``); :mod:`zc.buildout.net.connections` keeps the connection
pools (direct or through a proxy); :mod:`zc.buildout.net.credentials` finds the
credentials for a URL and hides them in anything shown to people; the ``Download`` API in
:mod:`zc.buildout.net.download` and the installer are built on this client.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from typing import IO, TYPE_CHECKING

import zc.buildout
from zc.buildout.errors import UserError
from zc.buildout.net.connections import Connections
from zc.buildout.net.credentials import Credentials, redact_url
from zc.buildout.net.file_urls import url_path
from zc.buildout.net.unfinished import Leftovers, part_path

if TYPE_CHECKING:
    import urllib3

__all__ = [
    "ByteRange",
    "ChecksumError",
    "DownloadError",
    "HTTPClient",
    "Response",
    "local_path",
]

_CHUNK = 64 * 1024
_MAX_REDIRECTS = 10
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_USER_INFO = re.compile(r"//[^/@]*@")
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+)", re.IGNORECASE)


class DownloadError(UserError):
    """A resource could not be fetched.

    ``url`` is the URL with any password replaced by ``****``; ``status`` is
    the HTTP status when the server answered, else ``None``.
    """

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message, hint=_REFUSED if status in (401, 403) else None)
        self.url = redact_url(url)
        self.status = status


_REFUSED = ("The server wants credentials it was not given, or refused those it was given"
            " (user-info in the URL, or ~/.netrc): check the user and password.")


class ChecksumError(DownloadError):
    """The bytes fetched are not the ones a checksum asked for."""


@dataclasses.dataclass(frozen=True)
class Response:
    """A successful answer to :meth:`HTTPClient.get`."""

    url: str
    """The final URL, after redirects (credentials removed)."""
    status: int
    """The HTTP status (200 for local files)."""
    headers: Mapping[str, str]
    """Response headers; names are case-insensitive."""
    data: bytes
    """The body, with any ``Content-Encoding`` undone."""


@dataclasses.dataclass(frozen=True)
class ByteRange:
    """A part of a remote file, as :meth:`HTTPClient.get_range` fetched it."""

    url: str
    """The final URL, after redirects (credentials removed)."""
    start: int
    """Where :attr:`data` begins in the file."""
    data: bytes
    """The bytes, as stored (no ``Content-Encoding`` applies to them)."""
    size: int
    """The size of the whole file."""

    @property
    def end(self) -> int:
        """Where :attr:`data` ends in the file (the offset just after it)."""
        return self.start + len(self.data)


def local_path(url: str) -> str | None:
    """The file a plain path or ``file:`` URL names, or ``None`` for other URLs."""
    if _WINDOWS_DRIVE.match(url):
        return url
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # a malformed host or port raises here
    except ValueError as error:
        shown = _USER_INFO.sub("//****@", url)  # redact_url cannot parse it either
        raise UserError(f"Invalid URL {shown!r}: {error}",
                        hint="Check the URL given in index, find-links or the option naming it.") from None
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise DownloadError(
                f"Couldn't download '{redact_url(url)}': file URLs must name a local file",
                url=url,
            )
        return url_path(parts.path)
    if not parts.scheme:
        return url
    return None


def _failure(url: str, reason: str, status: int | None = None) -> DownloadError:
    return DownloadError(f"Couldn't download '{redact_url(url)}': {reason}", url=url, status=status)


class HTTPClient:
    """Fetches URLs for one buildout run; safe to share between threads.

    Proxies come from the environment, read when the client is created (see
    :mod:`zc.buildout.net.connections`). Credentials come from the URL's user-info, else from
    ``~/.netrc``; they are sent as HTTP basic authentication and never
    appear in messages. ``timeout`` (seconds) applies to connecting and to
    each read. Plain paths, ``file:`` and ``ftp:`` URLs work too.
    """

    def __init__(self, *, timeout: float | None = None) -> None:
        self._timeout = timeout
        self._connections = Connections()
        self._credentials = Credentials()
        self._leftovers = Leftovers()

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> Response:
        """Fetch ``url`` into memory, following redirects.

        A status of 400 or more raises :class:`DownloadError` with ``status`` set.
        """
        path = local_path(url)
        if path is not None:
            with _open_local(url, path) as file:
                return Response(url, 200, _local_headers(path), file.read())
        if urllib.parse.urlsplit(url).scheme == "ftp":
            with self._open_ftp(url) as file:
                return Response(redact_url(url), 200, {}, file.read())
        self._connections.prepare(url)  # while urllib3 is imported
        import urllib3  # start-up: only on the network

        final_url, response = self._request(url, dict(headers or {}), decode=True)
        try:
            data = response.data
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise _failure(url, _reason(error, self._timeout)) from None
        finally:
            response.release_conn()
        return Response(final_url, response.status, response.headers, data)

    def get_range(self, url: str, start: int, end: int | None = None) -> ByteRange | None:
        """Fetch the bytes ``[start:end]`` of the file at an ``http(s)`` ``url``, as slicing counts.

        A negative ``start`` (and no ``end``) asks for the last ``-start``
        bytes. The server says which part it sends; ``None`` when it sends
        something else (it ignores ranges and answers ``200`` with the whole
        file, which is then not read, or the part is not described). A status
        of 400 or more raises :class:`DownloadError` as :meth:`get` does
        (``416`` for a range past the end of the file).
        """
        self._connections.prepare(url)  # while urllib3 is imported
        import urllib3  # start-up: only on the network

        wanted = f"bytes={start}" if start < 0 else f"bytes={start}-{'' if end is None else end - 1}"
        headers = {"Range": wanted, "Accept-Encoding": "identity"}
        final_url, response = self._request(url, headers, decode=False)
        try:
            place = _content_range(response.status, response.headers)
            if place is None:
                response.close()  # hangs up rather than read a whole file
                return None
            data = response.data
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise _failure(url, _reason(error, self._timeout)) from None
        finally:
            response.release_conn()
        first, last, size = place
        if len(data) != last + 1 - first:
            return None
        return ByteRange(final_url, first, data, size)

    def download(
        self,
        url: str,
        path: str,
        *,
        sha256: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Stream ``url`` into the file ``path``.

        The bytes go to a temporary file beside ``path``, renamed into place
        only when complete and matching ``sha256`` (hex) if given; on any
        failure nothing is left behind. The first download into a directory
        removes what killed downloads left there (:mod:`~zc.buildout.net.unfinished`).
        ``progress`` is called with the size of each chunk received.
        """
        path = os.path.abspath(path)
        self._leftovers.sweep(os.path.dirname(path))
        temporary = part_path(path)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            digest = hashlib.sha256()
            with os.fdopen(descriptor, "wb") as output:
                for chunk in self._chunks(url):
                    output.write(chunk)
                    digest.update(chunk)
                    if progress is not None:
                        progress(len(chunk))
            if sha256 is not None and digest.hexdigest() != sha256.lower():
                raise ChecksumError(
                    f"SHA256 checksum mismatch downloading '{redact_url(url)}':"
                    f" expected {sha256.lower()}, got {digest.hexdigest()}",
                    url=url,
                )
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.remove(temporary)
            raise

    def _chunks(self, url: str) -> Iterator[bytes]:
        path = local_path(url)
        if path is not None:
            with _open_local(url, path) as file:
                yield from iter(lambda: file.read(_CHUNK), b"")
            return
        if urllib.parse.urlsplit(url).scheme == "ftp":
            with self._open_ftp(url) as file:
                yield from iter(lambda: file.read(_CHUNK), b"")
            return
        self._connections.prepare(url)  # while urllib3 is imported
        import urllib3  # start-up: only on the network

        _, response = self._request(url, {"Accept-Encoding": "identity"}, decode=False)
        try:
            yield from response.stream(_CHUNK, decode_content=False)
        except (urllib3.exceptions.HTTPError, OSError) as error:
            raise _failure(url, _reason(error, self._timeout)) from None
        finally:
            response.release_conn()

    def _request(
        self, url: str, headers: dict[str, str], *, decode: bool
    ) -> tuple[str, urllib3.BaseHTTPResponse]:
        """Send GET requests until an answer that is not a redirect."""
        import urllib3  # start-up: only on the network

        current = url
        for _ in range(_MAX_REDIRECTS + 1):
            scheme = urllib.parse.urlsplit(current).scheme
            if scheme not in ("http", "https"):
                raise _failure(url, f"unsupported URL scheme '{scheme}'")
            plain, authorization = self._credentials.for_url(current)
            request_headers = {"User-Agent": f"zc.buildout/{zc.buildout.__version__}", **headers}
            if authorization is not None:
                request_headers["Authorization"] = authorization
            try:
                response = self._connections.manager_for(plain).request(
                    "GET",
                    plain,
                    headers=request_headers,
                    redirect=False,
                    retries=urllib3.Retry(total=2, redirect=False, backoff_factor=0.1),
                    timeout=urllib3.Timeout(connect=self._timeout, read=self._timeout),
                    preload_content=False,
                    decode_content=decode,
                )
            except urllib3.exceptions.HTTPError as error:
                raise _failure(url, _reason(error, self._timeout)) from None
            location = response.headers.get("Location")
            if response.status in _REDIRECTS and location:
                response.drain_conn()
                response.release_conn()
                current = _follow(current, location)
                continue
            if response.status >= 400:
                response.drain_conn()
                response.release_conn()
                reason = f"{response.status} {response.reason or ''}".strip()
                raise _failure(url, reason, response.status)
            return redact_url(plain), response
        raise _failure(url, f"more than {_MAX_REDIRECTS} redirects")

    def _open_ftp(self, url: str) -> IO[bytes]:
        from urllib.request import urlopen  # start-up: slow, only on the network

        try:
            return urlopen(url, timeout=self._timeout)  # type: ignore[no-any-return]
        except OSError as error:
            raise _failure(url, str(getattr(error, "reason", error))) from None


def _content_range(status: int, headers: Mapping[str, str]) -> tuple[int, int, int] | None:
    """First byte, last byte and file size of a ``206`` answer, or ``None`` if it is not one."""
    if status != 206 or headers.get("Content-Encoding", "identity").lower() != "identity":
        return None
    match = _CONTENT_RANGE.fullmatch(headers.get("Content-Range", "").strip())
    if match is None:
        return None
    first, last, size = (int(number) for number in match.groups())
    return (first, last, size) if first <= last < size else None


def _follow(current: str, location: str) -> str:
    """The URL a redirect points at; user-info carries over within the same origin."""
    target = urllib.parse.urljoin(current, location)
    old, new = urllib.parse.urlsplit(current), urllib.parse.urlsplit(target)
    same_origin = (old.scheme, old.hostname, old.port) == (new.scheme, new.hostname, new.port)
    if same_origin and "@" in old.netloc and "@" not in new.netloc:
        user_info = old.netloc.rpartition("@")[0]
        target = new._replace(netloc=f"{user_info}@{new.netloc}").geturl()
    return target


def _open_local(url: str, path: str) -> IO[bytes]:
    try:
        return open(path, "rb")
    except OSError as error:
        raise _failure(url, error.strerror or str(error)) from None


def _local_headers(path: str) -> dict[str, str]:
    import mimetypes  # start-up: only local files served as responses need it

    content_type, _ = mimetypes.guess_type(path)
    return {"Content-Type": content_type} if content_type else {}


def _reason(error: BaseException, timeout: float | None) -> str:
    """A short, stable description of why a request failed."""
    import urllib3  # start-up: only on the network

    exceptions = urllib3.exceptions
    if isinstance(error, exceptions.MaxRetryError) and error.reason is not None:
        error = error.reason
    if isinstance(error, exceptions.NameResolutionError):
        return "cannot resolve the host name"
    if isinstance(error, exceptions.NewConnectionError):
        cause = error.__cause__ or error.__context__
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror
    if isinstance(error, exceptions.TimeoutError):
        return f"timed out after {timeout:g} seconds" if timeout else "timed out"
    if isinstance(error, exceptions.SSLError):
        return f"SSL error: {error.__cause__ or error}"
    if isinstance(error, exceptions.ProxyError):
        return f"proxy error: {_reason(error.original_error, timeout)}"
    if isinstance(error, exceptions.ProtocolError):
        return "the connection broke off"
    return str(error)
