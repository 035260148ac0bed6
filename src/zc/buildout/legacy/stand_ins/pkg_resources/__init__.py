"""Buildout's own small ``pkg_resources``, for recipes where setuptools provides none.

Only the calls published recipes make are here (see
``docs/topics/pkg-resources.rst``), built on buildout's working-set model,
``importlib.metadata`` and ``packaging``. ``working_set`` is the working set
of this process: it is made on first use and picks up entries added to
``sys.path`` since. :func:`zc.buildout.run.pkgresources.ensure_pkg_resources`
makes ``import pkg_resources`` find this package.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil
import sys
from types import ModuleType
from typing import IO, Any

from packaging.version import parse as parse_version

from zc.buildout.legacy.distribution import (
    BINARY_DIST,
    CHECKOUT_DIST,
    DEVELOP_DIST,
    EGG_DIST,
    SOURCE_DIST,
    Distribution,
    EntryPoint,
)
from zc.buildout.legacy.requirement import (
    DistributionNotFound,
    Requirement,
    ResolutionError,
    UnknownExtra,
    VersionConflict,
    parse_requirements,
    safe_extra,
    safe_name,
    to_filename,
    yield_lines,
)
from zc.buildout.legacy.working_set import Environment, WorkingSet

__all__ = [
    "BINARY_DIST",
    "CHECKOUT_DIST",
    "DEVELOP_DIST",
    "EGG_DIST",
    "SOURCE_DIST",
    "Distribution",
    "DistributionNotFound",
    "EntryPoint",
    "Environment",
    "Requirement",
    "ResolutionError",
    "UnknownExtra",
    "VersionConflict",
    "WorkingSet",
    "declare_namespace",
    "get_distribution",
    "get_entry_info",
    "get_entry_map",
    "iter_entry_points",
    "load_entry_point",
    "parse_requirements",
    "parse_version",
    "require",
    "resource_exists",
    "resource_filename",
    "resource_isdir",
    "resource_listdir",
    "resource_stream",
    "resource_string",
    "safe_extra",
    "safe_name",
    "to_filename",
    "working_set",
    "yield_lines",
]

Package = str | ModuleType | Requirement


@functools.cache
def _process_working_set() -> WorkingSet:
    return WorkingSet(())


def _current() -> WorkingSet:
    """The process working set, brought up to date with ``sys.path``."""
    working_set = _process_working_set()
    for entry in list(sys.path):
        if entry not in working_set.entry_keys:
            working_set.add_entry(entry)
    return working_set


def __getattr__(name: str) -> Any:
    if name == "working_set":
        return _current()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def get_distribution(dist: str | Requirement | Distribution) -> Distribution:
    """The distribution on ``sys.path`` for a project name or requirement."""
    if isinstance(dist, Distribution):
        return dist
    req = Requirement.parse(dist) if isinstance(dist, str) else dist
    found = _current().find(req)
    if found is None:
        raise DistributionNotFound(req)
    return found


def require(*requirements: str | Requirement) -> list[Distribution]:
    """The distributions on ``sys.path`` the requirements need, dependencies included."""
    return _current().require(*requirements)


def iter_entry_points(group: str, name: str | None = None) -> Any:
    return _current().iter_entry_points(group, name)


def get_entry_map(dist: str | Requirement | Distribution, group: str | None = None) -> dict[str, Any]:
    return get_distribution(dist).get_entry_map(group)


def get_entry_info(dist: str | Requirement | Distribution, group: str, name: str) -> EntryPoint | None:
    return get_distribution(dist).get_entry_info(group, name)


def load_entry_point(dist: str | Requirement | Distribution, group: str, name: str) -> Any:
    return get_distribution(dist).load_entry_point(group, name)


def _resource_path(package: Package, resource_name: str) -> str:
    """Where a resource (``/``-separated name) of a package, module or distribution lives."""
    parts = [part for part in resource_name.split("/") if part]
    if isinstance(package, Requirement):
        return os.path.join(get_distribution(package).location, *parts)
    module = importlib.import_module(package) if isinstance(package, str) else package
    directories = list(getattr(module, "__path__", ()))
    if not directories and getattr(module, "__file__", None):
        directories = [os.path.dirname(str(module.__file__))]
    if not directories:
        raise ValueError(f"{module.__name__} has no files to hold resources")
    candidates = [os.path.join(directory, *parts) for directory in directories]
    return next((path for path in candidates if os.path.exists(path)), candidates[0])


def resource_filename(package: Package, resource_name: str) -> str:
    return _resource_path(package, resource_name)


def resource_exists(package: Package, resource_name: str) -> bool:
    return os.path.exists(_resource_path(package, resource_name))


def resource_isdir(package: Package, resource_name: str) -> bool:
    return os.path.isdir(_resource_path(package, resource_name))


def resource_listdir(package: Package, resource_name: str) -> list[str]:
    return sorted(os.listdir(_resource_path(package, resource_name)))


def resource_stream(package: Package, resource_name: str) -> IO[bytes]:
    return open(_resource_path(package, resource_name), "rb")


def resource_string(package: Package, resource_name: str) -> bytes:
    with resource_stream(package, resource_name) as stream:
        return stream.read()


def declare_namespace(name: str) -> None:
    """Let the package ``name`` span every ``sys.path`` entry holding a directory of that name.

    Old-style namespace packages call this from their ``__init__.py``;
    native (PEP 420) namespace packages need nothing.
    """
    module = sys.modules.get(name) or importlib.import_module(name)
    path = getattr(module, "__path__", None)
    if path is not None:
        module.__path__ = pkgutil.extend_path(list(path), name)
