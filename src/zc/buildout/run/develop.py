"""The develop step: projects named by ``develop`` installed editable before any part.

Each project is installed into the develop-eggs directory (the installer
skips one that has not changed); the files that made are recorded in the
installation database, so the links of a project dropped from ``develop``
are removed on the next run. The develop-eggs directory (with its ``.pth``
files) is put at the front of ``sys.path``, so recipes and extensions from
develop projects can be imported. Projects declaring old-style
(``pkg_resources``) namespace packages are listed at the end of the run, as
upstream did, so that they are moved to native namespaces.
"""

from __future__ import annotations

import importlib
import logging
import os
import site
import sys
from typing import TYPE_CHECKING

from zc.buildout.errors import doing
from zc.buildout.files import trees
from zc.buildout.run.pkgresources import spread_namespaces

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from zc.buildout.dists.installer import Installer
    from zc.buildout.run.database import InstalledDatabase

__all__ = ["add_to_path", "develop_projects", "project_directories", "warn_about_old_namespaces"]

logger = logging.getLogger("zc.buildout")


def add_to_path(directory: str) -> None:
    """Put ``directory`` and what its ``.pth`` files add at the front of ``sys.path``."""
    if not os.path.isdir(directory):
        return
    before = list(sys.path)
    site.addsitedir(directory)
    added = [entry for entry in sys.path if entry not in before]
    if directory not in added:
        added.insert(0, directory)
        before.remove(directory)
    sys.path[:] = added + before
    importlib.invalidate_caches()
    spread_namespaces()


def project_directories(entries: list[str], base: str) -> dict[str, str]:
    """The project directories ``develop`` names: globs expanded, a file means its directory.

    Maps each directory to the path as the entry gave it, joined to ``base``
    but not normalised (``/buildout/.``), as upstream's ``Develop:`` line
    shows it.
    """
    directories: dict[str, str] = {}
    for entry in entries:
        pattern = os.path.join(base, os.path.expanduser(entry))
        if _is_glob(entry):
            import glob  # start-up: only a glob in develop needs it

            matches = sorted(glob.glob(pattern))
        else:
            matches = [pattern]
        matches = [path for path in matches if os.path.exists(path)]
        if not matches:
            logger.warning("Couldn't develop %r (not found)", entry)
        for path in matches:
            directory = os.path.normpath(path if os.path.isdir(path) else os.path.dirname(path))
            directories.setdefault(directory, path)
    return directories


def _is_glob(text: str) -> bool:
    return any(character in text for character in "*?[")


def develop_projects(options: Mapping[str, str], installer: Callable[[], Installer],
                     database: InstalledDatabase) -> dict[str, list[str]]:
    """Install the develop projects ``[buildout]`` names; remove what dropped ones left; record the files.

    ``installer`` gives the run's installer (made only if there are projects).
    Returns the old-style namespace packages of each project that declares some.
    """
    projects = project_directories(options.get("develop", "").split(), options["directory"])
    created: list[str] = []
    namespaces: dict[str, list[str]] = {}
    for project, given in projects.items():
        logger.info("Develop: %r", given)
        with doing(f"Developing {project!r}."):
            result = installer().develop(project)
        created.extend(path for path in result.created if path not in created)
        declared = _old_namespaces(result.created)
        if declared:
            namespaces[result.name] = declared
    trees.remove_paths(path for path in database.develop_eggs if path not in created)
    if created != database.develop_eggs:
        database.develop_eggs = created
        database.save()
    if projects:
        add_to_path(options["develop-eggs-directory"])
    return namespaces


def _old_namespaces(created: Sequence[str]) -> list[str]:
    """The namespace packages a develop project's ``namespace_packages.txt`` declares."""
    for path in created:
        listing = os.path.join(path, "namespace_packages.txt")
        if path.endswith(".dist-info") and os.path.isfile(listing):
            with open(listing, encoding="utf-8") as file:
                return [line.strip() for line in file if line.strip()]
    return []


def warn_about_old_namespaces(namespaces: Mapping[str, Sequence[str]]) -> None:
    """At the end of a run, list the develop projects that still use old-style namespace packages."""
    if not namespaces:
        return
    listed = "\n".join(f"* {name}: {', '.join(declared)}" for name, declared in sorted(namespaces.items()))
    logger.warning(
        "\n** WARNING **\n"
        "These develop projects declare old style namespace packages (pkg_resources or\n"
        "pkgutil); move them to native namespaces (PEP 420). Until then, a namespace\n"
        "shared with installed eggs may hide some of its packages from imports.\n"
        "The projects and their namespaces:\n%s", listed)
