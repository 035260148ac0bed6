"""Parts, their recipes and the extensions: the code a run loads from distributions.

Which parts run, and ``recipe = requirement[:entry]`` lookup. A recipe is an
entry point of the ``zc.buildout`` group. Its distribution is taken from this
process when it is there (develop projects are, through the develop-eggs
directory), else installed into the eggs directory by the installer and
added to ``sys.path``.

Extensions (``[buildout] extensions``) are found the same way: each listed
distribution's ``zc.buildout.extension`` entry points are called with the
``Buildout`` object before the develop step and the parts, its
``zc.buildout.unloadextension`` entry points after a successful run. Only
the listed distributions' entry points are called (upstream called every
one in the process).
"""

from __future__ import annotations

import functools
import importlib
import re
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from zc.buildout.dists.metadata import canonical_name
from zc.buildout.dists.store.distinfo import Distribution, editable_project, find
from zc.buildout.errors import Location, UserError, doing
from zc.buildout.run.pkgresources import ensure_pkg_resources, spread_namespaces

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from zc.buildout.config.options import Configuration, Options

__all__ = ["LoadedRecipe", "RecipeSpec", "Recipes", "load_extensions", "requested_parts", "unload_extensions"]

_BARE_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*\Z")
_ENTRY = re.compile(r"[\w.-]+\Z")

Installer = Callable[[Sequence[str]], Sequence[str]]
"""Installs requirements; returns the path entries that make them importable."""


class RecipeSpec:
    """A parsed ``recipe`` option."""

    def __init__(self, requirement: str, entry: str) -> None:
        self.requirement = requirement
        """The requirement of the recipe's distribution, e.g. ``zc.recipe.egg >=2``."""
        self.entry = entry
        """The entry point name in the ``zc.buildout`` group (``default`` if not given)."""

    def __repr__(self) -> str:
        return f"RecipeSpec(requirement={self.requirement!r}, entry={self.entry!r})"

    @classmethod
    def parse(cls, text: str) -> RecipeSpec:
        requirement, colon, entry = text.strip().rpartition(":")
        if not colon or not _ENTRY.match(entry.strip()):
            return cls(text.strip(), "default")
        return cls(requirement.strip(), entry.strip())

    @property
    def name(self) -> str:
        """The canonical name of the recipe's distribution."""
        match = _BARE_NAME.match(self.requirement)
        return canonical_name(match.group(1) if match else self._parsed.name)

    @property
    def extras(self) -> tuple[str, ...]:
        if _BARE_NAME.match(self.requirement):
            return ()
        return tuple(sorted(self._parsed.extras))

    def accepts(self, version: str) -> bool:
        """Whether ``version`` of the distribution satisfies the requirement."""
        if _BARE_NAME.match(self.requirement):
            return True
        return self._parsed.specifier.contains(version, prereleases=True)

    @functools.cached_property
    def _parsed(self) -> Requirement:
        from packaging.requirements import (  # start-up: a bare recipe name needs no parser
            InvalidRequirement,
            Requirement,
        )

        try:
            return Requirement(self.requirement)
        except InvalidRequirement as error:
            raise UserError(f"Invalid requirement {self.requirement!r}: {error}") from None


class LoadedRecipe(NamedTuple):
    """A recipe's callable and the distribution that provides it."""

    factory: Callable[..., Any]
    distribution: Distribution
    spec: RecipeSpec


class Recipes:
    """Loads recipes (and uninstall recipes) for one run, each once.

    ``prepare`` is called once, before the first distribution is looked up
    (it puts the develop-eggs directory on ``sys.path``); ``install`` is
    called for requirements this process cannot satisfy and returns the
    path entries to add to ``sys.path``; ``find_installed`` does the same
    from what is installed already, without installing anything.
    """

    def __init__(
        self,
        install: Installer | None = None,
        prepare: Callable[[], None] | None = None,
        find_installed: Installer | None = None,
    ) -> None:
        self._install = install
        self._prepare = prepare
        self._find_installed = find_installed
        self._loaded: dict[str, LoadedRecipe] = {}

    def load(self, options: Options) -> Callable[..., Any]:
        """The callable that builds the recipe of a part's ``options``."""
        text = options["recipe"]
        location = options.location("recipe")
        return self.recipe(text, location).factory

    def recipe(self, text: str, location: Location | None = None) -> LoadedRecipe:
        """Load the recipe a ``recipe`` option names."""
        spec = RecipeSpec.parse(text)
        loaded = self._loaded.get(text)
        if loaded is None:
            with doing(f"Installing recipe {spec.requirement}."):
                distribution = self.distribution(spec.requirement, location)
            with doing(f"Loading zc.buildout recipe entry {spec.requirement}:{spec.entry}."):
                factory = _entry_point(distribution, "zc.buildout", spec.entry, location)
            loaded = self._loaded[text] = LoadedRecipe(factory, distribution, spec)
        return loaded

    def uninstaller(self, text: str) -> Callable[[str, dict[str, str]], object] | None:
        """The uninstall recipe for a part built by recipe ``text``, if there is one.

        It lives in the same distribution under the same entry name, in the
        ``zc.buildout.uninstall`` group. The distribution is looked for in
        this process, then among the installed distributions; one that is no
        longer installed has no uninstall recipe.
        """
        spec = RecipeSpec.parse(text)
        try:
            distribution = _found(spec)
            if distribution is None and self._find_installed is not None:
                _add_to_path(self._find_installed([spec.requirement]))
                distribution = _found(spec)
        except UserError:
            return None
        if distribution is None:
            return None
        points = distribution.entry_points.select(group="zc.buildout.uninstall", name=spec.entry)
        for point in points:
            ensure_pkg_resources()
            return point.load()  # type: ignore[no-any-return]
        return None

    def distribution(
        self, requirement: str, location: Location | None = None
    ) -> Distribution:
        """The distribution satisfying ``requirement``, installed if this process lacks it.

        Errors point at ``location``, the option that asked for it.
        """
        if self._prepare is not None:
            prepare, self._prepare = self._prepare, None
            prepare()
        try:
            return self._distribution(RecipeSpec(requirement.strip(), "default"))
        except UserError as error:
            error.location = error.location or location
            raise

    def _distribution(self, spec: RecipeSpec) -> Distribution:
        distribution = _found(spec)
        if distribution is None and self._install is not None:
            _add_to_path(self._install([spec.requirement]))
            distribution = _found(spec)
        developed = distribution is not None and _developed(distribution)
        if distribution is not None and (spec.extras or developed) and self._install is not None:
            # The distribution was importable already (a develop project,
            # say); what it requires, or what the requested extras add, may
            # still be missing.
            missing = _missing_requirements(distribution, spec.extras, base=developed)
            if missing:
                _add_to_path(self._install(missing))
        if distribution is None:
            raise UserError(
                f"Couldn't find a distribution for {spec.requirement!r}.",
                hint="Is it listed in develop, or available from the index or find-links?",
            )
        return distribution


