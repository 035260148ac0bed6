"""Which distribution files can be used here, and which fits best.

Usable: from a host ``allow-hosts`` lets buildout visit, for this Python
(the file's ``Requires-Python``) and, for a wheel, for this platform (its
tags); an egg, for this Python's version and platform (its name). Best: the
wheel whose tags are most specific to this interpreter, then other wheels,
then an egg, then an sdist; a local copy before a remote one.
"""

from __future__ import annotations

import fnmatch
import functools
import logging
import types
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag, sys_tags

from zc.buildout.dists.find.pages import DistributionFile
from zc.buildout.dists.metadata import python_version
from zc.buildout.dists.store.eggs import EggName
from zc.buildout.net.httpclient import local_path

__all__ = ["Usability"]

logger = logging.getLogger("zc.buildout")


class Usability:
    """Judges distribution files for one run (what it works out is kept)."""

    def __init__(self, allow_hosts: Sequence[str]) -> None:
        self._allow_hosts = allow_hosts
        self._tag_ranks = _tag_ranks()  # here, before the threads that judge files ask for it at once
        self._python_ok: dict[str, bool] = {}

    def host_allowed(self, url: str) -> bool:
        """``allow-hosts`` lets buildout visit ``url`` (local files are always allowed)."""
        if "*" in self._allow_hosts:
            return True
        parts = urllib.parse.urlsplit(url)
        if parts.scheme == "file" or local_path(url) is not None:
            return True
        host = (parts.hostname or "").lower()
        netloc = parts.netloc.rpartition("@")[2].lower()
        allowed = any(fnmatch.fnmatchcase(host, pattern.lower())
                      or fnmatch.fnmatchcase(netloc, pattern.lower())
                      for pattern in self._allow_hosts)
        if not allowed:
            logger.debug("Not visiting %s: its host is not in allow-hosts.", netloc)
        return allowed

    def choose(self, files: Iterable[DistributionFile]) -> DistributionFile | str:
        """The best usable file among ``files`` (of one version), or why none is usable."""
        best: tuple[int, bool, DistributionFile] | None = None
        reason = "no files"
        for file in files:
            rank = self._rank(file)
            if isinstance(rank, str):
                reason = rank
                continue
            key = (rank, not file.url.startswith("file:"), file)
            if best is None or key[:2] < best[:2]:
                best = key
        return reason if best is None else best[2]

    def _rank(self, file: DistributionFile) -> int | str:
        """Lower is better: a wheel's best tag position; sdists last. Unusable: why, as text."""
        if not self.host_allowed(file.url):
            return "its host is not in allow-hosts"
        if not self._for_this_python(file.requires_python):
            return f"requires Python {file.requires_python}"
        if file.kind == "sdist":
            return 1_000_000
        if file.kind == "egg":
            egg = EggName.parse(file.filename)
            return 999_999 if egg is not None and egg.fits else "no egg for this Python and platform"
        ranks = [self._tag_ranks[tag] for tag in file.tags if tag in self._tag_ranks]
        return min(ranks) if ranks else "no wheel for this platform"

    def _for_this_python(self, requires_python: str | None) -> bool:
        if requires_python is None:
            return True
        ok = self._python_ok.get(requires_python)
        if ok is None:
            try:
                specifier = SpecifierSet(requires_python)
            except InvalidSpecifier:
                ok = True  # a broken constraint excludes nothing, as pip does
            else:
                ok = specifier.contains(python_version(), prereleases=True)
            self._python_ok[requires_python] = ok
        return ok


@functools.cache
def _tag_ranks() -> Mapping[Tag, int]:
    """The tags of this interpreter, each with its place among them (the more specific, the lower).

    Listed once a process: each installation of a run judges files, and
    listing the tags takes milliseconds.
    """
    return types.MappingProxyType({tag: rank for rank, tag in enumerate(sys_tags())})
