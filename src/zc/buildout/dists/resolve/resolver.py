"""Requirements + ``[versions]`` pins -> the distributions to use (backtracking, resolvelib).

Who does what: :func:`resolve` runs resolvelib with a :class:`_Provider`,
which applies the pins, reads dependencies and reads ahead;
:class:`~zc.buildout.dists.resolve.available.Available` says which candidates each
project has, best first; :mod:`zc.buildout.dists.resolve.conflicts` explains a
failure.
"""

from __future__ import annotations

import collections
import dataclasses
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import resolvelib
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from zc.buildout.dists.metadata import Metadata
from zc.buildout.dists.resolve.available import Available, Source
from zc.buildout.dists.resolve.candidates import (
    PYTHON,
    Candidate,
    Installed,
    Need,
    dependencies,
    provides_extra,
    python_candidate,
)
from zc.buildout.dists.resolve.conflicts import explain
from zc.buildout.dists.resolve.result import Resolved, breadth_first
from zc.buildout.dists.settings import exact_version
from zc.buildout.errors import UserError

if TYPE_CHECKING:
    from zc.buildout.dists.settings import InstallerSettings

__all__ = ["Resolved", "Source", "resolve"]

logger = logging.getLogger("zc.buildout")


def resolve(
    needs: Sequence[Need],
    settings: InstallerSettings,
    installed: Callable[[str], Sequence[Installed]],
    own: Mapping[str, Installed],
    source: Callable[[], Source] | None,
    max_rounds: int = 10_000,
) -> list[Resolved]:
    """Resolve ``needs``; the result is in breadth-first order from the needs.

    ``installed``, ``own`` and ``source`` say what is available (see
    :class:`~zc.buildout.dists.resolve.available.Available`); ``source`` is ``None``
    when offline. A resolution still backtracking after ``max_rounds``
    rounds is given up with a :class:`UserError`.
    """
    provider = _Provider(settings, installed, own, source, needs)
    try:
        found = provider.greedy(needs)
        if found is not None:
            return found
        resolver: resolvelib.Resolver[Need, Candidate, str] = resolvelib.Resolver(
            provider, resolvelib.BaseReporter()
        )
        result = resolver.resolve(needs, max_rounds=max_rounds)
    except resolvelib.ResolutionImpossible as error:
        raise provider.explain(error.causes) from None
    except resolvelib.ResolutionTooDeep:
        raise UserError(
            f"Gave up resolving {', '.join(map(str, needs))} after {max_rounds} rounds"
            " of backtracking.",
            hint="Pin versions in the [versions] section to narrow the choice.",
        ) from None
    finally:
        provider.speculating = False
    information = {key: criterion.information for key, criterion in result.criteria.items()}
    graph = result.graph
    return provider.results(
        result.mapping, lambda node: [c for c in graph.iter_children(node) if c], information)


