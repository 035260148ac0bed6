"""Builds with custom compiler settings: a develop project or an sdist built for this buildout.

The ``build_ext`` settings (include and library directories, defines,
libraries, rpath, ...) reach setuptools as the ``[build_ext]`` section of
an extra configuration file named by ``DIST_EXTRA_CONFIG``, which setuptools
reads after the project's own ``setup.cfg``: the project's tree is never
changed. The file lives in the eggs directory's working state (``build-ext``),
named by a digest of its text, so an unchanged setting keeps an unchanged
develop project from being rebuilt. Environment variables given for the
build are passed to the backend as well.

An sdist built this way is specific to the buildout, so it goes into the
develop-eggs directory (as an egg directory), not the shared eggs directory.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Mapping
from typing import TYPE_CHECKING

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from zc.buildout.dists.build import frontend
from zc.buildout.dists.build.isolation import BuildEnvironments
from zc.buildout.dists.find.index import Finder
from zc.buildout.dists.install import editable, wheel
from zc.buildout.dists.installer import install_build_requirements
from zc.buildout.dists.store.eggs import InstalledEggs
from zc.buildout.dists.store.state import eggs_state
from zc.buildout.errors import UserError
from zc.buildout.net.httpclient import HTTPClient

if TYPE_CHECKING:
    from zc.buildout.dists.find.pages import DistributionFile
    from zc.buildout.dists.install.editable import DevelopResult
    from zc.buildout.dists.settings import InstallerSettings
    from zc.buildout.dists.store.eggs import InstalledDistribution

__all__ = ["build_custom", "build_environ", "config_text", "develop_custom"]

logger = logging.getLogger("zc.buildout")


def config_text(build_ext: Mapping[str, str]) -> str:
    """The setuptools configuration holding ``build_ext`` as its ``[build_ext]`` section."""
    lines = ["[build_ext]"]
    for name, value in sorted(build_ext.items()):
        if "\n" in value:
            raise UserError(f"The build_ext setting {name!r} must be one line: {value!r}")
        lines.append(f"{name} = {value}")
    return "\n".join(lines) + "\n"


def build_environ(
    build_ext: Mapping[str, str], settings: InstallerSettings, environment: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment variables a build with these settings runs with."""
    environ = dict(environment or {})
    if build_ext:
        text = config_text(build_ext)
        name = hashlib.sha256(text.encode()).hexdigest()[:20] + ".cfg"
        path = os.path.join(eggs_state(settings.eggs_directory, "build-ext"), name)
        if not os.path.exists(path):
            with tempfile.NamedTemporaryFile("w", dir=os.path.dirname(path), delete=False) as file:
                file.write(text)
            os.replace(file.name, path)
        environ["DIST_EXTRA_CONFIG"] = path
    return environ


def develop_custom(
    project_directory: str,
    build_ext: Mapping[str, str],
    settings: InstallerSettings,
    environment: Mapping[str, str] | None = None,
) -> DevelopResult:
    """Develop a project with ``build_ext`` settings (as :func:`~.install.editable.install_editable` does)."""
    environ = build_environ(build_ext, settings, environment)
    return editable.install_editable(project_directory, _environments(settings), environ=environ)


def _environments(settings: InstallerSettings) -> BuildEnvironments:
    """Build environments whose missing requirements the installer installs."""
    return BuildEnvironments(settings, install_build_requirements)


def _requirement(spec: str) -> Requirement:
    try:
        return Requirement(spec)
    except InvalidRequirement as error:
        raise UserError(f"Invalid requirement {spec!r}: {error}") from None


def _acceptable(requirement: Requirement, settings: InstallerSettings, version: str) -> bool:
    pin = settings.pins.get(canonicalize_name(requirement.name))
    if pin is not None and not pin.specifier_set.contains(version, prereleases=True):
        return False
    return requirement.specifier.contains(version, prereleases=True)


def _best_sdist(requirement: Requirement, settings: InstallerSettings,
                files: list[DistributionFile]) -> DistributionFile | None:
    """The sdist to build: the newest acceptable one (a final release when there is one)."""
    sdists = [
        file for file in files
        if file.kind == "sdist" and not file.yanked and _acceptable(requirement, settings, str(file.version))
    ]
    finals = [file for file in sdists if not file.version.is_prerelease]
    if settings.prefer_final and finals:
        sdists = finals
    return max(sdists, key=lambda file: file.version, default=None)


def _installed(requirement: Requirement, settings: InstallerSettings) -> InstalledDistribution | None:
    """A build of an acceptable version already in develop-eggs."""
    environment = InstalledEggs(settings.develop_eggs_directory, settings.develop_eggs_directory)
    for dist in environment.find(requirement.name):
        if os.path.basename(dist.location).endswith(".egg") and _acceptable(
            requirement, settings, dist.version
        ):
            return dist
    return None


def build_custom(
    spec: str,
    build_ext: Mapping[str, str],
    settings: InstallerSettings,
    environment: Mapping[str, str] | None = None,
) -> InstalledDistribution:
    """Build the best sdist for ``spec`` with ``build_ext`` settings into develop-eggs.

    A build already there is reused unless the index offers a newer
    version (and ``newest`` is on). Offline, only a build already there
    will do.
    """
    requirement = _requirement(spec)
    have = _installed(requirement, settings)
    if settings.offline:
        if have is None:
            raise UserError(
                f"We don't have a distribution for {spec}\n"
                "and can't build one in offline (no-install) mode."
            )
        return have
    if have is not None and not settings.newest:
        return have
    environments = _environments(settings)
    finder = Finder(settings, HTTPClient(timeout=settings.socket_timeout), environments=environments)
    try:
        usable = [f for f in finder.files(requirement.name) if not isinstance(finder.choose([f]), str)]
        best = _best_sdist(requirement, settings, usable)
        if best is None:
            if have is not None:
                return have
            raise UserError(f"Couldn't find a source distribution for {spec!r}.")
        if have is not None and str(best.version) == have.version:
            return have
        logger.info("Getting distribution for %r.", spec)
        with tempfile.TemporaryDirectory(prefix="buildout-build-ext-") as scratch:
            wheel_path = frontend.build_wheel(
                finder.archive(best), scratch, environments,
                description=f"{best.name} {best.version}",
                environ=build_environ(build_ext, settings, environment),
            )
            dist = wheel.install_wheel(wheel_path, settings.develop_eggs_directory,
                                       byte_compile=settings.byte_compile)
    finally:
        finder.close()
    logger.info("Got %s %s.", dist.name, dist.version)
    return dist
