"""The distribution graph of a buildout, from what is installed: who requires what, and why that version.

A *root* is what asks for distributions: a part (the requirements of its
``eggs`` option, as the installation database recorded them), a recipe
(its distribution), an extension, or a develop project. Each root's
requirements are resolved as buildout resolves them, from the eggs and
develop-eggs directories alone: nothing is fetched, so a graph answers
without the network, and a distribution that is not installed is an error
telling to run buildout. Recipes and extensions resolve for buildout's own
process (its running distributions are used), parts and develop projects
as a part's distributions do.
"""

from __future__ import annotations

import collections
import dataclasses
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from zc.buildout.dists.installer import Installer
from zc.buildout.dists.resolve.conflicts import MissingDistribution
from zc.buildout.dists.store.eggs import InstalledDistribution, InstalledEggs
from zc.buildout.errors import Location, UserError
from zc.buildout.run.database import InstalledDatabase
from zc.buildout.run.parts import RecipeSpec

if TYPE_CHECKING:
    from zc.buildout.config.options import Configuration
    from zc.buildout.dists.resolve.result import Resolved
    from zc.buildout.dists.settings import InstallerSettings

__all__ = ["Edge", "Graph", "Node", "Origin", "Root", "distribution_graph"]

RootKind = Literal["part", "recipe", "extension", "develop"]
OriginKind = Literal["pinned", "locked", "picked", "develop"]

_EGG_RECIPE = "zc.recipe.egg"
"""Whose parts install their own name when they have no ``eggs`` option (as that recipe does)."""


@dataclasses.dataclass(frozen=True)
class Origin:
    """Why a distribution has the version it has."""

    kind: OriginKind
    """``pinned`` by the versions section, ``locked`` by the lock file, ``picked`` (unpinned),
    or ``develop`` (a develop project)."""
    specifier: str = ""
    """The pin's specifier (``==1.0``), when pinned or locked."""
    location: Location | None = None
    """The file and line of the pin, through ``extends`` and URLs."""


@dataclasses.dataclass(frozen=True)
class Edge:
    """A requirement, and the distribution (by canonical name) that meets it."""

    requirement: str
    """As written, extras and marker included."""
    key: str


@dataclasses.dataclass(frozen=True)
class Node:
    """A distribution of a root's resolution."""

    name: str
    """As its metadata spells it."""
    version: str
    origin: Origin
    requires: tuple[Edge, ...]
    """Its requirements that apply here (those of the extras asked of it included)."""

    @property
    def key(self) -> str:
        return canonicalize_name(self.name)

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


@dataclasses.dataclass(frozen=True)
class Root:
    """What asks for distributions, and what they resolve to."""

    kind: RootKind
    name: str
    """The part's name, the recipe's or extension's requirement, the develop project's name."""
    requires: tuple[Edge, ...]
    nodes: Mapping[str, Node]
    """The distributions of its resolution, by canonical name."""

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


@dataclasses.dataclass(frozen=True)
class Graph:
    """The roots of a buildout, parts first (in installation order)."""

    roots: tuple[Root, ...]

    def users(self, key: str) -> list[tuple[Root, Node]]:
        """Each root whose resolution holds the distribution ``key``, with its node."""
        return [(root, root.nodes[key]) for root in self.roots if key in root.nodes]


def distribution_graph(buildout: Configuration, settings: InstallerSettings,
                       parts: Sequence[str] = (), *, everything: bool = True) -> Graph:
    """The graph of the installed ``parts`` (all by default) and, if ``everything``, the
    recipes, extensions and develop projects too.

    A part that is not installed is an error; so is one the configuration
    does not have.
    """
    options = buildout["buildout"]
    database = InstalledDatabase(options.get("installed") or None)
    for part in parts:
        _check_installed(part, database, options.get("parts", "").split())
    chosen = list(parts) or database.parts
    wanted: list[tuple[RootKind, str, list[str]]] = [
        ("part", part, _part_requirements(part, database.options(part))) for part in chosen]
    if everything:
        recipes = dict.fromkeys(RecipeSpec.parse(database.options(part)["recipe"]).requirement
                                for part in chosen if database.options(part).get("recipe"))
        wanted += [("recipe", recipe, [recipe]) for recipe in recipes]
        wanted += [("extension", extension, [extension])
                   for extension in options.get("extensions", "").split()]
        develop = InstalledEggs(settings.eggs_directory, settings.develop_eggs_directory)
        wanted += [("develop", dist.name, [dist.name]) for dist in develop if dist.develop]
    resolver = _Resolver(settings)
    return Graph(tuple(resolver.root(kind, name, requirements) for kind, name, requirements in wanted))


