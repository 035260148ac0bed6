"""Isolated build environments: the path a build backend runs with.

Each build requirement the environment buildout runs in satisfies (with
its dependencies) is taken from there, exposed through a directory of
symbolic links to just those distributions; only the others are installed,
from the index and find-links, into a build-environment eggs directory. Both
live in buildout's working state for the eggs directory
(:mod:`zc.buildout.dists.store.state`) and are reused by later builds.
``wheel``, which old setuptools ask for, is not needed where the setuptools
taken builds wheels itself (70.1 and later).

Installing build requirements is the installer's job, and the installer
builds sdists: so :class:`BuildEnvironments` is handed the installer's way
of installing (:data:`InstallRequirements`) rather than importing it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from zc.buildout.dists.store.state import eggs_state
from zc.buildout.errors import UserError

if TYPE_CHECKING:
    import importlib.metadata

    from packaging.requirements import Requirement

    from zc.buildout.dists.settings import InstallerSettings

__all__ = ["BuildEnvironments", "InstallRequirements", "running_distributions", "setuptools_environ"]

InstallRequirements = Callable[[Sequence[str], "InstallerSettings", str], list[str]]
"""Installs requirements as the settings say, for the build of what the text describes;
returns the path entries to import them from."""

_SETUPTOOLS_WITH_BDIST_WHEEL = Version("70.1")


def _parse(requirements: Iterable[str], description: str) -> list[Requirement]:
    from packaging.requirements import (  # start-up: its regular expressions take milliseconds to compile
        InvalidRequirement,
        Requirement,
    )

    try:
        return [Requirement(text) for text in requirements]
    except InvalidRequirement as error:
        raise UserError(f"Invalid build requirement of {description}: {error}") from None


def running_distributions(
    requirements: Sequence[Requirement],
) -> list[importlib.metadata.Distribution] | None:
    """The distributions of the running environment meeting ``requirements``, dependencies included.

    ``None`` when something is missing or at a version the requirements exclude.
    """
    import importlib.metadata  # start-up: only a build reads buildout's environment (with email, zipfile)

    found: dict[str, importlib.metadata.Distribution] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(requirement, frozenset({""})) for requirement in requirements]
    while todo:
        requirement, extras = todo.pop()
        if requirement.marker and not any(
            requirement.marker.evaluate({"extra": extra}) for extra in extras
        ):
            continue
        key = canonicalize_name(requirement.name)
        dist = found.get(key)
        if dist is None:
            try:
                dist = importlib.metadata.distribution(key)
            except importlib.metadata.PackageNotFoundError:
                return None
            found[key] = dist
        if not requirement.specifier.contains(dist.version, prereleases=True):
            return None
        wanted = frozenset({"", *requirement.extras})
        if (key, wanted) in seen:
            continue
        seen.add((key, wanted))
        todo.extend((r, wanted) for r in _parse(dist.requires or (), key))
    return list(found.values())


def _builds_wheels(taken: dict[str, importlib.metadata.Distribution]) -> bool:
    """Whether the setuptools taken from buildout's environment has ``bdist_wheel`` of its own."""
    setuptools = taken.get("setuptools")
    if setuptools is None:
        return False
    try:
        return Version(setuptools.version) >= _SETUPTOOLS_WITH_BDIST_WHEEL
    except InvalidVersion:
        return False


def _top_level_entries(dist: importlib.metadata.Distribution) -> set[str] | None:
    if dist.files is None:
        return None
    entries = {file.parts[0] for file in dist.files if file.parts and file.parts[0] != ".."}
    return {entry for entry in entries if entry != "__pycache__"}


def _link_farm(dists: Sequence[importlib.metadata.Distribution], settings: InstallerSettings) -> list[str]:
    """A directory of links to exactly ``dists``; their own directories if links are impossible."""
    plan: list[tuple[str, str]] = []
    fallback: list[str] = []
    for dist in dists:
        root = str(dist.locate_file(""))
        entries = _top_level_entries(dist)
        if entries is None:
            fallback.append(root)
            continue
        plan.extend((entry, os.path.join(root, entry)) for entry in sorted(entries))
    key = hashlib.sha256(repr(sorted(plan)).encode()).hexdigest()[:16]
    target = os.path.join(eggs_state(settings.eggs_directory, "build-env"), key)
    if not os.path.isdir(target):
        staging = tempfile.mkdtemp(prefix=f".{key}-", dir=os.path.dirname(target))
        try:
            for entry, source in plan:
                if os.path.exists(source):
                    os.symlink(source, os.path.join(staging, entry))
            os.rename(staging, target)
        except OSError:
            # No symbolic links here (or a parallel build made the same
            # directory): fall back to whole directories if it is not there.
            shutil.rmtree(staging, ignore_errors=True)
            if not os.path.isdir(target):
                return sorted({os.path.dirname(source) for _, source in plan} | set(fallback))
    return [target, *fallback]


class BuildEnvironments:
    """The paths build backends run with, for builds under one set of installer settings.

    Requirements missing from buildout's environment are installed with
    ``install``; without it, a build needing one is refused.
    """

    def __init__(self, settings: InstallerSettings, install: InstallRequirements | None = None) -> None:
        self.settings = settings
        self._install = install

    def path(self, requirements: Sequence[str], description: str) -> list[str]:
        """The ``PYTHONPATH`` entries of a build environment holding ``requirements``.

        Those installed for the build come first, so that their own
        dependencies win over the running environment's.
        """
        parsed = _parse(requirements, description)
        taken: dict[str, importlib.metadata.Distribution] = {}
        missing = []
        for requirement in parsed:
            dists = running_distributions([requirement])
            if dists is None:
                missing.append(requirement)
            else:
                taken.update((canonicalize_name(dist.metadata["Name"]), dist) for dist in dists)
        if _builds_wheels(taken):
            missing = [requirement for requirement in missing if canonicalize_name(requirement.name) != "wheel"]
        path = self._installed_from_index(missing, description) if missing else []
        if taken:
            path += _link_farm(list(taken.values()), self.settings)
        return path

    def _installed_from_index(self, requirements: Sequence[Requirement], description: str) -> list[str]:
        """Install the build requirements into the build-environment eggs directory."""
        if self._install is None:
            raise UserError(
                f"Couldn't build {description}: its build backend needs"
                f" {', '.join(map(str, requirements))}, which buildout's environment lacks.")
        settings = self.settings
        build_settings = settings._replace(
            eggs_directory=eggs_state(settings.eggs_directory, "build-eggs"),
            develop_eggs_directory=eggs_state(settings.eggs_directory, "no-develop-eggs", create=False),
            pins={},
            allow_picked_versions=True,
            show_picked_versions=False,
            update_versions_file=None,
        )
        return self._install([str(r) for r in requirements], build_settings, description)


def setuptools_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` for a ``setup.py`` run on this Python, with the setuptools of buildout's environment.

    Buildout's Python may not find it on its own path: ``bin/buildout``
    names the path it runs with in the script.
    """
    import importlib.util  # start-up: only running a setup script needs it

    spec = importlib.util.find_spec("setuptools")  # found, not imported
    if spec is None or spec.origin is None:
        return dict(environ)
    entry = os.path.dirname(os.path.dirname(spec.origin))
    return {**environ, "PYTHONPATH": os.pathsep.join(filter(None, [entry, environ.get("PYTHONPATH")]))}
