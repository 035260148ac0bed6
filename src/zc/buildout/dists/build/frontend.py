"""PEP 517/660 build front end: source trees and sdists to wheels, in isolated environments.

The backend runs in a subprocess (``pyproject-hooks``) started with ``-S``,
so the build sees only the build requirements: taken from the environment
buildout runs in when it satisfies them (exposed through a directory of
symbolic links to just those distributions), else installed from the index
into a cached build-environment directory.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, cast

from zc.buildout.errors import Location, UserError

if TYPE_CHECKING:
    from pyproject_hooks import BuildBackendHookCaller

    from zc.buildout.dists.build.isolation import BuildEnvironments

__all__ = [
    "BuildError",
    "BuildSystem",
    "build_editable",
    "build_wheel",
    "prepare_metadata",
    "project_name",
    "read_build_system",
    "unpack_sdist",
]

logger = logging.getLogger("zc.buildout")

# PEP 517: a project without [build-system] is built by setuptools' legacy backend.
_LEGACY = ("setuptools>=40.8.0",), "setuptools.build_meta:__legacy__"


class BuildError(UserError):
    """A build backend failed; the message carries its output."""


@dataclasses.dataclass(frozen=True)
class BuildSystem:
    """The ``[build-system]`` table of a project (PEP 517/518)."""

    requires: tuple[str, ...]
    backend: str
    backend_path: tuple[str, ...] = ()


def _load_toml(path: str) -> dict[str, object]:
    if sys.version_info >= (3, 11):
        import tomllib  # start-up: only a build reads pyproject.toml
    else:
        import tomli as tomllib  # start-up: only a build reads pyproject.toml (the backport, on 3.10)
    with open(path, "rb") as file:
        try:
            return tomllib.load(file)
        except tomllib.TOMLDecodeError as error:
            raise UserError(f"Invalid pyproject.toml: {error}", location=Location(path)) from None


def project_name(project_directory: str) -> str | None:
    """The name the ``[project]`` table of the project's ``pyproject.toml`` gives, if any."""
    try:
        project = _load_toml(os.path.join(project_directory, "pyproject.toml")).get("project")
    except FileNotFoundError:
        return None
    name = project.get("name") if isinstance(project, dict) else None
    return name if isinstance(name, str) else None


def read_build_system(project_directory: str) -> BuildSystem:
    """How to build the project: its ``[build-system]``, or setuptools' legacy backend."""
    path = os.path.join(project_directory, "pyproject.toml")
    if not os.path.exists(path):
        return BuildSystem(*_LEGACY)
    table = _load_toml(path).get("build-system")
    if not isinstance(table, Mapping):
        return BuildSystem(*_LEGACY)
    requires = table.get("requires", [])
    backend = table.get("build-backend", _LEGACY[1])
    backend_path = table.get("backend-path", [])
    if not (isinstance(requires, list) and all(isinstance(r, str) for r in requires)
            and isinstance(backend, str) and isinstance(backend_path, list)):
        raise UserError(f"Invalid [build-system] table in {path}",
                        hint="requires and backend-path are lists of strings, build-backend a string.")
    return BuildSystem(tuple(requires), backend, tuple(str(p) for p in backend_path))


class _HookFailed(Exception):
    def __init__(self, output: str) -> None:
        super().__init__(output)
        self.output = output


