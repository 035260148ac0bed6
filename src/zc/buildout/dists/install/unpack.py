"""Unpacking one wheel into an egg directory (in the installer's worker processes).

The wheel is checked first (:mod:`~zc.buildout.dists.install.wheel_checks`).
Legacy namespace ``__init__.py`` files are dropped (the packages become
native namespaces); console scripts are not written (buildout generates
scripts itself); ``.data`` files other than code stay inside the egg, under
``<name>-<version>.data/``, with the ``#!python`` line of a script made
the running Python's, as an installer does; the ``.dist-info`` directory
takes the name an egg's has. ``RECORD`` lists what was written, with its
digest.

Each member is read whole (in pieces, when big), checked against
``RECORD`` and written in one call: eggs hold thousands of small files, and
the work done for each is what unpacking costs. A big wheel can be unpacked
by several workers at once: each writes one share of its files
(:func:`install_share`), and :func:`finish_install` then writes the
``RECORD`` of all of them.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import heapq
import io
import os
import stat
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any, TypedDict

from zc.buildout.dists.install.namespaces import namespace_inits
from zc.buildout.dists.install.wheel_checks import (
    REFUSED,
    UNRECORDED,
    Recorded,
    check_wheel,
    encoded_digest,
    record_entries,
)
from zc.buildout.dists.metadata import Headers, canonical_name
from zc.buildout.dists.store.eggs import dist_info_name, renamed_path
from zc.buildout.errors import UserError
from zc.buildout.files.descriptors import NEW_FILE, write_all

__all__ = ["Written", "finish_install", "install_into", "install_share"]

INSTALLER_NAME = b"zc.buildout\n"

_CODE = ("purelib", "platlib")
_SCHEMES = (*_CODE, "headers", "scripts", "data")
"""The directories of a wheel's ``.data`` directory (the install schemes)."""

_WHOLE = 16 << 20
"""Members up to this size (bytes) are read in one piece; bigger ones in pieces of this size."""

_PER_FILE = 4 << 10
"""What writing one file costs, in compressed bytes read: sharing by size alone would give one share
all the small files."""


class Written(TypedDict):
    """What unpacking one share of a wheel wrote (as JSON carries it from a worker)."""

    dist_info: str
    """The wheel's ``.dist-info`` directory."""
    egg_info: str
    """Its name in the egg."""
    rows: list[list[str]]
    """The ``RECORD`` rows of the files written: path, digest, size."""


def install_into(wheel_path: str, code_directory: str, *, metadata: Mapping[str, str] | None = None,
                 hidden: bool = True, read_only: bool = False) -> None:
    """Install a wheel's code and ``.dist-info`` into ``code_directory`` (not byte-compiled).

    ``metadata`` adds files (name to text) to the ``.dist-info``, listed in
    its ``RECORD``. With ``hidden`` false, files at the top of the wheel
    whose names start with a dot are left out (and out of ``RECORD``).
    ``read_only`` files are made so (``RECORD`` aside), as an egg cache
    entry's are, rather than changed afterwards.
    """
    written = install_share(wheel_path, code_directory, hidden=hidden, read_only=read_only)
    finish_install(code_directory, [written], metadata, read_only=read_only)


def install_share(wheel_path: str, code_directory: str, *, share: int = 0, shares: int = 1,
                  hidden: bool = True, read_only: bool = False) -> Written:
    """Unpack share ``share`` of ``shares`` of a wheel's files into ``code_directory`` (all of them by
    default), as :func:`install_into` does; what it wrote, for :func:`finish_install`.

    The wheel is checked whole by each share. The shares are alike in
    compressed size, and together hold every file once.
    """
    wheel = os.path.basename(wheel_path)
    try:
        return _install_share(wheel_path, wheel, code_directory, hidden, share, shares, read_only)
    except zipfile.BadZipFile as error:
        raise UserError(f"The wheel {wheel} is damaged: {error}.", hint=REFUSED) from None


