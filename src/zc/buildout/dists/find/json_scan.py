"""The PEP 691 page of a pinned project, read for its versions and one version's files only.

Of a pinned project's page, buildout needs the versions it lists and the
entries of the pinned version's files. Decoding the whole page makes an
object of every file it lists, thousands on a big page: two thirds of
reading it. Here the file names are found in the page's bytes instead
(not in a copy of the page made text), each version is known by the
first of its files, and only the pinned version's entries are decoded. A
page this cannot read the same way (a file name written with escapes, a
file entry without a name or without a URL, a pinned version's entry that
is not as PEP 691 has it, anything but a project page) gets ``None``: the
caller decodes it whole.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from zc.buildout.dists.find.filenames import NameMemo, split_filename

if TYPE_CHECKING:
    from packaging.version import Version

__all__ = ["pinned_listing"]

_FILE_NAME = re.compile(rb'"filename":\s*(?:"([^"\\]*)")?')
"""A file entry's name (no group if it is not a string written without escapes)."""

_DECODER = json.JSONDecoder()

_NESTED_BEFORE_NAME = 8
"""How many objects a file entry may hold before its name (PEP 691 and 714 have two)."""


def pinned_listing(data: bytes, project: str, only: Version) -> dict[Version, list[dict[str, Any]]] | None:
    """The versions the JSON page ``data`` of ``project`` lists, each with its file entries if it is
    ``only`` (as the page has them); ``None`` if the page must be decoded whole to say."""
    if not data.isascii():  # checked in a fraction of the time decoding takes
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    listing: dict[Version, list[dict[str, Any]]] = {}
    memo = NameMemo()
    last: Version | None = None
    kept: list[dict[str, Any]] | None = None
    wheel_prefix = None
    count = 0
    for match in _FILE_NAME.finditer(data):
        count += 1
        raw = match[1]
        if raw is None:
            return None
        # The wheels of a version follow each other: "name-version-" tells their version.
        if wheel_prefix is None or not raw.startswith(wheel_prefix) or not _wheel_like(raw):
            name = raw.decode("utf-8")
            split = split_filename(name, project, memo)
            if split is None:
                wheel_prefix = None
                continue
            wheel_prefix = raw[: raw.index(b"-", raw.index(b"-") + 1) + 1] if split[2] == "wheel" else None
            if split[1] is not last:
                last = split[1]
                listed = listing.setdefault(last, [])  # listed even when its files are left out
                kept = listed if last == only else None
        if kept is not None:
            entry = _entry_around(data, match)
            if entry is None:
                return None
            kept.append(entry)
    if not count or data.count(b'"url"') != count:
        return None  # a file without a name, or no project page
    return listing


def _wheel_like(name: bytes) -> bool:
    """Whether ``name`` could be a wheel's (five or six fields)."""
    return name.endswith(b".whl") and name.count(b"-") in (4, 5)


def _entry_around(data: bytes, match: re.Match[bytes]) -> dict[str, Any] | None:
    """The file entry whose name ``match`` found, decoded; ``None`` if it is not one as expected."""
    name = match[1].decode("utf-8")
    # The entry ends before the next one's name: only that much is made text.
    following = data.find(b'"filename"', match.end())
    end_of_entry = len(data) if following < 0 else following
    start = match.start()
    for _ in range(_NESTED_BEFORE_NAME + 1):
        start = data.rfind(b"{", 0, start)
        if start < 0:
            return None
        text = data[start:end_of_entry].decode("utf-8")
        try:
            entry, end = _DECODER.raw_decode(text)
        except ValueError:  # a brace in a string, or not an object that ends before the next name
            continue
        if len(text[:end].encode("utf-8")) >= match.end() - start:  # the object around the name
            if isinstance(entry, dict) and entry.get("filename") == name and isinstance(entry.get("url"), str):
                return entry
            return None
    return None
