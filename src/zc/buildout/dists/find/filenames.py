"""Distribution file names: which project, version and kind a wheel, sdist or egg name says."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Literal, cast

from packaging.version import InvalidVersion, Version

from zc.buildout.dists.metadata import canonical_name
from zc.buildout.dists.store.eggs import EggName

if TYPE_CHECKING:
    from packaging.utils import NormalizedName

__all__ = ["SDIST_SUFFIXES", "FileKind", "NameMemo", "split_filename"]

FileKind = Literal["wheel", "sdist", "egg"]

SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")


class _Versions(dict[str, Version]):
    """Parsed versions by their text: a page names the same version many times."""

    def __missing__(self, text: str) -> Version:
        version = self[text] = Version(text)
        return version


class _Names(dict[str, "NormalizedName"]):
    """Normalised project names by their spelling: a page spells one name a few ways."""

    def __missing__(self, text: str) -> NormalizedName:
        name = self[text] = cast("NormalizedName", canonical_name(text))
        return name


@dataclasses.dataclass
class NameMemo:
    """What the files of one page share: their names and versions, each parsed once."""

    versions: _Versions = dataclasses.field(default_factory=_Versions)
    names: _Names = dataclasses.field(default_factory=_Names)


def split_filename(
    filename: str, project: str | None = None, memo: NameMemo | None = None
) -> tuple[NormalizedName, Version, FileKind] | None:
    """Name, version and kind of a distribution file name, or ``None``.

    Sdist names are ambiguous when the project name holds dashes; when the
    page belongs to a known ``project``, the split that names it wins.
    """
    memo = NameMemo() if memo is None else memo
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        if len(parts) not in (5, 6) or not parts[0]:
            return None
        try:
            return memo.names[parts[0]], memo.versions[parts[1]], "wheel"
        except InvalidVersion:
            return None
    if filename.endswith(".egg"):
        egg = EggName.parse(filename)
        try:
            return None if egg is None else (memo.names[egg.name], memo.versions[egg.version], "egg")
        except InvalidVersion:
            return None
    lowered = filename.lower()
    for suffix in SDIST_SUFFIXES:
        if lowered.endswith(suffix):
            split = _split_sdist_stem(filename[: -len(suffix)], project, memo)
            return None if split is None else (split[0], split[1], "sdist")
    return None


def _split_sdist_stem(
    stem: str, project: str | None, memo: NameMemo
) -> tuple[NormalizedName, Version] | None:
    positions = [index for index, char in enumerate(stem) if char == "-"]
    if project is not None:
        wanted = memo.names[project]
        positions = [i for i in positions if memo.names[stem[:i]] == wanted]
    for position in reversed(positions):
        try:
            version = memo.versions[stem[position + 1 :]]
        except InvalidVersion:
            continue
        name = stem[:position]
        if name:
            return memo.names[name], version
    return None
