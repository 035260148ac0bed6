"""Installed distributions and their entry points as recipes written for ``pkg_resources`` see them.

A :class:`Distribution` is a location (the ``sys.path`` entry: an egg
directory, a develop project's code directory, or ``site-packages``) plus
the view of its metadata directory (:mod:`zc.buildout.dists.store.distinfo`).
"""

from __future__ import annotations

import copy
import functools
import importlib
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from zc.buildout.dists.metadata import canonical_name
from zc.buildout.dists.versions import valid_version
from zc.buildout.legacy.requirement import (
    Requirement,
    UnknownExtra,
    safe_extra,
    safe_name,
    to_filename,
    yield_lines,
)

if TYPE_CHECKING:
    import importlib.metadata

    from packaging.version import Version

    from zc.buildout.dists.store import distinfo

__all__ = [
    "BINARY_DIST",
    "CHECKOUT_DIST",
    "DEVELOP_DIST",
    "EGG_DIST",
    "SOURCE_DIST",
    "Distribution",
    "EntryPoint",
    "distributions_at",
]

# How a distribution was made, as ``precedence`` reports it; larger wins a tie.
EGG_DIST = 3
BINARY_DIST = 2
SOURCE_DIST = 1
CHECKOUT_DIST = 0
DEVELOP_DIST = -1


class EntryPoint:
    """A named object in a distribution's module: ``name = module:attrs [extras]``."""

    def __init__(
        self,
        entry_point: distinfo.MetadataEntryPoint | importlib.metadata.EntryPoint,
        dist: Distribution | None = None,
    ) -> None:
        self.name = entry_point.name
        self.group = entry_point.group
        self.module_name = entry_point.module
        self.attrs = tuple(entry_point.attr.split(".")) if entry_point.attr else ()
        self.extras = tuple(entry_point.extras)
        self.dist = dist

    def resolve(self) -> Any:
        """Import the module and return the object."""
        target: Any = importlib.import_module(self.module_name)
        for attr in self.attrs:
            target = getattr(target, attr)
        return target

    def load(self, require: bool = True, *args: object, **kwargs: object) -> Any:
        """The object; ``require`` is accepted for compatibility (the path is already set)."""
        return self.resolve()

    def __str__(self) -> str:
        text = f"{self.name} = {self.module_name}"
        if self.attrs:
            text += ":" + ".".join(self.attrs)
        if self.extras:
            text += f" [{','.join(self.extras)}]"
        return text

    def __repr__(self) -> str:
        return f"EntryPoint.parse({str(self)!r})"


