"""Buildout's own distributions as egg directories, so that parts get them without their neighbours.

Buildout's own distributions (zc.buildout, zc.recipe.egg and what they
require) come from the environment buildout runs in, usually a virtual
environment's ``site-packages``. That directory holds whatever else was
installed there, so a script with it on its path could import all of it. So
where a part uses one of them, it is copied from its installed files (as its
``RECORD`` lists them) into an egg directory of its own, once per version,
and byte-compiled there, like any distribution installed from the index. An
editable install, whose code directory holds that project only, is used
where it is, and so is one that cannot be copied (no ``RECORD``, or an eggs
directory that cannot be written).
"""

from __future__ import annotations

import csv
import email.parser
import logging
import os
import shutil

from packaging.tags import Tag, parse_tag

from zc.buildout.dists.compiler import Compiler
from zc.buildout.dists.environment import InstalledDistribution, egg_directory_name
from zc.buildout.dists.wheel import locked, place_egg
from zc.buildout.filesystem import remove_tree

__all__ = ["own_egg"]

logger = logging.getLogger("zc.buildout")


def own_egg(dist: InstalledDistribution, eggs_directory: str) -> InstalledDistribution:
    """``dist`` in an egg directory of its own in ``eggs_directory``, copied there if need be.

    ``dist`` itself when it already has a directory of its own, or cannot be copied.
    """
    metadata = dist.metadata_path
    if (dist.develop or metadata is None or not metadata.endswith(".dist-info")
            or os.path.dirname(metadata) != dist.location):
        return dist
    try:
        with open(os.path.join(metadata, "WHEEL"), encoding="utf-8") as file:
            tags = [tag for value in email.parser.Parser().parse(file).get_all("Tag", [])
                    for tag in parse_tag(value)]
        with open(os.path.join(metadata, "RECORD"), encoding="utf-8", newline="") as file:
            files = [row[0] for row in csv.reader(file) if row and _belongs(row[0])]
    except (OSError, ValueError) as error:
        logger.debug("Using %s %s where it is installed: %s", dist.name, dist.version, error)
        return dist
    egg = InstalledDistribution(dist.name, dist.version,
                                os.path.join(eggs_directory, _egg_name(dist, tags)), False)
    if _same_record(metadata, egg.location):
        return egg
    try:
        with locked(eggs_directory, os.path.basename(egg.location)):
            if os.path.isdir(egg.location) and not _same_record(metadata, egg.location):
                # Another build of the same version (a development version reinstalled, say).
                logger.info("Replacing %s: the running environment has another build of %s %s.",
                            egg.location, dist.name, dist.version)
                remove_tree(egg.location)
        place_egg(eggs_directory, egg, lambda path: _copy(dist.location, files, path, egg.location))
    except OSError as error:
        logger.debug("Using %s %s where it is installed: %s", dist.name, dist.version, error)
        return dist
    return egg


def _same_record(metadata: str, egg: str) -> bool:
    """Whether the copy in ``egg`` was made from the files ``metadata`` records (digests and all)."""
    copied = os.path.join(egg, os.path.basename(metadata), "RECORD")
    try:
        with open(os.path.join(metadata, "RECORD"), "rb") as source, open(copied, "rb") as copy:
            return source.read() == copy.read()
    except OSError:
        return False


def _egg_name(dist: InstalledDistribution, tags: list[Tag]) -> str:
    return egg_directory_name(dist.name, dist.version, tags or [Tag("py3", "none", "any")])


def _belongs(path: str) -> bool:
    """Whether a ``RECORD`` path is code or metadata below the installation directory.

    Scripts and data installed elsewhere (``../../../bin/buildout``) are not,
    and compiled files are made again for the new place.
    """
    parts = path.replace("\\", "/").split("/")
    return not (os.path.isabs(path) or ".." in parts or "__pycache__" in parts)


def _copy(source: str, files: list[str], path: str, final: str) -> None:
    """Copy ``files`` (relative to ``source``) to ``path``, compiled as if at ``final``."""
    for name in files:
        target = os.path.join(path, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy2(os.path.join(source, name), target)
    with Compiler() as compiler:
        compiler.compile_tree(path, final)
