"""Bootstrapping: a buildout's directories and its ``bin/buildout`` script."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import zc.buildout
from zc.buildout.config.options import bool_option
from zc.buildout.dists.store.closure import requirement_closure
from zc.buildout.run import layout, scripts

if TYPE_CHECKING:
    from zc.buildout.config.options import Configuration

__all__ = ["bootstrap"]

logger = logging.getLogger("zc.buildout")


def bootstrap(buildout: Configuration, extra_paths: Sequence[str] = ()) -> None:
    """Create the buildout's directories and ``bin/buildout``; nothing is removed.

    The script runs this buildout with this Python; its path holds the
    locations of zc.buildout and the distributions it needs, then
    ``extra_paths``.
    """
    options = buildout["buildout"]
    layout.create(options)
    relative = bool_option(options, "relative-paths", "false")
    scripts.console_script(
        os.path.join(options["bin-directory"], "buildout"),
        "zc.buildout.cli",
        "main",
        path=scripts.baked_path([*_locations(), *extra_paths]),
        executable=options.get("executable") or sys.executable,
        relative_to=options["directory"] if relative else None,
    )


def _locations() -> list[str]:
    """Where zc.buildout (with zc.recipe.egg) and the distributions it requires are imported from."""
    package = os.path.dirname(os.path.abspath(zc.buildout.__file__))
    locations = [os.path.dirname(os.path.dirname(package))]
    recipe = importlib.util.find_spec("zc.recipe.egg")
    if recipe is not None and recipe.origin:  # the companion recipe, wherever it is installed
        locations.append(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(recipe.origin)))))
    for distribution in requirement_closure(importlib.metadata.distribution("zc.buildout")):
        location = str(distribution.locate_file(""))
        if location not in locations:
            locations.append(location)
    return locations
