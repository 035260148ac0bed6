"""Buildout's own distributions as egg directories, so that parts get them without their neighbours.

Buildout's own distributions (zc.buildout, zc.recipe.egg and what they
require) come from the environment buildout runs in, usually a virtual
environment's ``site-packages``. That directory holds whatever else was
installed there, so a script with it on its path could import all of it. So
where a part uses one of them, it is copied from its installed files (as its
``RECORD`` lists them) into an egg directory of its own, once per version,
with their compiled files (modules the installation has none for are
compiled), like any distribution installed from the index. An
editable install, whose code directory holds that project only, is used
where it is, and so is one that cannot be copied (no ``RECORD``, or an eggs
directory that cannot be written).
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import importlib.util
import logging
import os
import shutil

from zc.buildout.dists.install.compiler import Compiler
from zc.buildout.dists.install.wheel import locked, place_egg
from zc.buildout.dists.metadata import Headers
from zc.buildout.dists.store.eggs import (
    InstalledDistribution,
    dist_info_name,
    egg_directory_name,
    renamed_path,
)
from zc.buildout.files.trees import remove_tree

__all__ = ["copy_files", "own_egg"]

logger = logging.getLogger("zc.buildout")


def own_egg(dist: InstalledDistribution, eggs_directory: str, compiler: Compiler) -> InstalledDistribution:
    """``dist`` in an egg directory of its own in ``eggs_directory``, copied there if need be.

    ``dist`` itself when it already has a directory of its own, or cannot be
    copied. ``compiler`` compiles what a new copy lacks.
    """
    metadata = dist.metadata_path
    if (dist.develop or metadata is None or not metadata.endswith(".dist-info")
            or os.path.dirname(metadata) != dist.location):
        return dist
    try:
        with open(os.path.join(metadata, "WHEEL"), encoding="utf-8") as file:
            platforms = [tag.rpartition("-")[2] for tag in Headers.parse(file.read()).get_all("Tag", [])]
        with open(os.path.join(metadata, "RECORD"), encoding="utf-8", newline="") as file:
            record = file.read()
    except (OSError, ValueError) as error:
        logger.debug("Using %s %s where it is installed: %s", dist.name, dist.version, error)
        return dist
    egg = InstalledDistribution(dist.name, dist.version,
                                os.path.join(eggs_directory, _egg_name(dist, platforms)), False)
    copy = _Copy(dist.location, os.path.basename(metadata),
                 dist_info_name(os.path.basename(metadata), dist.name), record)
    if copy.made(egg.location):
        return egg
    try:
        with locked(eggs_directory, os.path.basename(egg.location)):
            if os.path.isdir(egg.location) and not copy.made(egg.location):
                # Another build of the same version (a development version reinstalled, say).
                logger.info("Replacing %s: the running environment has another build of %s %s.",
                            egg.location, dist.name, dist.version)
                remove_tree(egg.location)
        place_egg(eggs_directory, egg, lambda path: copy.make(path, egg.location, compiler))
    except OSError as error:
        logger.debug("Using %s %s where it is installed: %s", dist.name, dist.version, error)
        return dist
    return egg


@dataclasses.dataclass(frozen=True)
class _Copy:
    """The copy of an installed distribution: its files, with the metadata directory renamed."""

    source: str
    """The directory it is installed in."""
    installed_dist_info: str
    dist_info: str
    """The metadata directory's name in the copy (as in eggs installed from wheels)."""
    installed_record: str
    """The text of its ``RECORD``."""

    def _renamed(self, path: str) -> str:
        return renamed_path(path, self.installed_dist_info, self.dist_info)

    @functools.cached_property
    def record(self) -> str:
        """The copy's ``RECORD``: the installed one, under the new metadata directory name."""
        return "".join(self._renamed(line) for line in self.installed_record.splitlines(keepends=True))

    def made(self, egg: str) -> bool:
        """Whether ``egg`` holds a copy of these very files (their digests are in ``RECORD``)."""
        try:
            with open(os.path.join(egg, self.dist_info, "RECORD"), encoding="utf-8", newline="") as file:
                return file.read() == self.record
        except (OSError, UnicodeDecodeError):
            return False

    def make(self, path: str, final: str, compiler: Compiler) -> None:
        """Copy (link) the files to ``path``, compiled as if at ``final``, on ``compiler``'s workers.

        A module's compiled file is copied along when the installation has
        one (it stays valid: the source keeps its modification time, and
        Python names the module's new path in it when loading it);
        ``compiler`` compiles the others.
        """
        uncompiled = compiler.call("zc.buildout.dists.install.own_eggs:copy_files", self.source,
                                   self.installed_dist_info, self.dist_info, self.installed_record, path, final)
        with open(os.path.join(path, self.dist_info, "RECORD"), "w", encoding="utf-8", newline="") as file:
            file.write(self.record)
        compiler.compile([(source, ddir) for source, ddir in uncompiled])


def copy_files(source: str, installed_dist_info: str, dist_info: str, installed_record: str, path: str,
               final: str) -> list[tuple[str, str]]:
    """Copy (link) the files an installation's ``RECORD`` lists into ``path``, its metadata directory renamed.

    Returns the modules with no compiled file to copy, each with the
    directory to name in its compiled file (below ``final``).
    """
    uncompiled = []
    made: set[str] = set()
    for row in csv.reader(installed_record.splitlines()):
        if not row or not _belongs(row[0]):
            continue
        target = os.path.join(path, renamed_path(row[0], installed_dist_info, dist_info))
        if os.path.dirname(target) not in made:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            made.add(os.path.dirname(target))
        _place(os.path.join(source, row[0]), target)
        if target.endswith(".py") and not _copy_compiled(os.path.join(source, row[0]), target):
            relative = os.path.relpath(os.path.dirname(target), path)
            uncompiled.append((target, os.path.normpath(os.path.join(final, relative))))
    return uncompiled


def _copy_compiled(source: str, target: str) -> bool:
    """Copy the compiled file of the module ``source`` to where ``target``'s belongs, if there is one."""
    compiled = importlib.util.cache_from_source(source)
    if not os.path.isfile(compiled):
        return False
    destination = importlib.util.cache_from_source(target)
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    _place(compiled, destination)
    return True


def _place(source: str, target: str) -> None:
    """Link ``target`` to ``source`` (an installer replaces files, never changes them), else copy it."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _egg_name(dist: InstalledDistribution, platforms: list[str]) -> str:
    """The egg directory of ``dist``, for the platforms of its ``WHEEL`` file's tags (none: pure Python)."""
    return egg_directory_name(dist.name, dist.version, platforms or ["any"])


def _belongs(path: str) -> bool:
    """Whether a ``RECORD`` path is code or metadata below the installation directory.

    Scripts and data installed elsewhere (``../../../bin/buildout``) are not,
    and compiled files are made again for the new place.
    """
    parts = path.replace("\\", "/").split("/")
    return not (os.path.isabs(path) or ".." in parts or "__pycache__" in parts)