@functools.total_ordering
class Distribution:
    """One installed distribution version at one location."""

    def __init__(
        self,
        location: str,
        metadata: distinfo.Distribution,
        precedence: int = EGG_DIST,
    ) -> None:
        self.location = location
        self.metadata = metadata
        self.precedence = precedence
        self.project_name = safe_name(metadata.name or "")
        self.key = self.project_name.lower()
        self.version: str = metadata.version or ""

    def __deepcopy__(self, memo: dict[int, Any]) -> Distribution:
        # The attributes are strings and numbers, but for the metadata view,
        # which is only ever read: copies share it (a working set is copied
        # for every part using it, as upstream's recipes do).
        return copy.copy(self)

    @classmethod
    def from_installed(cls, installed: Any) -> Distribution:
        """From what the installer returns (``location``, ``metadata``, ``develop``)."""
        return cls(installed.location, installed.metadata, DEVELOP_DIST if installed.develop else EGG_DIST)

    @property
    def canonical_name(self) -> str:
        return canonical_name(self.project_name)

    @property
    def parsed_version(self) -> Version:
        from packaging.version import Version  # start-up: a no-op run compares no versions

        return Version(self.version)

    @property
    def py_version(self) -> str:
        return f"{sys.version_info[0]}.{sys.version_info[1]}"

    @property
    def extras(self) -> list[str]:
        """The extras the distribution provides."""
        return [safe_extra(extra) for extra in self.metadata.metadata.get_all("Provides-Extra") or ()]

    def requires(self, extras: Sequence[str] = ()) -> list[Requirement]:
        """What this distribution needs here, including what the given extras add."""
        wanted = [safe_extra(extra) for extra in extras]
        unknown = sorted(set(wanted) - set(self.extras))
        if unknown:
            raise UnknownExtra(f"{self} has no such extra feature {unknown[0]!r}")
        needed = []
        for text in self.metadata.requires or ():
            requirement = Requirement(text)
            if requirement.applies(wanted) and requirement not in needed:
                needed.append(requirement)
        return needed

    def as_requirement(self) -> Requirement:
        return Requirement.pinned(self.project_name, self.version)

    def egg_name(self) -> str:
        """``Name-1.0-py3.11``: the egg directory name without ``.egg``."""
        base = os.path.basename(self.location.rstrip(os.sep))
        if base.endswith(".egg"):
            return base[: -len(".egg")]
        return f"{to_filename(self.project_name)}-{to_filename(self.version)}-py{self.py_version}"

    # Metadata files, e.g. ``top_level.txt`` or ``namespace_packages.txt``.

    def has_metadata(self, name: str) -> bool:
        return self.metadata.read_text(name) is not None or name == "top_level.txt"

    def get_metadata(self, name: str) -> str:
        text = self.metadata.read_text(name)
        if text is None and name == "top_level.txt":
            text = "".join(f"{package}\n" for package in self._top_level())
        if text is None:
            raise KeyError(f"{self} has no metadata file {name!r}")
        return text

    def get_metadata_lines(self, name: str) -> Iterator[str]:
        return yield_lines(self.get_metadata(name))

    def _get_metadata(self, name: str) -> Iterator[str]:
        """The lines of metadata file ``name``; none when it does not exist."""
        if self.has_metadata(name):
            yield from self.get_metadata_lines(name)

    def _top_level(self) -> list[str]:
        """Top-level importable names, from the files the distribution installed."""
        names = set()
        import pathlib  # start-up: importlib.metadata and email are slow to import

        for path in self.metadata.files or ():
            parts = pathlib.PurePosixPath(str(path)).parts
            if not parts or parts[0] in ("..", "__pycache__") or parts[0].endswith((".dist-info", ".data", ".pth")):
                continue
            top = parts[0]
            if len(parts) == 1:
                if not top.endswith(".py") and ".cpython-" not in top and not top.endswith((".so", ".pyd")):
                    continue
                top = top.split(".")[0]
            names.add(top)
        return sorted(names)

    # Entry points.

    def get_entry_map(self, group: str | None = None) -> dict[str, Any]:
        """``{group: {name: EntryPoint}}``, or ``{name: EntryPoint}`` for one group."""
        groups: dict[str, dict[str, EntryPoint]] = {}
        for entry_point in self.metadata.entry_points:
            groups.setdefault(entry_point.group, {})[entry_point.name] = EntryPoint(entry_point, self)
        if group is not None:
            return groups.get(group, {})
        return groups

    def get_entry_info(self, group: str, name: str) -> EntryPoint | None:
        entry_point: EntryPoint | None = self.get_entry_map(group).get(name)
        return entry_point

    def load_entry_point(self, group: str, name: str) -> Any:
        entry_point = self.get_entry_info(group, name)
        if entry_point is None:
            raise ImportError(f"Entry point {(group, name)!r} not found")
        return entry_point.load()

    # Comparison, as pkg_resources orders distributions.

    def _order(self) -> tuple[object, ...]:
        from packaging.version import Version  # start-up: a no-op run orders no distributions

        version = Version(self.version if valid_version(self.version) else "0")
        return (version, self.precedence, self.key, self.location)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Distribution) and self._order() == other._order()

    def __lt__(self, other: Distribution) -> bool:
        return self._order() < other._order()

    def __hash__(self) -> int:
        return hash(self._order())

    def __str__(self) -> str:
        return f"{self.project_name} {self.version}"

    def __repr__(self) -> str:
        return f"{self} ({self.location})"


def distributions_at(entry: str) -> list[Distribution]:
    """The distributions whose metadata is found at the path entry ``entry``.

    An egg directory holds one; ``site-packages`` many; a develop-eggs
    directory holds develop projects, whose location is the directory named
    on the first line of the ``<Name>.egg-link`` beside their metadata.
    """
    found = []
    egg_links = _egg_links(entry)
    for metadata in _metadata_in(entry):
        name = canonical_name(metadata.metadata["Name"] or "")
        if name in egg_links:
            found.append(Distribution(egg_links[name], metadata, DEVELOP_DIST))
        else:
            found.append(Distribution(entry, metadata))
    return sorted(found, key=lambda dist: dist.key)


def _metadata_in(entry: str) -> Iterable[importlib.metadata.Distribution]:
    import importlib.metadata  # start-up: importlib.metadata and email are slow to import
    import pathlib  # start-up: importlib.metadata and email are slow to import

    yield from importlib.metadata.distributions(path=[entry])
    legacy = os.path.join(entry, "EGG-INFO")
    if os.path.isdir(legacy):
        yield importlib.metadata.PathDistribution(pathlib.Path(legacy))


def _egg_links(entry: str) -> dict[str, str]:
    """Canonical name -> project code directory, for the ``.egg-link`` files in ``entry``."""
    links: dict[str, str] = {}
    try:
        names = os.listdir(entry)
    except OSError:
        return {}
    for name in names:
        if name.endswith(".egg-link"):
            with open(os.path.join(entry, name), encoding="utf-8") as file:
                target = file.readline().strip()
            links[canonical_name(name[: -len(".egg-link")])] = os.path.normpath(os.path.join(entry, target))
    return links
