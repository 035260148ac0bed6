"""The directories of a buildout: created before parts run, known as buildout's own."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

__all__ = ["DIRECTORY_OPTIONS", "create", "own"]

logger = logging.getLogger("zc.buildout")

DIRECTORY_OPTIONS = ("eggs-directory", "bin-directory", "parts-directory", "develop-eggs-directory")
"""The directories every buildout has, in the order they are created (upstream's order)."""


def create(options: Mapping[str, str]) -> None:
    """Create the directories of ``[buildout]`` that do not exist yet, saying so."""
    for name in DIRECTORY_OPTIONS:
        path = options[name]
        if not os.path.isdir(path):
            logger.info("Creating directory %r.", path)
            os.makedirs(path)


def own(options: Mapping[str, str]) -> list[str]:
    """The directories holding what buildout made (never part of a project's source)."""
    paths = [options[name] for name in DIRECTORY_OPTIONS]
    eggs = options["eggs-directory"]
    if options.get("eggs-directory-version") and os.path.dirname(eggs) != options["directory"]:
        paths.append(os.path.dirname(eggs))
    paths.extend(options[name] for name in ("download-cache", "extends-cache") if options.get(name))
    return paths
