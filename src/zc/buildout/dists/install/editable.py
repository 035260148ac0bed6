"""Develop projects: PEP 660 editable installs into develop-eggs, with an ``.egg-link``.

The editable wheel's ``.dist-info``, ``.pth`` and ``__editable__`` finder
files (not its hidden top-level files) go into develop-eggs, beside a
``<Name>.egg-link`` (the project's code directory, as the ``.pth`` files
name it, and the relative path back to the project, no trailing newline)
that scripts and recipes such as collective.recipe.omelette read. The
``.dist-info`` also records a fingerprint of the project's build files and
what was created, so an unchanged project is not rebuilt on every run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import pathlib
import shutil
import sys
import tempfile
from collections.abc import Mapping
from typing import TYPE_CHECKING

from zc.buildout.dists.build import frontend
from zc.buildout.dists.install import unpack, wheel
from zc.buildout.dists.store.eggs import egg_link_name
from zc.buildout.dists.store.state import STAGING_PREFIX
from zc.buildout.errors import UserError

if TYPE_CHECKING:
    from zc.buildout.dists.build.isolation import BuildEnvironments

__all__ = ["DevelopResult", "fingerprint", "install_editable"]

logger = logging.getLogger("zc.buildout")

RECORD_NAME = "buildout-develop.json"
"""The file inside the develop ``.dist-info`` remembering how it was made."""

_BUILD_FILES = ("pyproject.toml", "setup.py", "setup.cfg")

_LAYOUT = "3"
"""What develop-eggs holds per project; raised when that changes (2: ``direct_url.json``;
3: the egg-link names the directory the ``.pth`` files add)."""


@dataclasses.dataclass(frozen=True)
class DevelopResult:
    """What developing a project left in develop-eggs."""

    name: str
    version: str
    egg_link: str
    created: tuple[str, ...]
    """Every path created in develop-eggs (the engine removes them when the project goes)."""


def fingerprint(project_directory: str, environ: Mapping[str, str] | None = None) -> str:
    """A digest of what decides the editable install: the build files, the Python, ``environ``."""
    digest = hashlib.sha256(f"{_LAYOUT}\n{sys.executable}\n{sys.version}\n".encode())
    for name, value in sorted((environ or {}).items()):
        digest.update(f"\0{name}={value}".encode())
    for name in _BUILD_FILES:
        path = os.path.join(project_directory, name)
        try:
            with open(path, "rb") as file:
                content = file.read()
        except FileNotFoundError:
            content = b"<absent>"
        digest.update(f"\0{name}\0{len(content)}\0".encode() + content)
    return digest.hexdigest()


def _code_location(project_directory: str, staging: str) -> tuple[str, str]:
    """The code directory recorded in the egg-link and the relative path back to the project.

    That is the first directory inside the project that the editable
    install's ``.pth`` files put on the path (``src/``, pdm-backend's
    ``package-dir``, hatchling's ``sources``); failing that (an install by
    import hook names none), ``src/`` if the project has one, else the project.
    """
    real = os.path.realpath(project_directory)
    for entry in _pth_directories(staging):
        relative = os.path.relpath(entry, real)
        if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
            location = os.path.normpath(os.path.join(project_directory, relative))
            return location, os.path.relpath(project_directory, location)
    src = os.path.join(project_directory, "src")
    if os.path.isdir(src):
        return src, ".."
    return project_directory, "."


def _pth_directories(staging: str) -> list[str]:
    """The existing directories named by the ``.pth`` files in ``staging``, real paths."""
    found = []
    for name in sorted(os.listdir(staging)):
        if name.endswith(".pth"):
            with open(os.path.join(staging, name), encoding="utf-8") as file:
                lines = [line.strip() for line in file]
            found += [os.path.realpath(line) for line in lines
                      if line and not line.startswith(("#", "import ", "import\t"))
                      and os.path.isabs(line) and os.path.isdir(line)]
    return found


def _records(develop_eggs: str) -> list[tuple[str, dict[str, object]]]:
    """(dist-info path, record) of every develop project made by this module."""
    found = []
    for entry in sorted(os.listdir(develop_eggs)):
        path = os.path.join(develop_eggs, entry, RECORD_NAME)
        if entry.endswith(".dist-info") and os.path.isfile(path):
            with open(path, encoding="utf-8") as file:
                found.append((os.path.join(develop_eggs, entry), json.load(file)))
    return found


def _previous(develop_eggs: str, project: str) -> dict[str, object] | None:
    for _, record in _records(develop_eggs):
        if record.get("project") == project:
            return record
    return None


def _unchanged(record: dict[str, object] | None, print_: str) -> DevelopResult | None:
    if record is None or record.get("fingerprint") != print_:
        return None
    created = tuple(str(path) for path in _created(record))
    if not created or not all(os.path.exists(path) for path in created):
        return None
    return DevelopResult(str(record["name"]), str(record["version"]), str(record["egg_link"]), created)


def _created(record: dict[str, object] | None) -> list[str]:
    created = (record or {}).get("created")
    return [str(path) for path in created] if isinstance(created, list) else []


def _description(project_directory: str) -> str:
    name = frontend.project_name(project_directory)
    return f"{name} ({project_directory})" if name is not None else project_directory


def install_editable(project_directory: str, environments: BuildEnvironments, *,
                     environ: Mapping[str, str] | None = None) -> DevelopResult:
    """Install the project at ``project_directory`` in editable mode into develop-eggs.

    The develop-eggs directory is the one of ``environments``' settings, in
    which the project is built. Reuses the previous install when the
    project's build files (and the extra build ``environ``) have not changed
    since.
    """
    project = os.path.abspath(project_directory)
    if not os.path.isdir(project):
        raise UserError(f"Couldn't develop {project}: there is no such directory.")
    develop_eggs = environments.settings.develop_eggs_directory
    os.makedirs(develop_eggs, exist_ok=True)
    print_ = fingerprint(project, environ)
    previous = _previous(develop_eggs, project)
    unchanged = _unchanged(previous, print_)
    if unchanged is not None:
        logger.debug("Develop project %s is unchanged.", project)
        return unchanged
    for stale in os.listdir(develop_eggs):
        if stale.startswith(STAGING_PREFIX):  # left by a killed run
            shutil.rmtree(os.path.join(develop_eggs, stale), ignore_errors=True)
    logger.debug("Making editable install of %s", project)
    staging = tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=develop_eggs)
    try:
        with tempfile.TemporaryDirectory(prefix="buildout-develop-") as scratch:
            wheel_path = frontend.build_editable(project, scratch, environments,
                                              description=_description(project), environ=environ)
            name, version = wheel.wheel_metadata(wheel_path)
            egg_link = os.path.join(develop_eggs, egg_link_name(name))
            created = sorted(os.path.join(develop_eggs, entry) for entry in _staged_entries(
                wheel_path, staging, project))
            created.append(egg_link)
            location = _code_location(project, staging)
            _warn_if_old_style_namespaces(staging, name, project)
            _record(staging, {"project": project, "fingerprint": print_, "name": name,
                              "version": version, "egg_link": egg_link, "created": created})
        _remove(previous)
        _move_into_place(staging, develop_eggs)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _write_egg_link(egg_link, *location)
    return DevelopResult(name, version, egg_link, tuple(created))


def _staged_entries(wheel_path: str, staging: str, project: str) -> list[str]:
    # direct_url.json (PEP 610) marks the install as editable and names the
    # project, as pip's editable installs do; zc.recipe.testrunner reads it.
    direct_url = {"url": pathlib.Path(project).as_uri(), "dir_info": {"editable": True}}
    # Hidden files at the top of the wheel (pdm-backend's carries the
    # .gitignore of its build directory) do nothing for imports and would be
    # shared by every project in develop-eggs: they are left out.
    unpack.install_into(wheel_path, staging, hidden=False,
                       metadata={"direct_url.json": json.dumps(direct_url)})
    return sorted(os.listdir(staging))


def _warn_if_old_style_namespaces(staging: str, name: str, project: str) -> None:
    """Warn, in upstream's words, about a project declaring pkg_resources-style namespace packages."""
    (info,) = [entry for entry in os.listdir(staging) if entry.endswith(".dist-info")]
    if os.path.exists(os.path.join(staging, info, "namespace_packages.txt")):
        logger.warning("WARNING: Package %s at %s is using old style namespace packages. "
                       "You should switch to native namespaces (PEP 420).", name, project)


def _record(staging: str, record: dict[str, object]) -> None:
    (info,) = [entry for entry in os.listdir(staging) if entry.endswith(".dist-info")]
    with open(os.path.join(staging, info, RECORD_NAME), "w", encoding="utf-8") as file:
        json.dump(record, file, indent=1)


def _remove(previous: dict[str, object] | None) -> None:
    """Remove what an earlier develop of the same project created."""
    for path in _created(previous):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            os.remove(path)


def _move_into_place(staging: str, develop_eggs: str) -> None:
    for entry in sorted(os.listdir(staging)):
        target = os.path.join(develop_eggs, entry)
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)
        os.replace(os.path.join(staging, entry), target)


def _write_egg_link(path: str, location: str, setup: str) -> None:
    with open(path, "w", encoding="utf-8") as file:
        file.write(f"{location}\n{setup}")
