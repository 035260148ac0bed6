"""Extensions: ``[buildout] extensions`` distributions, called before and after a run.

Each listed distribution's ``zc.buildout.extension`` entry points are called
with the ``Buildout`` object before the develop step and the parts; its
``zc.buildout.unloadextension`` entry points after a successful run. Only
the listed distributions' entry points are called (upstream called every
one in the process).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from zc.buildout.errors import UserError, doing
from zc.buildout.run.pkgresources import ensure_pkg_resources

if TYPE_CHECKING:
    from zc.buildout.config.options import Configuration
    from zc.buildout.dists.store.distinfo import Distribution
    from zc.buildout.run.parts import Recipes

__all__ = ["load_extensions", "unload_extensions"]

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