def finish_install(code_directory: str, written: Sequence[Written],
                   metadata: Mapping[str, str] | None = None, *, read_only: bool = False) -> None:
    """Complete the egg the shares ``written`` unpacked: write ``INSTALLER``, the files ``metadata``
    adds to the ``.dist-info`` (``read_only``, if so), and the ``RECORD`` of them all."""
    egg = _Egg(code_directory, written[0]["dist_info"], written[0]["egg_info"], read_only=read_only)
    for share in written:
        egg.extend(share["rows"])
    dist_info = written[0]["dist_info"]
    added = {"INSTALLER": INSTALLER_NAME,
             **{key: text.encode("utf-8") for key, text in (metadata or {}).items()}}
    for filename, content in added.items():
        egg.write(f"{dist_info}/{filename}", content)
    egg.write_record(f"{dist_info}/RECORD")


def _install_share(wheel_path: str, wheel: str, code_directory: str, hidden: bool, share: int,
                   shares: int, read_only: bool) -> Written:
    with open(wheel_path, "rb") as file, zipfile.ZipFile(file) as archive:
        read = functools.partial(_member, archive, _reader(file))
        members = [info for info in archive.infolist() if not info.filename.endswith("/")]
        names = [info.filename for info in members]
        dist_info = _dist_info_directory(names, wheel)
        recorded = record_entries(_text(archive, f"{dist_info}/RECORD", wheel), wheel)
        check_wheel(archive, wheel, os.path.getsize(wheel_path), recorded)
        _check_wheel_version(_text(archive, f"{dist_info}/WHEEL", wheel), wheel)
        dropped = namespace_inits(names, lambda name: archive.read(name).decode("utf-8", "replace"))
        if not hidden:
            dropped |= {name for name in names if name.startswith(".") and "/" not in name}
        name = Headers.parse(_text(archive, f"{dist_info}/METADATA", wheel)).get("Name")
        egg = _Egg(code_directory, dist_info, dist_info_name(dist_info, name) if name else dist_info,
                   read_only=read_only)
        for info in _share(members, share, shares):
            path = info.filename
            if path == f"{dist_info}/RECORD" or "__pycache__" in path.split("/")[:-1]:
                continue  # RECORD is written anew; compiled files are made for this egg
            scheme, target = _placed(path, dist_info, wheel)
            if scheme in _CODE and target in dropped:
                continue
            mode = info.external_attr >> 16
            executable = bool(mode and stat.S_ISREG(mode) and mode & 0o111)
            entry = recorded.get(path, UNRECORDED)
            if info.file_size <= _WHOLE:
                data = read(info, crc=not entry.proves)
                checked = entry.checked(data, wheel, path)
                if scheme == "scripts" and data.startswith(b"#!python"):  # as an installer does
                    data, checked = f"#!{sys.executable}\n".encode() + data.partition(b"\n")[2], None
                egg.write(target, data, executable=executable, field=checked)
            else:
                egg.write_pieces(target, _checked_pieces(archive, info, entry, wheel), executable=executable)
        return egg.written()


def _share(members: list[zipfile.ZipInfo], share: int, shares: int) -> list[zipfile.ZipInfo]:
    """The members of share ``share`` of ``shares``, in the archive's order.

    Each member goes to the share with the least compressed bytes so far,
    the biggest first; a file counts for a few kilobytes more than its size,
    for the work done for each.
    """
    if shares == 1:
        return members
    loads = [(0, number) for number in range(shares)]
    chosen = []
    for index in sorted(range(len(members)), key=lambda index: -members[index].compress_size):
        load, number = heapq.heappop(loads)
        if number == share:
            chosen.append(index)
        heapq.heappush(loads, (load + members[index].compress_size + _PER_FILE, number))
    return [members[index] for index in sorted(chosen)]