def _check_installed(part: str, database: InstalledDatabase, configured: list[str]) -> None:
    if part in database.parts:
        return
    if part in configured:
        raise UserError(f"The part {part} is not installed.", hint="Run buildout to install it.")
    known = ", ".join(database.parts) or "none"
    raise UserError(f"There is no part named {part!r}.", hint=f"The installed parts are: {known}.")


def _part_requirements(part: str, saved: Mapping[str, str]) -> list[str]:
    """The requirements of a part's ``eggs`` option, as it was installed."""
    eggs = saved.get("eggs")
    if eggs is None:
        recipe = RecipeSpec.parse(saved.get("recipe", "")).name if saved.get("recipe") else ""
        eggs = part if recipe == _EGG_RECIPE else ""
    return [line.strip() for line in eggs.split("\n") if line.strip()]


class _Resolver:
    """Resolves roots offline, for a part's distributions or for buildout's own process."""

    def __init__(self, settings: InstallerSettings) -> None:
        offline = settings._replace(offline=True, newest=False)
        self._installers = {
            in_process: Installer(offline._replace(in_process=in_process))
            for in_process in (False, True)}
        self._pins = settings.pins
        self._lock = None if settings.lock is None else os.path.realpath(settings.lock.path)

    def root(self, kind: RootKind, name: str, requirements: Sequence[str]) -> Root:
        installer = self._installers[kind in ("recipe", "extension")]
        try:
            resolved = installer.resolution(requirements)
        except MissingDistribution as error:
            raise UserError(f"The {kind} {name} uses a distribution that is not installed: {error.wanted}.",
                            hint="Run buildout to install it.") from None
        except UserError as error:
            details = " ".join(str(arg) for arg in error.args)
            raise UserError(f"The {kind} {name} does not match what is installed. {details}",
                            hint="Run buildout to bring the installation up to date.") from None
        by_key: dict[str, Resolved] = {canonicalize_name(dist.name): dist for dist in resolved}
        wanted = [Requirement(text) for text in requirements]
        extras = _extras(wanted, by_key)
        nodes: dict[str, Node] = {key: self._node(dist, extras[key], by_key) for key, dist in by_key.items()}
        return Root(kind, name, _edges(wanted, by_key), nodes)

    def _node(self, dist: Resolved, extras: set[str], by_key: Mapping[str, Resolved]) -> Node:
        installed = dist.installed
        assert isinstance(installed, InstalledDistribution)
        return Node(dist.name, str(dist.version), self._origin(dist, installed),
                    _edges(installed.requires(sorted(extras)), by_key))

    def _origin(self, dist: Resolved, installed: InstalledDistribution) -> Origin:
        if installed.develop:
            return Origin("develop")
        pin = self._pins.get(canonicalize_name(dist.name))
        if pin is None:
            return Origin("picked")
        source = pin.location.source if pin.location is not None else ""
        locked = self._lock is not None and os.path.realpath(source) == self._lock
        return Origin("locked" if locked else "pinned", pin.specifier, pin.location)


def _edges(requirements: Sequence[Requirement], by_key: Mapping[str, Resolved]) -> tuple[Edge, ...]:
    """The requirements met by the resolution (those whose marker is false here are not)."""
    edges = []
    for requirement in requirements:
        key = canonicalize_name(requirement.name)
        if key in by_key:
            edges.append(Edge(str(requirement), key))
    return tuple(edges)


def _extras(wanted: Sequence[Requirement], by_key: Mapping[str, Resolved]) -> dict[str, set[str]]:
    """The extras asked of each distribution, following requirements from ``wanted``."""
    extras: dict[str, set[str]] = collections.defaultdict(set)
    seen: set[str] = set()
    pending = list(wanted)
    while pending:
        requirement = pending.pop()
        key = canonicalize_name(requirement.name)
        dist = by_key.get(key)
        new = set(requirement.extras) - extras[key]
        if dist is None or (key in seen and not new):
            continue
        seen.add(key)
        extras[key] |= new
        installed = dist.installed
        assert isinstance(installed, InstalledDistribution)
        pending.extend(installed.requires(sorted(extras[key])))
    return extras
