"""The core metadata of a remote wheel, read with HTTP range requests (and of a local one, alike).

A wheel is a zip archive whose table of contents, the central directory, is
at its end; wheel builders write the ``.dist-info`` files last. So one
request for the last :data:`TAIL_SIZE` bytes usually holds the directory and
the ``METADATA`` member, whatever the size of the wheel; more is asked for
only when they begin earlier. The zip records read are those of the PKWARE
application note (section 4.3), ZIP64 included. When ranges cannot be used
(the server ignores them, the archive is odd), :class:`RemoteWheels` says so
with ``None`` and the caller downloads the whole wheel, as it would anyway.
"""

from __future__ import annotations

import dataclasses
import logging
import mmap
import struct
import threading
import urllib.parse
import zlib
from typing import TYPE_CHECKING, Protocol

from zc.buildout.dists.metadata import Metadata, headers_of_wheel, parse_headers
from zc.buildout.net.httpclient import DownloadError

if TYPE_CHECKING:
    from zc.buildout.net.httpclient import HTTPClient

__all__ = ["TAIL_SIZE", "RemoteMetadata", "RemoteWheels", "local_headers"]

logger = logging.getLogger("zc.buildout")

TAIL_SIZE = 64 * 1024
"""How many bytes are asked for first, from the end of the file."""

_UNAVAILABLE = frozenset({401, 403, 404, 407, 410})
"""Statuses a download of the whole file would meet too: they are errors, not a reason to retry."""

# Zip records: signature, then the layout of the fixed-size part (little-endian).
_END = (b"PK\x05\x06", struct.Struct("<4s4H2LH"))
_END64_LOCATOR = (b"PK\x06\x07", struct.Struct("<4sLQL"))
_END64 = (b"PK\x06\x06", struct.Struct("<4sQ2H2L4Q"))
_CENTRAL = (b"PK\x01\x02", struct.Struct("<4s6H3L5H2L"))
_LOCAL = (b"PK\x03\x04", struct.Struct("<4s5H3L2H"))
_ZIP64_EXTRA = 0x0001
_STORED, _DEFLATED = 0, 8
_ENCRYPTED, _UTF8_NAME = 0x1, 0x800
_MAX32 = 0xFFFFFFFF


class _Unusable(Exception):
    """Ranges cannot give the metadata of this wheel."""

    def __init__(self, reason: str, *, ignored: bool = False) -> None:
        super().__init__(reason)
        self.ignored = ignored
        """Whether the server ignores ranges (rather than this one file being odd)."""


@dataclasses.dataclass(frozen=True)
class RemoteMetadata:
    """What was read of a remote wheel."""

    metadata: bytes
    """Its ``METADATA`` file."""
    archive: bytes | None
    """The whole wheel, when the answers held all of it (a small wheel)."""


