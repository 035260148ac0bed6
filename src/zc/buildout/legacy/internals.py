"""Private helpers of upstream's ``easy_install`` module that tests and a few recipes call.

Each does what upstream's did, through this buildout's own machinery:
``_constrained_requirement`` narrows a requirement by a ``[versions]``
constraint, ``_move_to_eggs_dir_and_compile`` installs a distribution
(a wheel, a zipped egg or an egg directory) into an eggs directory,
``_get_matching_dist_in_location`` finds the one distribution of a
directory, ``_distutils_script`` writes a shipped script with the path set
up, ``find_namespace_init_files`` and ``check_namespace_init_file`` spot
``pkg_resources``/``pkgutil`` namespace ``__init__.py`` files;
:func:`own_distributions` gives ``buildout_and_setuptools_dists``.
"""

from __future__ import annotations

import logging
import os
import sys

from zc.buildout.dists.metadata import canonical_name
from zc.buildout.dists.resolve.conflicts import VersionConflict
from zc.buildout.dists.store.closure import own_distributions as own_installed
from zc.buildout.errors import UserError
from zc.buildout.legacy.dist_scripts import file_script_template
from zc.buildout.legacy.distribution import Distribution, distributions_at
from zc.buildout.legacy.requirement import Requirement
from zc.buildout.run import scripts

__all__ = [
    "_constrained_requirement",
    "_distutils_script",
    "_execute_permission",
    "_get_matching_dist_in_location",
    "_move_to_eggs_dir_and_compile",
    "check_namespace_init_file",
    "find_namespace_init_files",
    "own_distributions",
]

logger = logging.getLogger("zc.buildout.easy_install")


def _execute_permission() -> int:
    """The mode of an executable file here: ``0o777`` less the umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o777 & ~umask


def _constrained_requirement(constraint: str, requirement: Requirement) -> Requirement:
    """``requirement`` narrowed by a ``[versions]`` ``constraint`` (``1.0``, ``==1.0``, ``>=1,<2``).

    A constraint naming one version that the requirement excludes is an
    :class:`~zc.buildout.errors.UserError`.
    """
    extras = f"[{','.join(requirement.extras)}]" if requirement.extras else ""
    if constraint[:1] not in "<>!~":
        version = constraint[2:] if constraint.startswith("==") else constraint
        if version not in requirement:
            raise VersionConflict(
                f"The requirement ({str(requirement)!r}) is not allowed by your [versions] constraint ({version})")
        return Requirement.parse(f"{requirement.project_name}{extras}=={version}")
    specifier = str(requirement.specifier)
    joined = f"{specifier},{constraint}" if specifier else constraint
    return Requirement.parse(f"{requirement.project_name}{extras}{joined}")


def _get_matching_dist_in_location(dist: Distribution, location: str) -> Distribution | None:
    """The distribution in ``location`` when it is exactly one, of ``dist``'s name and version."""
    found = distributions_at(location)
    if [(canonical_name(d.project_name), d.parsed_version) for d in found] == [
            (canonical_name(dist.project_name), dist.parsed_version)]:
        return found[0]
    return None


def _move_to_eggs_dir_and_compile(dist: Distribution, dest: str) -> Distribution:
    """Install ``dist`` (a wheel, a zipped egg or an egg directory) into the eggs directory ``dest``.

    Returns the distribution installed there (a copy made by another
    buildout meanwhile is used as it is).
    """
    from zc.buildout.dists.install.egg import install_egg  # start-up: only these few callers install
    from zc.buildout.dists.install.wheel import install_wheel  # start-up: as install_egg

    location = dist.location
    if location.endswith(".whl"):
        installed = install_wheel(location, dest).location
    elif location.endswith(".egg") and os.path.isfile(location):
        installed = install_egg(location, dest).location
    elif os.path.isdir(location):
        import shutil  # start-up: as install_egg

        installed = os.path.join(dest, os.path.basename(location))
        if not os.path.exists(installed):
            shutil.copytree(location, installed)
    else:
        raise UserError(f"Couldn't install {dist}: {location} is no wheel, egg or egg directory.")
    found = _get_matching_dist_in_location(dist, installed)
    if found is None:
        raise UserError(f"Couldn't install {dist}: {installed} holds something else.")
    return found


def _distutils_script(path: str, dest: str, script_content: str, initialization: str,
                      rsetup: str) -> list[str]:
    """Write the shipped Python script ``script_content`` at ``dest``, with the path ``path`` set up.

    ``path`` is the text of the path entries (as the templates take it),
    ``rsetup`` the relative-paths setup code. A script that is not Python
    (no ``python`` in its ``#!`` line) is not written: returns ``[]``.
    """
    first = script_content.split("\n", 1)[0]
    if first.startswith("#!") and "python" not in first:
        return []
    text = file_script_template(script_content) % {
        "python": scripts.safe_arg(sys.executable), "path": path, "initialization": initialization,
        "relative_paths_setup": rsetup,
    }
    scripts.write_script(dest, text)
    return [dest]


def check_namespace_init_file(ns_file: str) -> bool:
    """Whether the ``__init__.py`` at ``ns_file`` only declares a ``pkg_resources``/``pkgutil`` namespace."""
    from zc.buildout.dists.install.namespaces import is_namespace_declaration  # start-up: tests call it

    with open(ns_file, encoding="utf-8", errors="replace") as file:
        return is_namespace_declaration(file.read())


def find_namespace_init_files(directory: str) -> list[str]:
    """The namespace ``__init__.py`` files below ``directory``: alone in their directory, declaring one."""
    found = []
    for root, _, files in os.walk(directory):
        if files == ["__init__.py"] and not root.endswith("__pycache__"):
            path = os.path.join(root, "__init__.py")
            if check_namespace_init_file(path):
                found.append(path)
    return found


def own_distributions() -> list[Distribution]:
    """zc.buildout and what it requires (setuptools too, when installed), as found where buildout runs."""
    import importlib.metadata  # start-up: only the few callers of this need it

    wanted = {name: dist.location for name, dist in own_installed().items()}
    try:
        wanted["setuptools"] = str(importlib.metadata.distribution("setuptools").locate_file(""))
    except importlib.metadata.PackageNotFoundError:
        pass
    found: list[Distribution] = []
    for location in dict.fromkeys(wanted.values()):
        found.extend(dist for dist in distributions_at(location)
                     if canonical_name(dist.project_name) in wanted and dist not in found)
    return found