class _Egg:
    """Writes files into an egg directory, under their ``RECORD`` paths (``/``-separated),
    with the ``.dist-info`` directory renamed, and keeps their ``RECORD`` rows."""

    def __init__(self, directory: str, dist_info: str, egg_info: str, *, read_only: bool = False) -> None:
        self._directory = directory
        self._dist_info = (dist_info, egg_info)
        self._mode = 0o444 if read_only else 0o666
        self._made: set[str] = set()
        """Directories known to exist: a wheel puts many files into each."""
        self._rows: list[tuple[str, str, str]] = []

    def extend(self, rows: Iterable[Sequence[str]]) -> None:
        """Count ``rows``, written by another share of the wheel, in this egg's ``RECORD``."""
        self._rows.extend((path, digest, size) for path, digest, size in rows)

    def written(self) -> Written:
        """What this egg wrote, for :func:`finish_install`."""
        return Written(dist_info=self._dist_info[0], egg_info=self._dist_info[1],
                       rows=[list(row) for row in self._rows])

    def write(self, path: str, data: bytes, *, executable: bool = False, field: str | None = None) -> None:
        """Write ``path`` (a new file) holding ``data``; ``field``, if given, is its digest field in
        ``RECORD`` already (see :meth:`Recorded.checked`)."""
        self.write_pieces(path, (data,), executable=executable,
                          field=_digest_field(hashlib.sha256(data)) if field is None else field)

    def write_pieces(self, path: str, pieces: Iterable[bytes], *, executable: bool = False,
                     field: str | None = None) -> None:
        """Write ``path`` (a new file), its content given in pieces; ``field``, if given, is their
        digest field in ``RECORD``."""
        path = renamed_path(path, *self._dist_info)
        hashed, size = hashlib.sha256() if field is None else None, 0
        descriptor = self._create(path)
        try:
            for piece in pieces:
                if hashed is not None:
                    hashed.update(piece)
                size += len(piece)
                write_all(descriptor, piece)
            if executable:
                os.fchmod(descriptor, os.fstat(descriptor).st_mode | 0o111)
        finally:
            os.close(descriptor)
        if field is None:
            field = _digest_field(hashed)
        self._rows.append((path, field, str(size)))

    def _create(self, path: str) -> int:
        """The descriptor of the new file ``path`` (its directory made if need be), open for writing."""
        # Joined by hand: os.path.join and os.path.dirname cost more than the rest of this, for each file.
        target = f"{self._directory}{os.sep}{path if os.sep == '/' else path.replace('/', os.sep)}"
        directory = target[:target.rfind(os.sep)]
        if directory not in self._made:
            os.makedirs(directory, exist_ok=True)
            self._made.add(directory)
        return os.open(target, NEW_FILE, self._mode)

    def write_record(self, path: str) -> None:
        """Write the ``RECORD`` of what was written, at ``path`` (it lists itself, without a digest)."""
        path = renamed_path(path, *self._dist_info)
        text = io.StringIO()
        writer = csv.writer(text, delimiter=",", quotechar='"', lineterminator="\n")
        writer.writerows(sorted([*self._rows, (path, "", "")]))
        with open(os.path.join(self._directory, *path.split("/")), "x", encoding="utf-8", newline="") as file:
            file.write(text.getvalue())


def _digest_field(digest: Any) -> str:
    """The digest field of a ``RECORD`` row, for a sha256 hash object."""
    return f"sha256={encoded_digest(digest.digest())}"


def _reader(file: IO[bytes]) -> Callable[[int, int], bytes]:
    """``read(size, offset)``: the bytes of ``file`` from ``offset``, in one system call where the system has
    one for that (``os.pread``; Windows has not)."""
    pread = getattr(os, "pread", None)
    if pread is not None:
        return functools.partial(pread, file.fileno())

    def read(size: int, offset: int) -> bytes:
        file.seek(offset)  # zipfile seeks too before each read of its own
        return file.read(size)

    return read


