"""The directories of a buildout: created before parts run, known as buildout's own."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from zc.buildout.errors import UserError

__all__ = ["DIRECTORY_OPTIONS", "create", "own", "shortened"]

logger = logging.getLogger("zc.buildout")

DIRECTORY_OPTIONS = ("eggs-directory", "bin-directory", "parts-directory", "develop-eggs-directory")
"""The directories every buildout has, in the order they are created (upstream's order)."""


def create(options: Mapping[str, str]) -> None:
    """Create the directories of ``[buildout]`` that do not exist yet, saying so."""
    for name in DIRECTORY_OPTIONS:
        path = options[name]
        if not os.path.isdir(path):
            logger.info("Creating directory %r.", path)
            try:
                os.makedirs(path, exist_ok=True)  # another buildout sharing it may make it meanwhile
            except OSError as error:
                locate = getattr(options, "location", None)
                raise UserError(
                    f"[buildout] {name}: cannot create {shortened(path)} ({error.strerror}).",
                    location=locate(name) if locate else None,
                    hint=f"Set {name} to a directory buildout can create and write to.",
                ) from None


def shortened(path: str) -> str:
    """``path`` quoted, its middle cut out when it is too long to read in a message."""
    return repr(path) if len(path) <= 200 else repr(path[:90]) + "..." + repr(path[-90:])


def own(options: Mapping[str, str]) -> list[str]:
    """The directories holding what buildout made (never part of a project's source)."""
    paths = [options[name] for name in DIRECTORY_OPTIONS]
    eggs = options["eggs-directory"]
    if options.get("eggs-directory-version") and os.path.dirname(eggs) != options["directory"]:
        paths.append(os.path.dirname(eggs))
    paths.extend(options[name] for name in ("download-cache", "extends-cache") if options.get(name))
    return paths
