"""``zc.buildout.easy_install``: the installer API recipes have always called.

A facade: the calls are mapped onto
:class:`zc.buildout.dists.installer.Installer` by :mod:`zc.buildout.legacy.calls`;
the defaults they get and set are the current run's
(:mod:`zc.buildout.legacy.defaults`); scripts come from
:mod:`zc.buildout.run.scripts`. ``script_template`` is read whenever
:func:`scripts` runs, so a recipe may replace it for a while. See
``docs/topics/recipe-api.rst``.
"""

from __future__ import annotations

import logging
from typing import Any

from zc.buildout.dists.resolve.conflicts import MissingDistribution, VersionConflict
from zc.buildout.legacy import calls
from zc.buildout.legacy.calls import Installer, build, develop, install, sort_working_set, working_set
from zc.buildout.legacy.defaults import (
    allow_picked_versions,
    clear_index_cache,
    default_versions,
    download_cache,
    get_picked_versions,
    index_url,
    install_from_cache,
    normalize_versions,
    prefer_final,
    store_required_by,
    use_dependency_links,
)
from zc.buildout.legacy.internals import (
    _constrained_requirement,
    _distutils_script,
    _execute_permission,
    _get_matching_dist_in_location,
    _move_to_eggs_dir_and_compile,
    check_namespace_init_file,
    find_namespace_init_files,
    own_distributions,
)
from zc.buildout.run.scripts import relativize, safe_arg, script_header, script_template

__all__ = [
    "_constrained_requirement",
    "_distutils_script",
    "_execute_permission",
    "_get_matching_dist_in_location",
    "_move_to_eggs_dir_and_compile",
    "check_namespace_init_file",
    "find_namespace_init_files",
    "IncompatibleConstraintError",
    "IncompatibleVersionError",
    "Installer",
    "MissingDistribution",
    "VersionConflict",
    "allow_picked_versions",
    "build",
    "clear_index_cache",
    "default_versions",
    "develop",
    "download_cache",
    "get_picked_versions",
    "index_url",
    "install",
    "install_from_cache",
    "logger",
    "normalize_versions",
    "prefer_final",
    "script_header",
    "script_template",
    "scripts",
    "sort_working_set",
    "store_required_by",
    "use_dependency_links",
    "working_set",
]

logger = logging.getLogger("zc.buildout.easy_install")

IncompatibleConstraintError = VersionConflict
"""Requirements (or a requirement and a ``[versions]`` pin) that cannot all be met."""
IncompatibleVersionError = IncompatibleConstraintError

_safe_arg = safe_arg
"""Private upstream name (plone.recipe.zope2instance, SlapOS): a ``#!`` argument, quoted if needed."""


def _relativitize(path: str, script: str, relative_paths: str) -> str:
    """Private upstream name: the expression for ``path`` in ``script``, relative to ``relative_paths``."""
    return relativize(path, script, relative_paths)


def scripts(*args: Any, **kwargs: Any) -> list[str]:
    """Write console scripts (and an interpreter); console scripts use this module's ``script_template``.

    The template is read at each call, so a recipe may replace
    ``zc.buildout.easy_install.script_template`` for a while.
    """
    return calls.scripts(*args, template=script_template, **kwargs)


def __getattr__(name: str) -> Any:
    """``buildout_and_setuptools_dists`` / ``_path``: zc.buildout's own distributions, looked up when first read.

    Upstream computed them at import; reading the installed metadata then
    would slow every start-up, so they are found on first use instead.
    """
    if name == "buildout_and_setuptools_dists":
        return own_distributions()
    if name == "buildout_and_setuptools_path":
        return list(dict.fromkeys(dist.location for dist in own_distributions()))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
