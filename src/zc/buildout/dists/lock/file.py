"""The lock file: the exact version of each distribution a buildout uses, and its files' digests.

A lock file is written in the configuration syntax, so that people read it
(and configurations may extend it) like any other::

    [versions]
    demo = 1.0

    [locked-files]
    demo =
        https://index.example/demo/demo-1.0-py3-none-any.whl#sha256=...
        https://index.example/demo/demo-1.0.tar.gz#sha256=...

``[versions]`` pins every distribution exactly; ``[locked-files]`` lists,
for each, every file of that version the index offered (any platform's
wheels and the sdist), so that a run on another platform can be checked
too. URLs never carry credentials.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
from collections.abc import Iterable, Mapping

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from zc.buildout.config.parser import parse_text
from zc.buildout.errors import Location, UserError
from zc.buildout.files.text import write_text

__all__ = ["Lock", "LockedDistribution", "LockedFile", "record"]

FILES_SECTION = "locked-files"
_DIGEST = re.compile(r"[0-9a-f]{64}")
_HEADER = """\
# The lock file of a buildout: the exact version of every distribution it
# uses, and the sha256 of every file each may be installed from. Buildout
# writes it; `buildout --locked` installs only what it holds.
"""
_HINT = "Buildout writes this file: remove it and run buildout to write it again."


@dataclasses.dataclass(frozen=True, order=True)
class LockedFile:
    """One file a locked distribution may be installed from."""

    url: str
    """``http(s)://`` or ``file://``, without fragment or credentials."""
    sha256: str
    """Lower-case hex."""

    @property
    def filename(self) -> str:
        return urllib.parse.unquote(urllib.parse.urlsplit(self.url).path.rpartition("/")[2])

    def __str__(self) -> str:
        return f"{self.url}#sha256={self.sha256}"

    @classmethod
    def of(cls, url: str, sha256: str) -> LockedFile:
        """The file at ``url`` (credentials and fragment dropped) with digest ``sha256``."""
        parts = urllib.parse.urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]
        return cls(parts._replace(netloc=netloc, fragment="").geturl(), sha256.lower())


@dataclasses.dataclass(frozen=True)
class LockedDistribution:
    """A distribution of the lock: its version and the files it may come from."""

    name: str
    """As its metadata spells it."""
    version: str
    files: tuple[LockedFile, ...] = ()
    """Sorted by URL."""
    location: Location | None = dataclasses.field(default=None, compare=False)
    """Its ``[versions]`` line, for messages."""

    @property
    def key(self) -> NormalizedName:
        return canonicalize_name(self.name)

    @property
    def digests(self) -> frozenset[str]:
        return frozenset(file.sha256 for file in self.files)


@dataclasses.dataclass(frozen=True)
class Lock:
    """The distributions of one lock file, by canonical name."""

    path: str
    distributions: Mapping[NormalizedName, LockedDistribution] = dataclasses.field(
        default_factory=dict)

    @classmethod
    def read(cls, path: str) -> Lock:
        """The lock at ``path``; an empty one when there is no file yet."""
        try:
            with open(path, encoding="utf-8") as file:
                text = file.read()
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError) as error:
            raise UserError(f"Couldn't read the lock file {path}: {error}", hint=_HINT) from None
        sections = parse_text(text, path)
        extra = sorted(set(sections) - {"versions", FILES_SECTION})
        if extra:
            raise UserError(f"The lock file {path} has a section [{extra[0]}] buildout does not write.",
                            hint=_HINT)
        found: dict[NormalizedName, LockedDistribution] = {}
        for option in sections.get("versions", {}).values():
            where = Location(path, option.line)
            try:
                Version(option.text)
            except InvalidVersion:
                raise UserError(f"The lock pins {option.name} to {option.text!r}, not a version.",
                                location=where, hint=_HINT) from None
            found[canonicalize_name(option.name)] = LockedDistribution(
                option.name, option.text, location=where)
        for option in sections.get(FILES_SECTION, {}).values():
            where = Location(path, option.line)
            dist = found.get(canonicalize_name(option.name))
            if dist is None:
                raise UserError(f"The lock lists files of {option.name} but no version of it.",
                                location=where, hint=_HINT)
            files = tuple(sorted(_file(line, where) for line in option.text.split()))
            found[dist.key] = dataclasses.replace(dist, files=files)
        return cls(path, found)

    def get(self, name: str) -> LockedDistribution | None:
        return self.distributions.get(canonicalize_name(name))

    def updated(self, dists: Iterable[LockedDistribution]) -> Lock:
        """This lock with ``dists`` in it: a distribution keeps the files it had at the same version."""
        merged = dict(self.distributions)
        for dist in dists:
            merged[dist.key] = dataclasses.replace(_merged(merged.get(dist.key), dist), location=None)
        return Lock(self.path, merged)

    def text(self) -> str:
        names = sorted(self.distributions)
        lines = [_HEADER, "[versions]"]
        lines += [f"{self.distributions[key].name} = {self.distributions[key].version}" for key in names]
        lines += ["", f"[{FILES_SECTION}]"]
        for key in names:
            dist = self.distributions[key]
            if dist.files:
                lines.append(f"{dist.name} =")
                lines += [f"    {file}" for file in dist.files]
        return "\n".join(lines) + "\n"

    def write(self) -> bool:
        """Write the lock file (whole, or not at all); whether it changed."""
        return write_text(self.path, self.text())


def record(used: dict[str, LockedDistribution], dists: Iterable[LockedDistribution]) -> None:
    """Add ``dists`` to ``used``, what a run used so far (a version seen twice keeps all its files)."""
    for dist in dists:
        used[dist.key] = _merged(used.get(dist.key), dist)


def _merged(old: LockedDistribution | None, new: LockedDistribution) -> LockedDistribution:
    """``new``, with the files ``old`` had when it is the same version."""
    if old is None or old.version != new.version:
        return new
    return dataclasses.replace(new, files=tuple(sorted(set(old.files) | set(new.files))))


def _file(text: str, where: Location) -> LockedFile:
    url, _, fragment = text.partition("#sha256=")
    if not url or not _DIGEST.fullmatch(fragment):
        raise UserError(f"The lock lists {text!r}, not a URL ending in #sha256=<64 hex digits>.",
                        location=where, hint=_HINT)
    return LockedFile.of(url, fragment)  # a hand-edited lock keeps no credentials either
