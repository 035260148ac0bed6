"""Requirements + ``[versions]`` pins -> the distributions to use (backtracking, resolvelib).

Who does what: :func:`resolve` runs resolvelib with a :class:`_Provider`,
which finds candidates (develop eggs, buildout's own distributions, the
eggs directory, the index through a :class:`Source`), orders them
(``prefer-final``, ``newest``), and reads their dependencies;
:mod:`zc.buildout.dists.conflicts` explains a failure.

Rules, in order, for one project: a develop egg wins outright; buildout's
own distributions come only from the running environment; an exact pin or
``==`` requirement already installed is used without asking the index; with
``newest = false`` installed versions come before the index's; offline,
only installed versions exist.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import resolvelib
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from zc.buildout.dists.candidates import (
    PYTHON,
    Candidate,
    Installed,
    Metadata,
    Need,
    dependencies,
    exact_version,
    installed_metadata,
    provides_extra,
    python_candidate,
)
from zc.buildout.errors import UserError

if TYPE_CHECKING:
    from zc.buildout.dists.pages import DistributionFile
    from zc.buildout.dists.settings import InstallerSettings, Pin

__all__ = ["Resolved", "Source", "resolve"]

logger = logging.getLogger("zc.buildout")


class Source(Protocol):
    """Where distributions not yet installed come from (the index ``Finder``).

    ``files`` lists every file of a project, ``cached`` those in the
    download cache; ``choose`` picks the best usable
    one among files of one version, or says why none is usable. The
    ``prefetch`` methods start reading in the background and call ``then``
    (in a worker thread) when done.
    """

    def files(self, name: str) -> list[DistributionFile]: ...
    def cached(self, name: str) -> list[DistributionFile]: ...
    def metadata(self, file: DistributionFile) -> Metadata: ...
    def prefetch(self, name: str, then: Callable[[], None] | None = None) -> None: ...
    def prefetch_metadata(
        self, file: DistributionFile, then: Callable[[Metadata], None] | None = None
    ) -> None: ...
    def choose(self, files: Iterable[DistributionFile]) -> DistributionFile | str: ...


@dataclasses.dataclass(frozen=True)
class Resolved:
    """One distribution of a resolution."""

    name: str
    """As its metadata spells it."""
    version: Version
    installed: Installed | None
    """Set when the distribution is already installed (or one of buildout's own)."""
    file: DistributionFile | None
    """Set when the distribution must be fetched and installed."""
    requirement: str
    """What was asked of it, e.g. ``demo<2``, for log lines."""
    picked: bool
    """No exact pin or ``==`` requirement chose the version: it was picked."""
    required_by: tuple[str, ...] = ()
    """``name==version`` of the distributions that require it; empty for top-level ones."""


def resolve(
    needs: Sequence[Need],
    settings: InstallerSettings,
    installed: Callable[[str], Sequence[Installed]],
    own: Mapping[str, Installed],
    source: Callable[[], Source] | None,
) -> list[Resolved]:
    """Resolve ``needs``; the result is in breadth-first order from the needs.

    ``installed(name)`` lists installed distributions of a canonical name
    (develop eggs first); ``own`` maps canonical names to buildout's own
    distributions; ``source`` makes the source when it is first needed (so a run
that needs no index does not even load it), and is ``None`` when offline.
    """
    provider = _Provider(settings, installed, own, source)
    provider.set_root(needs)
    for need in needs:
        provider.speculate(need)
    resolver: resolvelib.Resolver[Need, Candidate, str] = resolvelib.Resolver(
        provider, resolvelib.BaseReporter()
    )
    try:
        result = resolver.resolve(needs, max_rounds=10_000)
    except resolvelib.ResolutionImpossible as error:
        from zc.buildout.dists.conflicts import explain

        raise explain(error.causes, provider.describe, provider.unusable, settings) from None
    finally:
        provider.speculating = False
    return provider.results(result)


class _Provider(resolvelib.AbstractProvider[Need, Candidate, str]):
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
        self._online = source is not None
        self._local: dict[str, list[Candidate]] = {}
        self._files: dict[str, dict[Version, list[DistributionFile]]] = {}
        self._chosen: dict[tuple[str, Version, bool | str], Candidate | None] = {}
        self._unusable: dict[str, dict[Version, str]] = {}
        self._names: dict[str, str] = {}
        self.speculating = self._online
        """Reading ahead: on while resolving, with a source."""
        self._speculated: set[tuple[str, str]] = set()
        self._satisfied: dict[int, tuple[SpecifierSet, dict[Version, bool]]] = {}
        self._children: dict[str | None, list[str]] = {}
        """Identifiers each candidate's dependencies name, in their order (root: ``None``)."""

    def _source(self) -> Source:
        if self._made_source is None:
            assert self._make_source is not None, "offline: there is no source"
            self._made_source = self._make_source()
        return self._made_source

    def set_root(self, needs: Sequence[Need]) -> None:
        self._children[None] = [need.identifier for need in needs]

    # What the resolver asks.

    def identify(self, requirement_or_candidate: Need | Candidate) -> str:
        return requirement_or_candidate.identifier

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> tuple[bool, bool, bool, str]:
        needs = [info.requirement for info in information[identifier]]
        causes = {cause.requirement.name for cause in backtrack_causes}
        exact = any(exact_version(need.specifier) for need in needs)
        return identifier != PYTHON, needs[0].name not in causes, not exact, identifier

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Need]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> Callable[[], Iterator[Candidate]] | list[Candidate]:
        needs = list(requirements[identifier])
        excluded = set(incompatibilities[identifier])
        name, extras = needs[0].name, needs[0].extras
        if name == PYTHON:
            python = python_candidate()
            return [python] if all(self.is_satisfied_by(n, python) for n in needs) else []
        pin = self._pins.get(name)
        specifier = SpecifierSet(pin.specifier if pin else "")
        for need in needs:
            specifier &= need.specifier

        def ok(candidate: Candidate) -> bool:
            return candidate not in excluded and specifier.contains(
                candidate.version, prereleases=True)

        def matches() -> Iterator[Candidate]:
            for candidate in self._ordered(name, specifier):
                candidate = dataclasses.replace(candidate, extras=extras)
                if ok(candidate):
                    yield candidate

        return matches

    def is_satisfied_by(self, requirement: Need, candidate: Candidate) -> bool:
        # resolvelib asks this over and over (for every pin, at every step), with
        # the same few objects; hashing specifier sets is slow, so they are
        # known by identity (and kept, so an identity is never reused).
        specifier = requirement.specifier
        known = self._satisfied.get(id(specifier))
        if known is None or known[0] is not specifier:
            known = self._satisfied[id(specifier)] = (specifier, {})
        satisfied = known[1].get(candidate.version)
        if satisfied is None:
            satisfied = known[1][candidate.version] = specifier.contains(
                candidate.version, prereleases=True)
        return satisfied

    def get_dependencies(self, candidate: Candidate) -> list[Need]:
        if candidate.name == PYTHON:
            return []
        metadata = self._metadata(candidate)
        self._names.setdefault(candidate.name, metadata.get("Name") or candidate.name)
        extras = sorted(candidate.extras)
        for extra in extras:
            self._check_extra(candidate, metadata, extra)
        needs = dependencies(candidate, metadata, extras)
        self._children[candidate.identifier] = [need.identifier for need in needs]
        for need in needs:
            self.speculate(need)
        return needs

    # Reading ahead: while resolvelib works through the graph one step at a
    # time, worker threads walk ahead of it: the page of each need, the
    # metadata of the candidate most likely chosen, then its dependencies.
    # Everything read this way is kept by the source for when it is asked.

    def speculate(self, need: Need) -> None:
        """Start reading what ``need`` will probably need from the index."""
        key = (need.identifier, str(need.specifier))
        if not self.speculating or key in self._speculated or not self.needs_index(need):
            return
        self._speculated.add(key)
        self._source().prefetch(need.name, lambda: self._quietly(self._guess, need))

    def _guess(self, need: Need) -> None:
        pin = self._pins.get(need.name)
        specifier = need.specifier & SpecifierSet(pin.specifier if pin else "")
        best = next(self._ordered(need.name, specifier), None)
        if best is None:
            return
        best = dataclasses.replace(best, extras=need.extras)
        if best.file is None:
            self._follow(best, self._metadata(best))
        else:
            self._source().prefetch_metadata(
                best.file, lambda metadata: self._quietly(self._follow, best, metadata))

    def _follow(self, candidate: Candidate, metadata: Metadata) -> None:
        extras = sorted(candidate.extras)
        for extras_now in ([], extras) if extras else ([],):
            for need in dependencies(candidate, metadata, extras_now):
                self.speculate(need)

    def _quietly(self, function: Callable[..., None], *args: Any) -> None:
        """Run a read-ahead step; a failure here shows up again when resolvelib gets there."""
        try:
            if self.speculating:
                function(*args)
        except Exception:
            logger.debug("Reading ahead failed", exc_info=True)

    # Candidates.

    def needs_index(self, need: Need) -> bool:
        """Whether finding ``need`` will (probably) read the index: worth prefetching."""
        if need.name == PYTHON or not self._online:
            return False
        local = self._local_candidates(need.name)
        if local and (local[0].develop or local[0].own):
            return False
        pin = self._pins.get(need.name)
        exact = exact_version(need.specifier) or (pin is not None and pin.exact)
        if exact:
            return not any(c.version == exact for c in local) and not self._cached(need.name, exact)
        return self._settings.newest or not local

    def _ordered(self, name: str, specifier: SpecifierSet) -> Iterator[Candidate]:
        """Every candidate of ``name`` worth trying, best first; the index only when needed."""
        local = self._local_candidates(name)
        if local and (local[0].develop or local[0].own):
            yield from local[:1]
            return
        usable = [c for c in local if specifier.contains(c.version, prereleases=True)]
        exact = exact_version(specifier)
        if not self._online or (exact and usable):
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
            self._sorted(usable + self._remote_candidates(name, exact, specifier)))

    def _first_prefetched(self, candidates: Iterable[Candidate]) -> Iterator[Candidate]:
        """Yield ``candidates``, starting to read the metadata of the first one at once."""
        first = True
        for candidate in candidates:
            if first and candidate.file is not None:
                self._source().prefetch_metadata(candidate.file)
                first = False
            yield candidate

    def _local_candidates(self, name: str) -> list[Candidate]:
        local = self._local.get(name)
        if local is None:
            own = self._own.get(name)
            if own is not None:
                local = [Candidate(name, Version(own.version), installed=own, own=True)]
            else:
                found = [Candidate(name, version, installed=d)
                         for d in self._installed(name) if (version := _version(d.version))]
                develop = [c for c in found if c.develop]
                local = develop[:1] or self._sorted(found)
            self._local[name] = local
        return local

    def _remote_candidates(
        self, name: str, exact: Version | None, specifier: SpecifierSet
    ) -> list[Candidate]:
        """One candidate per version the source offers within ``specifier``, best first.

        Yanked files count only for an exact pin or ``==`` requirement (PEP 592).
        """
        found = []
        for version in self._remote_files(name):
            if specifier.contains(version, prereleases=True):
                candidate = self._remote_candidate(name, version, version == exact)
                if candidate is not None:
                    found.append(candidate)
        return self._sorted(found)

    def _cached(self, name: str, version: Version) -> Candidate | None:
        """The candidate for ``name==version`` from a file in the download cache, if any."""
        key = (name, version, "cached")
        if key not in self._chosen:
            files = [file for file in self._source().cached(name) if file.version == version]
            chosen = self._source().choose(files) if files else None
            self._chosen[key] = None if chosen is None or isinstance(chosen, str) else Candidate(
                name, version, file=chosen)
        return self._chosen[key]

    def _remote_files(self, name: str) -> dict[Version, list[DistributionFile]]:
        by_version = self._files.get(name)
        if by_version is None:
            by_version = {}
            for file in self._source().files(name):
                by_version.setdefault(file.version, []).append(file)
            self._files[name] = by_version
        return by_version

    def _remote_candidate(self, name: str, version: Version, allow_yanked: bool) -> Candidate | None:
        """The candidate for the best usable file of one version (cached), if there is one."""
        key = (name, version, allow_yanked)
        if key not in self._chosen:
            files = self._files[name][version]
            live = [file for file in files if file.yanked is None]
            chosen = self._source().choose(live) if live else "yanked"
            if isinstance(chosen, str) and allow_yanked and len(live) < len(files):
                chosen = self._source().choose([file for file in files if file.yanked is not None])
            if isinstance(chosen, str):
                if chosen != "yanked":
                    self._unusable.setdefault(name, {})[version] = chosen
                self._chosen[key] = None
            else:
                self._chosen[key] = Candidate(name, version, file=chosen)
        return self._chosen[key]

    def _sorted(self, candidates: Iterable[Candidate]) -> list[Candidate]:
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
        if local and local[0].own:
            return f"{local[0]} is buildout's own, from the environment buildout runs in"
        if local and local[0].develop:
            assert local[0].installed is not None
            return f"{local[0]} is a develop project ({local[0].installed.location})"
        versions = {c.version: "" for c in local}
        unusable = self._unusable.get(name, {})
        for version, files in self._files.get(name, {}).items():
            if version not in unusable and version not in versions:
                yanked = all(file.yanked is not None for file in files)
                versions[version] = " (yanked)" if yanked else ""
        if not versions:
            return None
        return "versions found: " + ", ".join(f"{v}{versions[v]}" for v in sorted(versions))

    def unusable(self, name: str) -> Mapping[Version, str]:
        """Versions of ``name`` whose files cannot be used here, and why."""
        return self._unusable.get(name, {})

    # Metadata.

    def _metadata(self, candidate: Candidate) -> Metadata:
        if candidate.installed is not None:
            return installed_metadata(candidate.installed)
        assert candidate.file is not None
        return self._source().metadata(candidate.file)

    def _check_extra(self, candidate: Candidate, metadata: Metadata, extra: str) -> None:
        if provides_extra(metadata, extra):
            return
        name = self._names.get(candidate.name, candidate.name)
        logger.warning("%s %s does not provide the extra '%s'", name, candidate.version, extra)
        if not self._settings.allow_unknown_extras:
            raise UserError(
                f"Couldn't find the required extra '{extra}' of {name} {candidate.version}.",
                hint="Set allow-unknown-extras = true to go on without it.",
            )

    # The outcome.

    def results(self, result: Any) -> list[Resolved]:
        order = _breadth_first(result.graph, self._children)
        requirers: dict[str, set[str]] = collections.defaultdict(set)
        needs: dict[str, list[Need]] = collections.defaultdict(list)
        for identifier, criterion in result.criteria.items():
            for requirement, parent in criterion.information:
                if parent is not None and parent.name == requirement.name:
                    continue  # the link from "name[extra]" to "name"
                needs[requirement.name].append(requirement)
                if parent is not None:
                    requirers[requirement.name].add(
                        f"{self._names.get(parent.name, parent.name)}=={parent.version}")
        resolved = []
        for name in order:
            candidate: Candidate = result.mapping[name]
            resolved.append(self._resolved(candidate, needs[name], requirers[name]))
        return resolved

    def _resolved(self, candidate: Candidate, needs: list[Need], requirers: set[str]) -> Resolved:
        pin = self._pins.get(candidate.name)
        specifier = SpecifierSet(pin.specifier if pin else "")
        for need in needs:
            specifier &= need.specifier
        exact = (pin is not None and pin.exact) or any(exact_version(n.specifier) for n in needs)
        name = self._names.get(candidate.name, candidate.name)
        return Resolved(
            name=name,
            version=candidate.version,
            installed=candidate.installed,
            file=candidate.file,
            requirement=f"{name}{specifier}",
            picked=not (exact or candidate.develop or candidate.own),
            required_by=tuple(sorted(requirers)),
        )


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None  # not something a requirement can match


def _breadth_first(graph: Any, order: Mapping[str | None, list[str]]) -> list[str]:
    """Project names reachable from the root, breadth first, extras folded in.

    Children are visited in the order their parent lists them (``order``).
    """
    found: dict[str, None] = {}
    queue: collections.deque[str | None] = collections.deque([None])
    visited: set[str | None] = set()
    while queue:
        node = queue.popleft()
        if node in visited:
            continue
        visited.add(node)
        if node is not None and node != PYTHON:
            found.setdefault(node.partition("[")[0])
        listed = order.get(node, [])
        rank: dict[str, int] = {child: index for index, child in enumerate(listed)}
        children: list[str] = sorted(
            graph.iter_children(node), key=lambda child: (rank.get(child, len(listed)), child))
        queue.extend(children)
    return list(found)
