"""What a wheel must pass before, and while, it is unpacked: safe paths, a sane size, its RECORD.

Before anything is written (:func:`check_wheel`): no member or ``RECORD``
entry may be absolute or climb out with ``..``, no symbolic link member may
point out of the egg, and all members together may unpack to at most
:data:`RATIO` times the wheel's size (or :data:`FLOOR`, if more), so that a
small archive cannot fill the disk. While unpacking, each file is hashed
as it is written and refused when its digest or size is not the one
``RECORD`` gives (:class:`Recorded`). A refused wheel is one
``UserError``; what was unpacked of it is in a staging directory, removed.
"""

from __future__ import annotations

import base64
import csv
import dataclasses
import hashlib
import posixpath
import stat
import zipfile
from typing import Any

from zc.buildout.errors import UserError

__all__ = [
    "FLOOR",
    "RATIO",
    "REFUSED",
    "UNRECORDED",
    "Recorded",
    "check_wheel",
    "encoded_digest",
    "record_entries",
]

RATIO = 100
"""How many times its own size a wheel may unpack to (text compresses about 4 to 10 times)."""

FLOOR = 256 << 20
"""What any wheel may unpack to, whatever its size (bytes)."""

REFUSED = "The wheel is malformed or was tampered with: nothing of it was installed."
"""The hint of every refusal."""


@dataclasses.dataclass(frozen=True)
class Recorded:
    """What a wheel's ``RECORD`` says of one of its files."""

    algorithm: str
    """The digest's algorithm (``sha256``); empty when no digest is given."""
    digest: str
    """The digest, URL-safe base64 without padding."""
    size: int | None

    def check(self, digest: Any, size: int, wheel: str, path: str) -> None:
        """Refuse the file ``path`` of ``wheel``, read with ``digest`` (a hash object) to ``size`` bytes,
        unless it is what this entry says (an entry without a digest, or with an algorithm this
        Python lacks, checks nothing)."""
        if not self.digest or digest is None:
            return
        if encoded_digest(digest.digest()) != self.digest or self.size not in (None, size):
            raise UserError(f"The wheel {wheel} holds {path!r}, whose digest does not match its RECORD.",
                            hint=REFUSED)

    def checked(self, data: bytes, wheel: str, path: str) -> str | None:
        """Refuse ``data``, the file ``path`` of ``wheel``, unless it is what this entry says; the
        digest field of its ``RECORD`` row when that is a sha256 (as checked), else ``None``."""
        digest = self.new_digest()
        if digest is not None:
            digest.update(data)
        self.check(digest, len(data), wheel, path)
        return f"sha256={self.digest}" if digest is not None and digest.name == "sha256" else None

    @property
    def proves(self) -> bool:
        """Whether checking a file against this entry proves its content (a digest this Python computes):
        its zip entry's CRC-32 then adds nothing."""
        return bool(self.digest) and self.algorithm in hashlib.algorithms_guaranteed

    def new_digest(self) -> Any:
        """A hash object of this entry's algorithm, ``None`` when there is nothing to check."""
        if not self.proves:
            return None
        return hashlib.sha256() if self.algorithm == "sha256" else hashlib.new(self.algorithm)


UNRECORDED = Recorded("", "", None)
"""What ``RECORD`` says of a file it does not list: nothing to check."""


def encoded_digest(digest: bytes) -> str:
    """A digest as ``RECORD`` writes it: URL-safe base64, without padding."""
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def record_entries(text: str, wheel: str) -> dict[str, Recorded]:
    """The entries of a ``RECORD`` (CSV rows: path, ``algorithm=digest`` or nothing, size or nothing)."""
    found = {}
    for number, row in enumerate(csv.reader(text.splitlines()), 1):
        if not row:
            continue
        if len(row) != 3:
            raise UserError(f"The RECORD of the wheel {wheel} has {len(row)} fields on line {number},"
                            " not 3 (path, digest, size).", hint=REFUSED)
        path, digest, size = row
        algorithm, equals, value = digest.partition("=")
        if digest and not (equals and value) or size and not size.isdigit():
            raise UserError(f"The RECORD of the wheel {wheel} has a malformed entry on line {number}:"
                            f" {','.join(row)!r}.", hint=REFUSED)
        found[path] = Recorded(algorithm, value.rstrip("="), int(size) if size else None)
    return found


def _outside(path: str) -> bool:
    """Whether an archive path is absolute or climbs out of the directory it is unpacked in."""
    normal = path.replace("\\", "/")
    parts = normal.split("/")
    return normal.startswith("/") or ":" in parts[0] or ".." in parts


def check_wheel(archive: zipfile.ZipFile, wheel: str, size: int, recorded: dict[str, Recorded]) -> None:
    """Refuse the wheel ``archive`` (file name ``wheel``, ``size`` bytes, its ``RECORD``'s
    entries ``recorded``) unless it is safe to unpack."""
    total = 0
    for info in archive.infolist():
        if _outside(info.filename):
            raise UserError(f"The wheel {wheel} holds {info.filename!r}, a path outside its egg directory.",
                            hint=REFUSED)
        if stat.S_ISLNK(info.external_attr >> 16):
            target = archive.read(info).decode("utf-8", "replace")
            if _outside(posixpath.normpath(posixpath.join(posixpath.dirname(info.filename), target))):
                raise UserError(f"The wheel {wheel} holds {info.filename!r}, a link to {target!r}, "
                                "outside its egg directory.", hint=REFUSED)
        total += info.file_size
    allowed = max(FLOOR, RATIO * size)
    if total > allowed:
        raise UserError(f"The wheel {wheel} would unpack to {total:,} bytes, more than {allowed:,} "
                        f"({RATIO} times its size).", hint=REFUSED)
    for path in recorded:
        if _outside(path):
            raise UserError(f"The RECORD of the wheel {wheel} lists {path!r}, "
                            "a path outside its egg directory.", hint=REFUSED)
