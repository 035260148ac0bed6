"""What is available for each project: the candidates, best first, from every place.

Places, in order of precedence: develop-eggs (a develop project wins
outright), buildout's own distributions (the running environment's copy:
for buildout's own process the only one, for a part's distributions only
when it satisfies the pins), the eggs directory, the download cache (for an
exact pin), and the index and find-links through a :class:`Source`. Within a project,
candidates are ordered newest first, final releases before pre-releases with
``prefer-final``, installed ones before others of the same version; with
``newest = false`` installed versions come first. Offline, only installed
versions exist. Of a version the lock file holds files of, a locked file is
taken whenever one is usable here.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from zc.buildout.dists.metadata import Metadata
from zc.buildout.dists.resolve.candidates import PYTHON, Candidate, Installed, Need
from zc.buildout.dists.settings import exact_version

if TYPE_CHECKING:
    from zc.buildout.dists.find.pages import DistributionFile
    from zc.buildout.dists.settings import InstallerSettings, Pin

__all__ = ["Available", "Source"]

_LISTED = 5
"""Versions a conflict message names at most, when there are more than one more."""


class Source(Protocol):
    """Where distributions not yet installed come from (the index ``Finder``).

    ``versions`` has the files of a project by version, ``cached`` those in the
    download cache; ``choose`` picks the best usable one among files of one version,
    or says why none is usable. The ``prefetch`` methods start reading in
    the background and call ``then`` (in a worker thread) when done.
    """

    def versions(self, name: str) -> Mapping[Version, Sequence[DistributionFile]]: ...
    def cached(self, name: str) -> list[DistributionFile]: ...
    def metadata(self, file: DistributionFile) -> Metadata: ...
    def prefetch(self, name: str, then: Callable[[], None] | None = None) -> None: ...
    def prefetch_metadata(
        self, file: DistributionFile, then: Callable[[Metadata], None] | None = None
    ) -> None: ...
    def prefetch_archive(self, file: DistributionFile) -> None: ...
    def choose(self, files: Iterable[DistributionFile]) -> DistributionFile | str: ...


class Available:
    """The candidates of each project, found once and kept for one resolution.

    ``installed(name)`` lists installed distributions of a canonical name
    (develop eggs first); ``own`` maps canonical names to buildout's own
    distributions; ``source`` makes the source when it is first needed (so a
    run that needs no index does not even load it), and is ``None`` offline.
    Reading ahead calls these methods from worker threads too: they only add
    entries to their caches, so a race at worst computes one twice.
    """

    def __init__(
        self,
        settings: InstallerSettings,
        installed: Callable[[str], Sequence[Installed]],
        own: Mapping[str, Installed],
        source: Callable[[], Source] | None,
    ) -> None:
        self._settings = settings
        self._pins: Mapping[str, Pin] = settings.pins
        self._installed = installed
        self._own = own
        self._make_source = source
        self._made_source: Source | None = None
        self.online = source is not None
        self._local: dict[str, list[Candidate]] = {}
        self._files: dict[str, Mapping[Version, Sequence[DistributionFile]]] = {}
        self._chosen: dict[tuple[str, Version, bool | str], Candidate | None] = {}
        self._exact_lookup: dict[str, tuple[dict[Version, Version], list[Version]]] = {}
        self._unusable: dict[str, dict[Version, str]] = {}

    def source(self) -> Source:
        """The source, made when first asked for."""
        if self._made_source is None:
            assert self._make_source is not None, "offline: there is no source"
            self._made_source = self._make_source()
        return self._made_source

    def needs_index(self, need: Need) -> bool:
        """Whether finding ``need`` will (probably) read the index: worth prefetching."""
        if need.name == PYTHON or not self.online:
            return False
        local = self.local(need.name)
        pin = self._pins.get(need.name)
        allowed = need.specifier if pin is None else need.specifier & pin.specifier_set
        if (local and local[0].develop) or self._own_fits(need.name, allowed) is not None:
            return False
        exact = exact_version(need.specifier) or (pin is not None and pin.exact)
        if exact:
            return not any(c.version == exact for c in local) and not self._cached(need.name, exact)
        return self._settings.newest or not local

    def ordered(self, name: str, specifier: SpecifierSet) -> Iterator[Candidate]:
        """Every candidate of ``name`` worth trying, best first; the index only when needed."""
        local = self.local(name)
        if local and local[0].develop:
            yield from local[:1]
            return
        own = self._own_fits(name, specifier)
        if own is not None:
            yield own
            return
        usable = [c for c in local if specifier.contains(c.version, prereleases=True) and not c.own]
        exact = exact_version(specifier)
        if not self.online or (exact and usable):
            yield from usable
            return
        cached = self._cached(name, exact) if exact else None
        if cached is not None:
            yield cached  # a download of an earlier run: the index is not needed
        if not self._settings.newest:
            yield from usable  # the index is read only if these do not do
            seen = {c.version for c in usable}
            yield from self._first_prefetched(
                c for c in self._remote_candidates(name, exact, specifier) if c.version not in seen)
            return
        yield from self._first_prefetched(
            self.best_first(usable + self._remote_candidates(name, exact, specifier)))

    def _first_prefetched(self, candidates: Iterable[Candidate]) -> Iterator[Candidate]:
        """Yield ``candidates``, starting to read the metadata of the first one at once."""
        first = True
        for candidate in candidates:
            if first and candidate.file is not None:
                self.source().prefetch_metadata(candidate.file)
                first = False
            yield candidate

    def local(self, name: str) -> list[Candidate]:
        """The installed candidates of ``name``: its develop egg, else buildout's own and the eggs.

        For buildout's own process, buildout's own copy is the only one.
        """
        local = self._local.get(name)
        if local is None:
            own = self._own.get(name)
            running = [] if own is None else [Candidate(name, Version(own.version), installed=own, own=True)]
            if running and self._settings.in_process:
                local = running
            else:
                found = [Candidate(name, version, installed=d)
                         for d in self._installed(name) if (version := _version(d.version))]
                develop = [c for c in found if c.develop]
                local = develop[:1] or running + self.best_first(found)
            self._local[name] = local
        return local

    def _own_fits(self, name: str, specifier: SpecifierSet) -> Candidate | None:
        """Buildout's own copy of ``name``, when it is to be used for ``specifier`` (pin included)."""
        local = self.local(name)
        if not local or not local[0].own:
            return None
        if self._settings.in_process or specifier.contains(local[0].version, prereleases=True):
            return local[0]
        return None

    def _remote_candidates(
        self, name: str, exact: Version | None, specifier: SpecifierSet
    ) -> list[Candidate]:
        """One candidate per version the source offers within ``specifier``, best first.

        Yanked files count only for an exact pin or ``==`` requirement (PEP 592).
        """
        found = []
        for version in self._remote_files(name) if exact is None else self._matching(name, exact):
            if specifier.contains(version, prereleases=True):
                candidate = self._remote_candidate(name, version, version == exact)
                if candidate is not None:
                    found.append(candidate)
        return self.best_first(found)

    def _cached(self, name: str, version: Version) -> Candidate | None:
        """The candidate for ``name==version`` from a file in the download cache, if any."""
        key = (name, version, "cached")
        if key not in self._chosen:
            files = [file for file in self.source().cached(name) if file.version == version]
            names = self._locked_names(name, version)
            if names:  # only a locked file will do; else the index may have one
                files = [file for file in files if file.filename in names]
            chosen = self.source().choose(files) if files else None
            self._chosen[key] = None if chosen is None or isinstance(chosen, str) else Candidate(
                name, version, file=chosen)
        return self._chosen[key]

    def _remote_files(self, name: str) -> Mapping[Version, Sequence[DistributionFile]]:
        by_version = self._files.get(name)
        if by_version is None:
            by_version = self._files[name] = self.source().versions(name)
        return by_version

    def _matching(self, name: str, exact: Version) -> list[Version]:
        """The versions the source offers that may be ``exact``: equal to it, or with a local label.

        A pinned project's page lists hundreds of versions, and resolving
        asks for its candidates several times: the versions are sorted out
        once, and each time looked up rather than compared.
        """
        known = self._exact_lookup.get(name)
        if known is None:
            by_version = self._remote_files(name)
            known = self._exact_lookup[name] = (
                {version: version for version in by_version},
                [version for version in by_version if version.local is not None])
        listed, labelled = known
        equal = listed.get(exact)  # the page's own spelling: 1.0.0 where the pin says 1.0
        return ([] if equal is None else [equal]) + [version for version in labelled if version is not equal]

    def _remote_candidate(self, name: str, version: Version, allow_yanked: bool) -> Candidate | None:
        """The candidate for the best usable file of one version (cached), if there is one.

        Where the lock names files of the version, one of those is taken if
        any is usable here: a file published after the version was locked
        changes nothing.
        """
        key = (name, version, allow_yanked)
        if key not in self._chosen:
            files = self._files[name][version]
            names = self._locked_names(name, version)
            locked = [file for file in files if file.filename in names]
            chosen = self._choose(locked, allow_yanked) if locked else None
            if chosen is None or isinstance(chosen, str):
                chosen = self._choose(files, allow_yanked)
            if isinstance(chosen, str):
                if chosen != "yanked":
                    self._unusable.setdefault(name, {})[version] = chosen
                self._chosen[key] = None
            else:
                self._chosen[key] = Candidate(name, version, file=chosen)
        return self._chosen[key]

    def _choose(self, files: Sequence[DistributionFile], allow_yanked: bool) -> DistributionFile | str:
        """The best usable of ``files``, yanked ones only if allowed and no other will do; or why none."""
        live = [file for file in files if file.yanked is None]
        chosen = self.source().choose(live) if live else "yanked"
        if isinstance(chosen, str) and allow_yanked and len(live) < len(files):
            chosen = self.source().choose([file for file in files if file.yanked is not None])
        return chosen

    def _locked_names(self, name: str, version: Version) -> frozenset[str]:
        """The names of the files the lock holds for ``name`` ``version`` (none without a lock)."""
        lock = self._settings.lock
        entry = None if lock is None else lock.get(name)
        if entry is None or entry.version != str(version):
            return frozenset()
        return frozenset(file.filename for file in entry.files)

    def best_first(self, candidates: Iterable[Candidate]) -> list[Candidate]:
        """Newest first (finals before pre-releases with prefer-final); installed first on ties."""
        prefer_final = self._settings.prefer_final

        def key(candidate: Candidate) -> tuple[bool, Version, bool]:
            final = prefer_final and not candidate.version.is_prerelease
            return final, candidate.version, candidate.installed is not None

        return sorted(candidates, key=key, reverse=True)

    def describe(self, name: str) -> str | None:
        """Where versions of ``name`` come from, for conflict messages; ``None``: nowhere.

        Only what is already known is told: the index is not asked again.
        """
        local = self._local.get(name, [])
        if local and local[0].own and self._settings.in_process:
            return f"{local[0]} is buildout's own, from the environment buildout runs in"
        if local and local[0].develop:
            assert local[0].installed is not None
            return f"{local[0]} is a develop project ({local[0].installed.location})"
        versions = {c.version: " (buildout's own)" if c.own else "" for c in local}
        unusable = self._unusable.get(name, {})
        for version, files in self._files.get(name, {}).items():
            if version not in unusable and version not in versions:
                yanked = bool(files) and all(file.yanked is not None for file in files)  # none: left out
                versions[version] = " (yanked)" if yanked else ""
        if not versions:
            return None
        return "versions found: " + _listed(versions, self._settings.pins.get(name))

    def held(self, name: str) -> str | None:
        """The distribution of ``name`` a conflict is about when one is fixed already, as text.

        That is a develop project, buildout's own one for its own process, or
        the version a pin names exactly when it exists; ``None`` otherwise.
        """
        local = self._local.get(name, [])
        if local and (local[0].develop or (local[0].own and self._settings.in_process)):
            return str(local[0])
        pin = self._settings.pins.get(name)
        exact = None if pin is None else pin.exact
        offered = exact in self._files.get(name, {}) and exact not in self._unusable.get(name, {})
        if exact is not None and (offered or any(c.version == exact for c in local)):
            return f"{pin.name} {exact}" if pin is not None else None
        return None

    def unusable(self, name: str) -> Mapping[Version, str]:
        """Versions of ``name`` whose files cannot be used here, and why."""
        return self._unusable.get(name, {})



def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None  # not something a requirement can match


def _listed(versions: Mapping[Version, str], pin: Pin | None) -> str:
    """The versions, each with its note, for a conflict message: all of a few, else those near the pin.

    A few are listed oldest first. Of many, the :data:`_LISTED` nearest the
    pinned version (the newest the pin allows, or the newest of all) are
    listed newest first, then how many there are.
    """
    ordered = sorted(versions)
    if len(ordered) <= _LISTED + 1:
        return ", ".join(f"{v}{versions[v]}" for v in ordered)
    anchor = ordered[-1] if pin is None else pin.exact
    if anchor is None:
        assert pin is not None
        allowed = [v for v in ordered if pin.specifier_set.contains(v, prereleases=True)]
        anchor = allowed[-1] if allowed else ordered[-1]
    start = min(max(bisect.bisect_left(ordered, anchor) - _LISTED // 2, 0), len(ordered) - _LISTED)
    near = reversed(ordered[start : start + _LISTED])
    return ", ".join(f"{v}{versions[v]}" for v in near) + f" ... ({len(ordered)} versions)"