def _member(archive: zipfile.ZipFile, read_at: Callable[[int, int], bytes], info: zipfile.ZipInfo, *,
            crc: bool = True) -> bytes:
    """The content of the member ``info`` of ``archive``, whose bytes ``read_at`` reads (see
    :func:`_reader`), read whole; :class:`zipfile.BadZipFile` if it is damaged.

    :mod:`zipfile` reads each member through a file object of its own: a
    seek and several reads, a decompression object, a running CRC. Here a
    member (its local header, name and data) is one :func:`os.pread`,
    usually, and one decompression; it is checked as :mod:`zipfile` checks
    it (its local header names it, its size and, unless ``crc`` is false,
    its CRC match the central directory's): a caller that checks the content
    against a digest of its own leaves the CRC out, as the digest is the
    stronger check (computing the CRC-32 of the medium bench set's 92 MB
    took its workers 28 ms). Only the member being read is in memory, never
    the whole wheel. An encrypted member, or one compressed otherwise than
    deflated, is left to :mod:`zipfile`.
    """
    if info.flag_bits & _ENCRYPTED or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return archive.read(info)
    name = info.orig_filename.encode("utf-8" if info.flag_bits & _UTF8_NAME else "cp437")
    # The local extra field is most often the central one, or shorter: read as if it were.
    expected = _LOCAL_HEADER.size + len(name) + len(info.extra)
    block = memoryview(read_at(expected + info.compress_size, info.header_offset))
    header = block[:_LOCAL_HEADER.size]
    fields = _LOCAL_HEADER.unpack(header) if len(header) == _LOCAL_HEADER.size else (b"",)
    if fields[0] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"{info.filename!r} has no local header")
    name_size, extra_size = fields[-2:]
    if block[_LOCAL_HEADER.size:_LOCAL_HEADER.size + name_size] != name:
        raise zipfile.BadZipFile(f"{info.filename!r} is named otherwise in its local header")
    start = _LOCAL_HEADER.size + name_size + extra_size
    raw = block[start:start + info.compress_size]
    if len(raw) != info.compress_size:  # a longer local extra field: read the data again, past it
        raw = memoryview(read_at(info.compress_size, info.header_offset + start))
    try:
        stored = info.compress_type == zipfile.ZIP_STORED
        data = bytes(raw) if stored else zlib.decompress(raw, -15, info.file_size)
    except zlib.error as error:
        raise zipfile.BadZipFile(f"{info.filename!r} cannot be decompressed: {error}") from None
    if len(data) != info.file_size or crc and zlib.crc32(data) != info.CRC:
        raise zipfile.BadZipFile(f"{info.filename!r} is not what its CRC-32 says")
    return data


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
"""A zip member's local header: signature, versions, flags, method, time, date, CRC, sizes, name and
extra field lengths."""
_ENCRYPTED = 0x1
_UTF8_NAME = 0x800


def _checked_pieces(archive: zipfile.ZipFile, info: zipfile.ZipInfo, entry: Recorded, wheel: str
                    ) -> Iterator[bytes]:
    """The content of the big member ``info``, in pieces; checked against its ``RECORD`` entry at its end."""
    digest = entry.new_digest()
    size = 0
    for piece in _pieces(archive, info):
        if digest is not None:
            digest.update(piece)
        size += len(piece)
        yield piece
    entry.check(digest, size, wheel, info.filename)


def _pieces(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with archive.open(info) as member:
        while piece := member.read(_WHOLE):
            yield piece


def _placed(path: str, dist_info: str, wheel: str) -> tuple[str, str]:
    """The scheme of the member ``path`` (``purelib`` for the top of the wheel) and its path in the egg.

    Code in ``<name>-<version>.data/purelib`` (or ``platlib``) goes to the top
    of the egg; the rest of ``.data`` stays where it is.
    """
    data = f"{dist_info[: -len('.dist-info')]}.data/"
    if not path.startswith(data):
        return "purelib", path
    scheme, _, inside = path[len(data):].partition("/")
    if scheme not in _SCHEMES or not inside:
        raise UserError(f"The wheel {wheel} holds {path!r}, which is in no directory of"
                        f" {data.rstrip('/')} that an installer knows ({', '.join(_SCHEMES)}).", hint=REFUSED)
    return scheme, inside if scheme in _CODE else path


def _dist_info_directory(names: list[str], wheel: str) -> str:
    """The wheel's one ``.dist-info`` directory, named after the project its file name names."""
    found = sorted({name.split("/", 1)[0] for name in names if name.split("/", 1)[0].endswith(".dist-info")})
    if len(found) != 1:
        raise UserError(f"The wheel {wheel} holds {len(found)} .dist-info directories"
                        f"{' (' + ', '.join(found) + ')' if found else ''}, not one.", hint=REFUSED)
    project = found[0][: -len(".dist-info")].rsplit("-", 1)[0]
    if canonical_name(project) != canonical_name(wheel.split("-", 1)[0]):
        raise UserError(f"The wheel {wheel} holds {found[0]}, which is not named after the wheel's project.",
                        hint=REFUSED)
    return found[0]


def _text(archive: zipfile.ZipFile, name: str, wheel: str) -> str:
    try:
        return archive.read(name).decode("utf-8", "replace")
    except KeyError:
        raise UserError(f"The wheel {wheel} has no {name}.", hint=REFUSED) from None


def _check_wheel_version(text: str, wheel: str) -> None:
    version = Headers.parse(text).get("Wheel-Version") or ""
    if not version.startswith("1."):
        raise UserError(f"The wheel {wheel} is of Wheel-Version {version or '(none given)'};"
                        " buildout installs wheels of version 1.", hint=REFUSED)