def _add_to_path(entries: Sequence[str]) -> None:
    for entry in reversed(entries):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    importlib.invalidate_caches()
    spread_namespaces()


def _developed(distribution: Distribution) -> bool:
    """Whether ``distribution`` is a develop project (an editable install, or metadata in its source tree)."""
    path = getattr(distribution, "path", "") or str(getattr(distribution, "_path", ""))
    return path.endswith(".egg-info") or editable_project(distribution) is not None


def _missing_requirements(distribution: Distribution, extras: Sequence[str], *, base: bool) -> list[str]:
    """What ``extras`` add to ``distribution`` (and, with ``base``, what it requires), if any is not importable."""
    from packaging.requirements import Requirement  # start-up: only for extras and develop recipes

    from zc.buildout.dists.build.isolation import running_distributions  # start-up: only for extras too

    added = []
    for text in distribution.requires or ():
        requirement = Requirement(text)
        marker = requirement.marker
        if marker is None or marker.evaluate({"extra": ""}):
            if base:
                requirement.marker = None
                added.append(requirement)
            continue
        if any(marker.evaluate({"extra": extra}) for extra in extras):
            requirement.marker = None
            added.append(requirement)
    if not added or running_distributions(added) is not None:
        return []
    return [str(requirement) for requirement in added]


def _found(spec: RecipeSpec) -> Distribution | None:
    distribution = find(spec.name)
    return distribution if distribution is not None and spec.accepts(distribution.version) else None


def _entry_point(
    distribution: Distribution,
    group: str,
    name: str,
    location: Location | None,
) -> Callable[..., Any]:
    for point in distribution.entry_points.select(group=group, name=name):
        ensure_pkg_resources()
        return point.load()  # type: ignore[no-any-return]
    raise UserError(
        f"{distribution.metadata['Name']} has no recipe named {name!r}"
        f" (no {name!r} entry point in the {group} group).",
        location=location,
    )


def requested_parts(buildout: Configuration, names: Sequence[str] = ()) -> list[str]:
    """The parts to install, initialised, in dependency order.

    Without ``names`` these are the ``parts`` of ``[buildout]`` and every
    part they reach (implicit parts, ``=>`` dependencies) before them; with
    ``names`` exactly those parts.
    """
    wanted = list(names) or buildout["buildout"]["parts"].split()
    for name in wanted:
        options = buildout[name]
        if "recipe" not in options:
            raise UserError(
                f"Missing option: {name}:recipe",
                hint=f"[{name}] is listed as a part, so it needs a recipe.",
            )
    if names:
        return [name for name in names if buildout[name].get("recipe")]
    return buildout.initialized_parts


# -- extensions ---------------------------------------------------------------

_BUILT_IN = {
    "buildout-versions": "show-picked-versions and update-versions-file",
    "buildout.dumppickedversions": "show-picked-versions and update-versions-file",
}


def load_extensions(buildout: Configuration, recipes: Recipes) -> list[Distribution]:
    """Load and call the extensions ``[buildout]`` lists; return their distributions.

    Their distributions are found (or installed) as recipes' are.
    """
    options = buildout["buildout"]
    requirements = options.get("extensions", "").split()
    for requirement in requirements:
        if requirement in _BUILT_IN:
            raise UserError(
                f"The {requirement} extension is no longer needed: buildout has"
                f" {_BUILT_IN[requirement]} built in.",
                location=options.location("extensions"),
                hint=f"Remove {requirement} from extensions.",
            )
    distributions = []
    with doing("Loading extensions."):
        for requirement in requirements:
            distribution = recipes.distribution(requirement, options.location("extensions"))
            distributions.append(distribution)
            for point in distribution.entry_points.select(group="zc.buildout.extension"):
                ensure_pkg_resources()
                point.load()(buildout)
    return distributions


def unload_extensions(buildout: Configuration, distributions: list[Distribution]) -> None:
    """Call the ``zc.buildout.unloadextension`` entry points of the loaded extensions."""
    for distribution in distributions:
        for point in distribution.entry_points.select(group="zc.buildout.unloadextension"):
            point.load()(buildout)
