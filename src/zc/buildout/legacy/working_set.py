"""Working sets and environments: the distributions a part (or the process) can import.

A :class:`WorkingSet` is an ordered set of distributions, one per project,
with the path entries they live in; it is what ``zc.buildout.easy_install``
returns to recipes and what scripts are generated from. ``by_key`` finds a
distribution under any spelling of its name (``zope.interface``,
``zope-interface``, ``Zope_Interface``). An :class:`Environment` holds
every version found on a search path.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterable, Iterator, MutableMapping
from typing import Any

from zc.buildout.dists.metadata import canonical_name
from zc.buildout.legacy.distribution import Distribution, EntryPoint, distributions_at
from zc.buildout.legacy.requirement import (
    DistributionNotFound,
    Requirement,
    VersionConflict,
    parse_requirements,
)

__all__ = ["DistributionsByKey", "Environment", "WorkingSet"]


class DistributionsByKey(MutableMapping[str, Distribution]):
    """Distributions by name; any spelling of a name (``.``, ``-``, ``_``, case) finds it.

    Iterating gives each distribution's ``key`` (``zope.interface``).
    """

    def __init__(self) -> None:
        self._dists: dict[str, Distribution] = {}

    def __getitem__(self, name: str) -> Distribution:
        return self._dists[canonical_name(name)]

    def __setitem__(self, name: str, dist: Distribution) -> None:
        self._dists[canonical_name(name)] = dist

    def __delitem__(self, name: str) -> None:
        del self._dists[canonical_name(name)]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and canonical_name(name) in self._dists

    def __iter__(self) -> Iterator[str]:
        return (dist.key for dist in self._dists.values())

    def __len__(self) -> int:
        return len(self._dists)

    def __repr__(self) -> str:
        return repr(dict(self))


class WorkingSet:
    """Distributions in path order, at most one per project.

    Built from path entries (``None``: ``sys.path``), each scanned for the
    distributions it holds, or from the installer's results with
    :meth:`from_installed`.
    """

    def __init__(self, entries: Iterable[str] | None = None) -> None:
        self.entries: list[str] = []
        self.entry_keys: dict[str, list[str]] = {}
        self.by_key = DistributionsByKey()
        for entry in sys.path if entries is None else entries:
            self.add_entry(entry)

    @classmethod
    def from_installed(cls, installed: Iterable[Any]) -> WorkingSet:
        """From the installer's distributions (with ``location``, ``metadata``, ``develop``)."""
        working_set = cls(())
        for dist in installed:
            working_set.add(Distribution.from_installed(dist))
        return working_set

    def __deepcopy__(self, memo: dict[int, Any]) -> WorkingSet:
        # Recipes copy a working set for each part using it (zc.recipe.egg
        # does): the same copy as copy.deepcopy's, without its bookkeeping
        # for each of the thousands of strings and lists.
        copied = copy.copy(self)
        copied.entries = list(self.entries)
        copied.entry_keys = {entry: list(keys) for entry, keys in self.entry_keys.items()}
        copied.by_key = DistributionsByKey()
        for key in self.by_key:
            dist = self.by_key[key]
            copied.by_key[key] = memo[id(dist)] = copy.copy(dist)
        return copied

    def add_entry(self, entry: str) -> None:
        """Add the path entry ``entry`` and the distributions found there."""
        self.entry_keys.setdefault(entry, [])
        if entry not in self.entries:
            self.entries.append(entry)
        for dist in distributions_at(entry):
            self.add(dist, entry)

    def add(self, dist: Distribution, entry: str | None = None, insert: bool = True, replace: bool = False) -> None:
        """Add ``dist`` (listed under ``entry``, its location by default) unless its project is here.

        ``insert`` is accepted for compatibility; entries are kept in the
        order they arrive. ``replace=True`` replaces another version.
        """
        entry = dist.location if entry is None else entry
        if dist.key in self.by_key:
            if not replace:
                return
            for keys in self.entry_keys.values():
                if dist.key in keys:
                    keys.remove(dist.key)
        if entry not in self.entries:
            self.entries.append(entry)
        keys = self.entry_keys.setdefault(entry, [])
        if dist.key not in keys:
            keys.append(dist.key)
        self.by_key[dist.key] = dist

    def __iter__(self) -> Iterator[Distribution]:
        seen = set()
        for entry in self.entries:
            for key in self.entry_keys.get(entry, ()):
                if key not in seen:
                    seen.add(key)
                    yield self.by_key[key]

    def __contains__(self, dist: object) -> bool:
        return isinstance(dist, Distribution) and self.by_key.get(dist.key) == dist

    def find(self, req: Requirement) -> Distribution | None:
        """The distribution of ``req``'s project, or ``None``.

        Raises :class:`VersionConflict` when that distribution's version does
        not satisfy ``req``.
        """
        dist = self.by_key.get(req.key)
        if dist is not None and dist not in req:
            raise VersionConflict(dist, req)
        return dist

    def resolve(self, requirements: Iterable[Requirement]) -> list[Distribution]:
        """The distributions ``requirements`` need, with their dependencies, from this set.

        Raises :class:`DistributionNotFound` or :class:`VersionConflict`,
        naming the distributions that required the missing one.
        """
        queue: list[tuple[Requirement, str | None]] = [(req, None) for req in requirements]
        required_by: dict[Requirement, set[str]] = {}
        needed: list[Distribution] = []
        done: set[Requirement] = set()
        while queue:
            req, requirer = queue.pop(0)
            if requirer is None and not req.applies():
                continue
            if requirer is not None:
                required_by.setdefault(req, set()).add(requirer)
            if req in done:
                continue
            done.add(req)
            dist = self.by_key.get(req.key)
            if dist is None:
                raise DistributionNotFound(req, required_by.get(req, ()))
            if dist not in req:
                raise VersionConflict(dist, req, required_by.get(req, ()))
            if dist not in needed:
                needed.append(dist)
            queue.extend((dependency, dist.project_name) for dependency in dist.requires(req.extras))
        return needed

    def require(self, *requirements: str | Requirement) -> list[Distribution]:
        """Like :meth:`resolve`, for requirement strings (or :class:`Requirement` objects)."""
        parsed = [
            req for text in requirements
            for req in ([text] if isinstance(text, Requirement) else parse_requirements(text))
        ]
        return self.resolve(parsed)

    def iter_entry_points(self, group: str, name: str | None = None) -> Iterator[EntryPoint]:
        """The entry points of ``group`` (named ``name``, if given) of every distribution."""
        for dist in self:
            for entry_point in dist.get_entry_map(group).values():
                if name is None or entry_point.name == name:
                    yield entry_point

    def __repr__(self) -> str:
        return f"<WorkingSet: {', '.join(str(dist) for dist in self)}>"


class Environment:
    """Every distribution version found on a search path (``None``: ``sys.path``), newest first."""

    def __init__(self, search_path: Iterable[str] | None = None) -> None:
        self._dists: dict[str, list[Distribution]] = {}
        self.scan(search_path)

    def scan(self, search_path: Iterable[str] | None = None) -> None:
        for entry in sys.path if search_path is None else search_path:
            for dist in distributions_at(entry):
                self.add(dist)

    def add(self, dist: Distribution) -> None:
        dists = self._dists.setdefault(dist.canonical_name, [])
        if dist not in dists:
            dists.append(dist)
            dists.sort(reverse=True)

    def __getitem__(self, project_name: str) -> list[Distribution]:
        return list(self._dists.get(canonical_name(project_name), ()))

    def __iter__(self) -> Iterator[str]:
        return (dists[0].key for dists in self._dists.values() if dists)

    def best_match(self, req: Requirement, working_set: WorkingSet, *args: object, **kwargs: object) -> Distribution | None:
        """The distribution in ``working_set`` for ``req``, else the newest here that fits."""
        dist = working_set.find(req)
        if dist is not None:
            return dist
        return next((dist for dist in self[req.key] if dist in req), None)