class _Provider(resolvelib.AbstractProvider[Need, Candidate, str]):
    def __init__(
        self,
        settings: InstallerSettings,
        installed: Callable[[str], Sequence[Installed]],
        own: Mapping[str, Installed],
        source: Callable[[], Source] | None,
        needs: Sequence[Need],
    ) -> None:
        self._settings = settings
        self._pins = settings.pins
        self.available = Available(settings, installed, own, source)
        self._names: dict[str, str] = {}
        self.speculating = self.available.online
        """Reading ahead: on while resolving, with a source."""
        self._speculated: set[tuple[str, str]] = set()
        self._satisfied: dict[int, tuple[SpecifierSet, dict[Version, bool]]] = {}
        self._parsed: dict[tuple[str, Version, int, tuple[str, ...]], tuple[Metadata, list[Need]]] = {}
        self._children: dict[str | None, list[str]] = {None: [n.identifier for n in needs]}
        """Identifiers each candidate's dependencies name, in their order (root: ``None``)."""
        for need in needs:
            self.speculate(need)

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
            usable = python not in excluded and all(self.is_satisfied_by(n, python) for n in needs)
            return [python] if usable else []
        specifier = self._allowed(name, needs)

        def ok(candidate: Candidate) -> bool:
            return candidate not in excluded and specifier.contains(
                candidate.version, prereleases=True)

        def matches() -> Iterator[Candidate]:
            for candidate in self.available.ordered(name, specifier):
                candidate = dataclasses.replace(candidate, extras=extras)
                if ok(candidate):
                    yield candidate

        return matches

    def _allowed(self, name: str, needs: Iterable[Need]) -> SpecifierSet:
        """The versions of ``name`` that its pin and ``needs`` all allow."""
        pin = self._pins.get(name)
        specifier = pin.specifier_set if pin else SpecifierSet()
        for need in needs:
            specifier &= need.specifier
        return specifier

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
        needs = self._dependencies(candidate, metadata, extras)
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
        if not self.speculating or key in self._speculated:
            return
        self._speculated.add(key)
        if not self.available.needs_index(need):
            return
        self.available.source().prefetch(need.name, lambda: self._quietly(self._guess, need))

    def _guess(self, need: Need) -> None:
        specifier = self._allowed(need.name, [need])
        best = next(self.available.ordered(need.name, specifier), None)
        if best is None:
            return
        best = dataclasses.replace(best, extras=need.extras)
        if best.file is None:
            self._follow(best, self._metadata(best))
        else:
            source = self.available.source()
            source.prefetch_archive(best.file)  # downloaded while resolving goes on
            source.prefetch_metadata(
                best.file, lambda metadata: self._quietly(self._follow, best, metadata))

    def _follow(self, candidate: Candidate, metadata: Metadata) -> None:
        extras = sorted(candidate.extras)
        for extras_now in ([], extras) if extras else ([],):
            for need in self._dependencies(candidate, metadata, extras_now):
                self.speculate(need)

    def _dependencies(self, candidate: Candidate, metadata: Metadata, extras: list[str]) -> list[Need]:
        """:func:`dependencies`, parsed once: reading ahead and resolving ask for the same ones."""
        key = (candidate.name, candidate.version, id(metadata), tuple(extras))
        known = self._parsed.get(key)
        if known is None or known[0] is not metadata:  # kept with its metadata: an identity is never reused
            known = self._parsed[key] = (metadata, dependencies(candidate, metadata, extras))
        return known[1]

    def _quietly(self, function: Callable[..., None], *args: Any) -> None:
        """Run a read-ahead step; a failure here shows up again when resolvelib gets there."""
        try:
            if self.speculating:
                function(*args)
        except Exception:
            logger.debug("Reading ahead failed", exc_info=True)

    # Metadata.

    def _metadata(self, candidate: Candidate) -> Metadata:
        if candidate.installed is not None:
            return candidate.installed.metadata.metadata
        assert candidate.file is not None
        return self.available.source().metadata(candidate.file)

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

    # Without backtracking: taking, for each project, the best candidate
    # allowed by what is known when it is first needed is what resolvelib
    # would choose too, as long as nothing met later excludes it. That is the
    # common case, and one pass over the graph is much cheaper than
    # resolvelib's rounds (which check every pin at every step).

    def greedy(self, needs: Sequence[Need]) -> list[Resolved] | None:
        """The resolution found in one breadth-first pass, or ``None`` if that falls short."""
        chosen: dict[str, Candidate] = {}
        information: dict[str, list[tuple[Need, Candidate | None]]] = collections.defaultdict(list)
        queue: collections.deque[tuple[Need, Candidate | None]] = collections.deque(
            (need, None) for need in needs)
        while queue:
            need, parent = queue.popleft()
            information[need.identifier].append((need, parent))
            if need.name == PYTHON:
                chosen.setdefault(PYTHON, python_candidate())
            current = chosen.get(need.identifier)
            if current is not None:
                if not self.is_satisfied_by(need, current):
                    return None
                continue
            seen = [known for known, _ in information[need.identifier]]
            specifier = self._allowed(need.name, seen)
            best = next((c for c in self.available.ordered(need.name, specifier)
                         if specifier.contains(c.version, prereleases=True)), None)
            if best is None:
                self._fail_if_certain(need, information)
                return None
            candidate = chosen[need.identifier] = (
                best if best.extras == need.extras else dataclasses.replace(best, extras=need.extras))
            queue.extend((dependency, candidate) for dependency in self.get_dependencies(candidate))
        return self.results(chosen, lambda node: self._children.get(node, []), information)

    def _fail_if_certain(
        self, need: Need, information: Mapping[str, list[tuple[Need, Candidate | None]]]
    ) -> None:
        """Raise the missing-distribution error if no backtracking can find ``need``.

        That is so when its project has no candidates at all and every
        distribution on the way from the buildout to it is the only one its
        requirement (and pin) allows.
        """
        if next(self.available.ordered(need.name, SpecifierSet()), None) is not None:
            return
        parent = information[need.identifier][-1][1]
        while parent is not None:
            link, above = information[parent.identifier][0]
            allowed = self._allowed(parent.name, [link])
            choices = (c for c in self.available.ordered(parent.name, allowed)
                       if allowed.contains(c.version, prereleases=True))
            if len(list(itertools.islice(choices, 2))) > 1:
                return
            parent = above
        raise self.explain(information[need.identifier])

    def explain(self, causes: Iterable[tuple[Need, Candidate | None]]) -> UserError:
        """The error telling why ``causes`` (``(need, parent)`` pairs) cannot be met."""
        def who(parent: Candidate) -> str:
            return f"{self._names.get(parent.name, parent.name)} {parent.version}"

        available = self.available
        return explain(causes, available.describe, available.unusable, self._settings, who, available.held)

    def results(
        self,
        mapping: Mapping[str, Candidate],
        children: Callable[[str | None], Iterable[str]],
        information: Mapping[str, Iterable[tuple[Need, Candidate | None]]],
    ) -> list[Resolved]:
        """The chosen candidates as :class:`Resolved`, breadth first from the root.

        ``children`` gives the identifiers a node (``None``: the root) depends
        on; ``information`` the ``(need, parent)`` pairs of each identifier.
        """
        order = breadth_first(children, self._children)
        requirers: dict[str, set[str]] = collections.defaultdict(set)
        needs: dict[str, list[Need]] = collections.defaultdict(list)
        for pairs in information.values():
            for requirement, parent in pairs:
                if parent is not None and parent.name == requirement.name:
                    continue  # the link from "name[extra]" to "name"
                needs[requirement.name].append(requirement)
                if parent is not None:
                    requirers[requirement.name].add(
                        f"{self._names.get(parent.name, parent.name)}=={parent.version}")
        resolved = []
        for name in order:
            candidate = mapping[name]
            resolved.append(self._resolved(candidate, needs[name], requirers[name]))
        return resolved

    def _resolved(self, candidate: Candidate, needs: list[Need], requirers: set[str]) -> Resolved:
        specifier = self._allowed(candidate.name, needs)
        exact = exact_version(specifier)
        name = self._names.get(candidate.name, candidate.name)
        return Resolved(
            name=name,
            version=str(candidate.version),
            installed=candidate.installed,
            file=candidate.file,
            requirement=f"{name}=={exact}" if exact else f"{name}{specifier}",
            picked=not (exact or candidate.develop or candidate.own),
            required_by=tuple(sorted(requirers)),
        )
