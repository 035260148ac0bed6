"""What a wheel must pass before, and while, it is unpacked: safe paths, a sane size, its RECORD.

Before anything is written (:func:`check_wheel`): no member or ``RECORD``
entry may be absolute or climb out with ``..``, no symbolic link member may
point out of the egg, and all members together may unpack to at most
:data:`RATIO` times the wheel's size (or :data:`FLOOR`, if more), so that a
small archive cannot fill the disk. While unpacking (:class:`CheckedWheelFile`),
each file is hashed as it is written and refused when its digest or size is
not the one ``RECORD`` gives. A refused wheel is one ``UserError``; what was
unpacked of it is in a staging directory, removed.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import posixpath
import stat
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from installer.records import parse_record_file
from installer.sources import WheelFile

from zc.buildout.errors import UserError

if TYPE_CHECKING:
    from installer.sources import WheelContentElement

__all__ = ["FLOOR", "RATIO", "CheckedStream", "CheckedWheelFile", "check_wheel"]

RATIO = 100
"""How many times its own size a wheel may unpack to (text compresses about 4 to 10 times)."""

FLOOR = 256 << 20
"""What any wheel may unpack to, whatever its size (bytes)."""

_HINT = "The wheel is malformed or was tampered with: nothing of it was installed."


def _outside(path: str) -> bool:
    """Whether an archive path is absolute or climbs out of the directory it is unpacked in."""
    normal = path.replace("\\", "/")
    parts = normal.split("/")
    return normal.startswith("/") or ":" in parts[0] or ".." in parts


def check_wheel(archive: zipfile.ZipFile, wheel: str, size: int) -> None:
    """Refuse the wheel ``archive`` (file name ``wheel``, ``size`` bytes) unless it is safe to unpack."""
    total = 0
    for info in archive.infolist():
        if _outside(info.filename):
            raise UserError(f"The wheel {wheel} holds {info.filename!r}, a path outside its egg directory.",
                            hint=_HINT)
        if stat.S_ISLNK(info.external_attr >> 16):
            target = archive.read(info).decode("utf-8", "replace")
            if _outside(posixpath.normpath(posixpath.join(posixpath.dirname(info.filename), target))):
                raise UserError(f"The wheel {wheel} holds {info.filename!r}, a link to {target!r}, "
                                "outside its egg directory.", hint=_HINT)
        total += info.file_size
    allowed = max(FLOOR, RATIO * size)
    if total > allowed:
        raise UserError(f"The wheel {wheel} would unpack to {total:,} bytes, more than {allowed:,} "
                        f"({RATIO} times its size).", hint=_HINT)
    for path in _record_paths(archive):
        if _outside(path):
            raise UserError(f"The RECORD of the wheel {wheel} lists {path!r}, "
                            "a path outside its egg directory.", hint=_HINT)


def _record_paths(archive: zipfile.ZipFile) -> Iterator[str]:
    records = [name for name in archive.namelist()
               if name.count("/") == 1 and name.endswith(".dist-info/RECORD")]
    for name in records:
        lines = archive.read(name).decode("utf-8", "replace").splitlines()
        try:
            for path, _, _ in parse_record_file(lines):
                yield path
        except ValueError:
            continue  # a RECORD that cannot be read is pypa/installer's to refuse


class CheckedWheelFile(WheelFile):
    """A wheel whose files are checked against its RECORD as they are read (see the module)."""

    def get_contents(self) -> Iterator[WheelContentElement]:
        wheel = os.path.basename(str(self._zipfile.filename))
        for (path, digest, size), stream, is_executable in super().get_contents():
            algorithm, _, expected = digest.partition("=")
            if expected and algorithm in hashlib.algorithms_guaranteed:
                checked = CheckedStream(stream, hashlib.new(algorithm), expected, size, wheel, path)
                stream = cast(BinaryIO, checked)
            yield (path, digest, size), stream, is_executable


class CheckedStream:
    """A member's stream that raises, at its end, when the digest or size is not RECORD's.

    Once read to its end, :attr:`checked` holds the algorithm, digest and size it was found to have.
    """

    def __init__(self, stream: BinaryIO, digest: Any, expected: str, size: str, wheel: str,
                 path: str) -> None:
        self._stream = stream
        self._digest = digest
        self._expected = expected.rstrip("=")
        self._size = int(size) if size.isdigit() else None
        self._read = 0
        self._wheel = wheel
        self._path = path
        self.checked: tuple[str, str, int] | None = None

    @property
    def algorithm(self) -> str:
        """The digest's algorithm (``sha256``, say)."""
        return str(self._digest.name)

    def read(self, amount: int = -1) -> bytes:
        return self._seen(self._stream.read(amount), whole=amount < 0)

    def readline(self, limit: int = -1) -> bytes:
        return self._seen(self._stream.readline(limit), whole=False)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Back to the start only (as pypa/installer does to look for a ``#!python`` line)."""
        if (offset, whence) != (0, io.SEEK_SET):
            raise io.UnsupportedOperation("a wheel member being checked is read from its start only")
        self._digest = hashlib.new(self._digest.name)
        self._read = 0
        return self._stream.seek(0)

    def _seen(self, data: bytes, *, whole: bool) -> bytes:
        self._digest.update(data)
        self._read += len(data)
        if not data or whole:
            self._check()
        return data

    def _check(self) -> None:
        found = base64.urlsafe_b64encode(self._digest.digest()).rstrip(b"=").decode("ascii")
        if found != self._expected or self._size not in (None, self._read):
            raise UserError(f"The wheel {self._wheel} holds {self._path!r}, "
                            "whose digest does not match its RECORD.", hint=_HINT)
        self.checked = (self._digest.name, found, self._read)