@dataclasses.dataclass
class _Runner:
    """Runs a backend hook with only the build environment on the path."""

    path: Sequence[str]
    environ: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Variables set for the backend on top of this process's environment."""

    def __call__(self, cmd: Sequence[str], cwd: str | None = None,
                 extra_environ: Mapping[str, str] | None = None) -> None:
        # Warnings of the backend are collected by the hook wrapper and would be
        # re-raised here: they are the project's business, not the user's.
        environ = dict(os.environ, PYTHONPATH=os.pathsep.join(self.path),
                       PYTHONNOUSERSITE="1", PYTHONWARNINGS="ignore")
        environ.update(self.environ)
        environ.update(extra_environ or {})
        completed = subprocess.run(
            [cmd[0], "-S", *cmd[1:]], cwd=cwd, env=environ,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        if completed.returncode:  # the backend's output is shown only when it failed
            raise _HookFailed(completed.stdout.decode("utf-8", "replace"))


def _failure(description: str, backend: str, output: str) -> BuildError:
    shown = "\n".join("  " + line for line in output.rstrip().splitlines()) or "  (no output)"
    return BuildError(f"Couldn't build {description}: the build backend {backend!r} failed:\n{shown}")


def _hook_caller(source_directory: str, environments: BuildEnvironments, description: str,
                 editable: bool, environ: Mapping[str, str] | None = None) -> BuildBackendHookCaller:
    """A hook caller whose environment holds the static and dynamic build requirements."""
    from pyproject_hooks import BuildBackendHookCaller  # start-up: only a build needs the hook caller

    system = read_build_system(source_directory)
    runner = _Runner(environments.path(system.requires, description), dict(environ or {}))
    caller = BuildBackendHookCaller(
        source_directory, system.backend, list(system.backend_path) or None,
        runner=runner, python_executable=sys.executable,
    )
    hook = caller.get_requires_for_build_editable if editable else caller.get_requires_for_build_wheel
    extra = [str(requirement) for requirement in cast("list[str]", _call(hook, description, system.backend))]
    if extra:
        runner.path = environments.path((*system.requires, *extra), description)
    return caller


def _call(hook: Callable[..., object], description: str, backend: str, *args: object) -> object:
    from pyproject_hooks import (  # start-up: only a build needs the hook caller
        BackendUnavailable,
        HookMissing,
    )

    try:
        return hook(*args)
    except _HookFailed as failure:
        raise _failure(description, backend, failure.output) from None
    except BackendUnavailable as error:
        raise BuildError(
            f"Couldn't build {description}: the build backend {backend!r} could not be imported.",
            hint=str(error) or None,
        ) from None
    except HookMissing as error:
        raise BuildError(
            f"Couldn't build {description}: the build backend {backend!r} has no "
            f"{error.hook_name} hook.",
            hint="Editable installs (develop) need a backend supporting PEP 660, "
            "such as setuptools 64 or later." if "editable" in error.hook_name else None,
        ) from None


def build_wheel(source: str, output_directory: str, environments: BuildEnvironments, *,
                description: str, environ: Mapping[str, str] | None = None) -> str:
    """Build a wheel from a source tree or sdist archive; return the wheel's path.

    ``environ`` adds environment variables for the build backend.
    """
    with tempfile.TemporaryDirectory(prefix="buildout-build-") as scratch:
        if os.path.isfile(source):
            source = unpack_sdist(source, scratch)
        caller = _hook_caller(source, environments, description, editable=False, environ=environ)
        name = _call(caller.build_wheel, description, caller.build_backend, output_directory)
    return os.path.join(output_directory, str(name))


def build_editable(project_directory: str, output_directory: str, environments: BuildEnvironments, *,
                   description: str, environ: Mapping[str, str] | None = None) -> str:
    """Build a PEP 660 editable wheel of a project tree; return the wheel's path."""
    caller = _hook_caller(project_directory, environments, description, editable=True, environ=environ)
    name = _call(caller.build_editable, description, caller.build_backend, output_directory)
    return os.path.join(output_directory, str(name))


def prepare_metadata(source: str, output_directory: str, environments: BuildEnvironments, *,
                     description: str) -> str:
    """The ``.dist-info`` directory a wheel built from ``source`` would have.

    Uses ``prepare_metadata_for_build_wheel``, or builds the wheel when the
    backend lacks that hook.
    """
    with tempfile.TemporaryDirectory(prefix="buildout-build-") as scratch:
        if os.path.isfile(source):
            source = unpack_sdist(source, scratch)
        caller = _hook_caller(source, environments, description, editable=False)
        name = _call(caller.prepare_metadata_for_build_wheel, description,
                     caller.build_backend, output_directory)
    return os.path.join(output_directory, str(name))


def unpack_sdist(path: str, directory: str) -> str:
    """Unpack an sdist (``.tar.gz``, ``.tar.bz2``, ``.tar``, ``.tgz``, ``.zip``); return its tree."""
    target = os.path.join(directory, "sdist")
    try:
        if path.endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                archive.extractall(target)
        else:
            with tarfile.open(path) as tar:
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(target, filter="data")
                else:  # Python without extraction filters: check member names ourselves
                    _check_members(tar.getnames())
                    tar.extractall(target)
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as error:
        raise UserError(f"Couldn't unpack {path}: {error}") from None
    entries = os.listdir(target)
    if len(entries) == 1 and os.path.isdir(os.path.join(target, entries[0])):
        return os.path.join(target, entries[0])
    return target


def _check_members(names: Sequence[str]) -> None:
    for name in names:
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
            raise tarfile.TarError(f"unsafe member {name!r}")