class RemoteWheels:
    """Reads the metadata of remote wheels for one run, with ``client``; thread-safe.

    Remembers the servers that ignore ranges, so as to try each of them once.
    """

    def __init__(self, client: HTTPClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._ignoring: set[tuple[str, str | None, int | None]] = set()

    def metadata(self, url: str) -> RemoteMetadata | None:
        """The metadata of the wheel at ``url``, or ``None``: download it whole instead.

        Raises the :class:`~zc.buildout.net.httpclient.DownloadError` a whole
        download would meet too (no connection, no such file, not allowed);
        other failures give ``None``, logged at debug level.
        """
        parts = urllib.parse.urlsplit(url)
        origin = (parts.scheme, parts.hostname, parts.port)
        with self._lock:
            if parts.scheme not in ("http", "https") or origin in self._ignoring:
                return None
        try:
            return _read(self._client, url)
        except _Unusable as error:
            if error.ignored:
                with self._lock:
                    self._ignoring.add(origin)
            reason = str(error)
        except DownloadError as error:
            if error.status is None or error.status in _UNAVAILABLE:
                raise
            reason = str(error)
        logger.debug("Reading the metadata of %s with ranges failed (%s): downloading it",
                     parts.path.rsplit("/", 1)[-1], reason)
        return None


def local_headers(path: str, filename: str) -> Metadata:
    """The core metadata of the local wheel ``filename`` at ``path``, its ``METADATA`` read as a remote
    wheel's is; an odd archive is left to :func:`~zc.buildout.dists.metadata.headers_of_wheel`.

    :mod:`zipfile` makes an object of each member's entry: a big wheel's
    thousands cost more than the one member wanted.
    """
    try:
        with open(path, "rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return parse_headers(_metadata(_LocalFile(mapped)))
    except (OSError, ValueError, _Unusable):  # ValueError: an empty file cannot be mapped
        return headers_of_wheel(path, filename)


class _Archive(Protocol):
    """Bytes of a zip archive, read by offsets."""

    size: int

    def read(self, start: int, end: int) -> bytes: ...


class _LocalFile:
    """A local archive, mapped in memory."""

    def __init__(self, mapped: mmap.mmap) -> None:
        self._mapped = mapped
        self.size = len(mapped)

    def read(self, start: int, end: int) -> bytes:
        if not 0 <= start <= end <= self.size:
            raise _Unusable(f"no bytes {start} to {end} in a file of {self.size}")
        return self._mapped[start:end]


class _RemoteFile:
    """The bytes of a remote file fetched so far, beginning with its end; more on demand."""

    def __init__(self, client: HTTPClient, url: str) -> None:
        self._client, self._url = client, url
        tail = client.get_range(url, -TAIL_SIZE)
        if tail is None:
            raise _Unusable("the server ignores ranges", ignored=True)
        if tail.end != tail.size:
            raise _Unusable("the server sent another part than the end")
        self.size = tail.size
        self._start, self._data = tail.start, tail.data

    def whole(self) -> bytes | None:
        """The whole file, if it was all fetched."""
        return self._data if self._start == 0 else None

    def read(self, start: int, end: int) -> bytes:
        """The bytes ``[start:end]``, fetching those not fetched yet."""
        if not 0 <= start <= end <= self.size:
            raise _Unusable(f"no bytes {start} to {end} in a file of {self.size}")
        if start < self._start:
            if end < self._start:  # far from what was fetched: just these
                return self._fetch(start, end)
            self._data = self._fetch(start, self._start) + self._data
            self._start = start
        return self._data[start - self._start : end - self._start]

    def _fetch(self, start: int, end: int) -> bytes:
        part = self._client.get_range(self._url, start, end)
        if part is None:
            raise _Unusable("the server ignores ranges", ignored=True)
        if part.start > start or part.end < end or part.size != self.size:
            raise _Unusable(f"the server sent bytes {part.start} to {part.end} of {part.size}")
        return part.data[start - part.start : end - part.start]


@dataclasses.dataclass(frozen=True)
class _Member:
    """A file in the archive, as the central directory describes it."""

    name: str
    offset: int  # of its local header
    flags: int
    method: int
    crc: int
    compressed_size: int
    size: int


def _read(client: HTTPClient, url: str) -> RemoteMetadata:
    remote = _RemoteFile(client, url)
    return RemoteMetadata(_metadata(remote), remote.whole())


def _metadata(archive: _Archive) -> bytes:
    """The ``METADATA`` member of the wheel ``archive``."""
    try:
        start, end, count = _directory_place(archive)
        member, following = _metadata_member(archive.read(start, end), count)
        return _contents(archive.read(member.offset, start if following is None else following), member)
    except (struct.error, zlib.error, ValueError) as error:  # ValueError: a name's encoding
        raise _Unusable(f"not a valid zip file: {error}") from None


def _directory_place(remote: _Archive) -> tuple[int, int, int]:
    """Start and end of the central directory, and how many members it lists."""
    end_at = _end_record(remote)
    locator_at = end_at - _END64_LOCATOR[1].size
    if locator_at >= 0 and remote.read(locator_at, locator_at + 4) == _END64_LOCATOR[0]:
        return _directory_place64(remote, locator_at)
    layout = _END[1]
    (_, disk, directory_disk, _, count, size, start, _) = layout.unpack(
        remote.read(end_at, end_at + layout.size))
    if disk or directory_disk:
        raise _Unusable("a zip file on several disks")
    if start + size != end_at:
        raise _Unusable("the central directory is not where the archive says")
    return start, end_at, count


def _end_record(remote: _Archive) -> int:
    """Where the end of central directory record is: the last one that ends the file."""
    signature, layout = _END
    first = max(0, remote.size - TAIL_SIZE)
    tail = remote.read(first, remote.size)
    at = tail.rfind(signature)
    while at >= 0:
        if at + layout.size <= len(tail):
            comment_length = layout.unpack_from(tail, at)[-1]
            if at + layout.size + comment_length == len(tail):
                return first + at
        at = tail.rfind(signature, 0, at)
    raise _Unusable("no end of central directory record")


def _directory_place64(remote: _Archive, locator_at: int) -> tuple[int, int, int]:
    """:func:`_directory_place` for a ZIP64 archive (too big, or too many members, for zip)."""
    locator_layout = _END64_LOCATOR[1]
    _, _, record_at, disks = locator_layout.unpack(
        remote.read(locator_at, locator_at + locator_layout.size))
    signature, layout = _END64
    (found, _, _, _, disk, directory_disk, _, count, size, start) = layout.unpack(
        remote.read(record_at, record_at + layout.size))
    if found != signature or disks > 1 or disk or directory_disk:
        raise _Unusable("not a ZIP64 archive on one disk")
    if start + size != record_at:
        raise _Unusable("the central directory is not where the archive says")
    return start, record_at, count


def _metadata_member(directory: bytes, count: int) -> tuple[_Member, int | None]:
    """The ``METADATA`` file of the one ``.dist-info`` directory at the top of the wheel, and where
    the member stored after it begins (``None``: none is).

    Wheels hold thousands of members: each is looked at for its name and
    place only.
    """
    signature, layout = _CENTRAL
    directories: set[bytes] = set()
    metadata: dict[bytes, int] = {}
    offsets: list[int] = []
    at = 0
    for _ in range(count):
        (found, _, _, _, _, _, _, _, compressed_size, size,
         name_length, extra_length, comment_length, _, _, _, offset) = layout.unpack_from(directory, at)
        if found != signature:
            raise _Unusable("a broken central directory")
        name_at = at + layout.size
        top, slash, inside = directory[name_at:name_at + name_length].partition(b"/")
        if slash and top.endswith(b".dist-info"):
            directories.add(top)
            if inside == b"METADATA":
                metadata[top] = at
        if offset == _MAX32:
            extra_at = name_at + name_length
            offset = _zip64_values(directory[extra_at:extra_at + extra_length], size, compressed_size, offset)[2]
        offsets.append(offset)
        at = name_at + name_length + extra_length + comment_length
    if at != len(directory):
        raise _Unusable("the central directory lists another number of members")
    if len(directories) != 1:
        raise _Unusable(f"{len(directories)} .dist-info directories")
    top = directories.pop()
    if top not in metadata:
        raise _Unusable(f"no {top.decode('utf-8', 'replace')}/METADATA")
    member = _member(directory, metadata[top])
    return member, min((offset for offset in offsets if offset > member.offset), default=None)


def _member(directory: bytes, at: int) -> _Member:
    """The member whose central directory entry is at ``at``."""
    (_, _, _, flags, method, _, _, crc, compressed_size, size,
     name_length, extra_length, _, _, _, _, offset) = _CENTRAL[1].unpack_from(directory, at)
    name_at = at + _CENTRAL[1].size
    extra_at = name_at + name_length
    name = directory[name_at:extra_at].decode("utf-8" if flags & _UTF8_NAME else "cp437")
    size, compressed_size, offset = _zip64_values(
        directory[extra_at : extra_at + extra_length], size, compressed_size, offset)
    return _Member(name, offset, flags, method, crc, compressed_size, size)


def _zip64_values(extra: bytes, *values: int) -> tuple[int, ...]:
    """Size, compressed size and offset, the ZIP64 extra field giving those too big for 32 bits."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<2H", extra, at)
        if kind == _ZIP64_EXTRA:
            big = list(struct.unpack_from(f"<{length // 8}Q", extra, at + 4))
            if len(big) < values.count(_MAX32):
                raise _Unusable("a short ZIP64 extra field")
            return tuple(big.pop(0) if value == _MAX32 else value for value in values)
        at += 4 + length
    return values


def _contents(stored: bytes, member: _Member) -> bytes:
    """The contents of ``member``, from its local header and data (``stored``)."""
    signature, layout = _LOCAL
    found, *_, name_length, extra_length = layout.unpack_from(stored)
    if found != signature or member.flags & _ENCRYPTED:
        raise _Unusable(f"an unreadable member {member.name}")
    start = layout.size + name_length + extra_length
    data = stored[start : start + member.compressed_size]
    if len(data) != member.compressed_size:
        raise _Unusable(f"the data of {member.name} is not where the archive says")
    if member.method == _STORED:
        contents = data
    elif member.method == _DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        contents = inflater.decompress(data, member.size + 1)  # no more than announced
    else:
        raise _Unusable(f"compression method {member.method}")
    if len(contents) != member.size or zlib.crc32(contents) != member.crc:
        raise _Unusable(f"{member.name} does not match its size and CRC")
    return contents
