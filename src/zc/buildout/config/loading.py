"""Configuration sources merged into raw sections, every value with its history.

Precedence, lowest first (UPSTREAM-BEHAVIOUR 2.3):

1. buildout's defaults (``DEFAULT_VALUE``; ``directory`` is ``COMPUTED_VALUE``),
2. user defaults, ``$BUILDOUT_HOME/default.cfg`` or ``~/.buildout/default.cfg``,
   with what they extend,
3. the configuration file with what it extends,
4. files named by a ``buildout:extends=...`` assignment,
5. the other assignments (``COMMAND_LINE_VALUE``).

Then the directory options are made absolute and the default ``[versions]``
pins added.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

import zc.buildout
from zc.buildout.config.directories import resolve_directories, resolve_file_relative
from zc.buildout.config.extends import ExtendsTree
from zc.buildout.config.layers import Sections, apply_layer, apply_option
from zc.buildout.config.macros import expand_macros
from zc.buildout.config.parser import RawOption
from zc.buildout.config.remote import RemoteConfigurations
from zc.buildout.config.values import (
    COMMAND_LINE_VALUE,
    COMPUTED_VALUE,
    DEFAULT_VALUE,
    HistoryEntry,
    Value,
    is_url,
)
from zc.buildout.errors import UserError

__all__ = [
    "DEFAULT_OPTIONS",
    "DEFAULT_PINS",
    "HistoryEntry",
    "LoadedConfiguration",
    "Value",
    "expand_macros",
    "load",
    "user_defaults_path",
]

DEFAULT_OPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "allow-hosts": "*",
        "allow-picked-versions": "true",
        "allow-unknown-extras": "false",
        "bin-directory": "bin",
        "develop-eggs-directory": "develop-eggs",
        "eggs-directory": "eggs",
        "eggs-directory-version": "v5",
        "executable": sys.executable,
        "find-links": "",
        "install-from-cache": "false",
        "installed": ".installed.cfg",
        "log-format": "",
        "log-level": "INFO",
        "newest": "true",
        "offline": "false",
        "parts-directory": "parts",
        "prefer-final": "true",
        "python": "buildout",
        "show-picked-versions": "false",
        "socket-timeout": "",
        "update-versions-file": "",
        "use-dependency-links": "true",
        "versions": "versions",
    }
)
"""The ``[buildout]`` options every configuration starts with."""

DEFAULT_PINS: tuple[tuple[str, str], ...] = (
    ("zc.buildout", f">={zc.buildout.__version__}"),
    ("zc.recipe.egg", ">=2.0.6"),
)
"""Added to the versions section unless the configuration pins these projects."""

_SEPARATORS = re.compile(r"[-_.]+")


class LoadedConfiguration:
    """Every source merged in precedence order."""

    def __init__(self, sections: dict[str, dict[str, Value]], config_file: str | None) -> None:
        self.sections = sections
        """Section name -> option name -> value. Sections using macros (``<``) are
        kept raw: their ``+=``/``-=`` wait under ``"name +"``/``"name -"`` keys
        until :func:`expand_macros` applies them."""
        self.config_file = config_file
        """Absolute path or URL of the main configuration file, if there is one."""


def user_defaults_path() -> str:
    """``$BUILDOUT_HOME/default.cfg``, else ``~/.buildout/default.cfg``."""
    home = os.environ.get("BUILDOUT_HOME") or os.path.join("~", ".buildout")
    return os.path.join(os.path.expanduser(home), "default.cfg")


def load(
    config_file: str | None,
    assignments: Sequence[tuple[str, str, str]] = (),
    *,
    user_defaults: bool = True,
    as_configured: bool = False,
) -> LoadedConfiguration:
    """Read and merge the configuration (module docstring) for one run.

    ``config_file`` is a path (relative to the working directory) or a URL,
    or None when there is no configuration file yet. ``assignments`` are
    ``(section, option, value)`` with ``option`` ending in ``+``/``-`` for
    ``+=``/``-=``. Raises :class:`~zc.buildout.errors.UserError` naming the
    file and line of any mistake. Directory options are made absolute as a
    run uses them; ``as_configured`` leaves those relative to the buildout
    directory as they were given (``annotate`` shows them so).
    """
    cwd = os.getcwd()
    main = None if config_file is None else _absolute(config_file, cwd)
    sections: Sections = {"buildout": _defaults(main, cwd)}
    command_line = {option: value for section, option, value in assignments if section == "buildout"}
    remote = RemoteConfigurations(DEFAULT_OPTIONS, command_line, cwd)
    tree = ExtendsTree(remote.fetch)
    layers = []
    roots = [user_defaults_path()] if user_defaults else []
    roots = [path for path in roots if os.path.isfile(path)]
    if main is not None:
        roots.append(main)
    for root in roots:
        own = tree.own_layer(root)
        remote.add_root(own.source, own.sections)
        chain = tree.layers(root)
        if root != main:  # the user defaults, whole, decide how the project's files are fetched
            for layer in chain:
                remote.add_root(layer.source, layer.sections)
        layers += chain
    for name in _extends_assignments(assignments):
        layers += tree.layers(_absolute(name, cwd))
    for layer in layers:
        apply_layer(sections, layer.sections, layer.source)
    for section, option, value in assignments:
        if (section, option) != ("buildout", "extends"):
            apply_option(sections, section, _assignment(option, value), COMMAND_LINE_VALUE)

    buildout = sections["buildout"]
    if "<" in buildout:
        raise UserError("The buildout section cannot use macros (<).", location=buildout["<"].location)
    resolve_file_relative(buildout, cwd)
    if not as_configured:
        resolve_directories(buildout)
    _add_default_pins(sections)
    return LoadedConfiguration(sections, main)


def _absolute(name: str, cwd: str) -> str:
    if is_url(name):
        return name
    return os.path.normpath(os.path.join(cwd, os.path.expanduser(name)))


def _defaults(main: str | None, cwd: str) -> dict[str, Value]:
    section = {name: Value.new(text, DEFAULT_VALUE) for name, text in DEFAULT_OPTIONS.items()}
    if main is None:
        section["directory"] = Value.new(cwd, COMPUTED_VALUE)
    elif not is_url(main):
        section["directory"] = Value.new(os.path.dirname(main), COMPUTED_VALUE)
    return section


def _extends_assignments(assignments: Iterable[tuple[str, str, str]]) -> list[str]:
    return [
        name
        for section, option, value in assignments
        if (section, option) == ("buildout", "extends")
        for name in value.split()
    ]


def _assignment(option: str, value: str) -> RawOption:
    op = option[-1] if option.endswith(("+", "-")) else ""
    name = option[:-1].rstrip() if op else option
    return RawOption(name, op, value, 0, option)


def _add_default_pins(sections: Sections) -> None:
    versions = sections["buildout"].get("versions")
    name = versions.text.strip() if versions is not None else ""
    if not name or "${" in name:
        return
    section = sections.setdefault(name, {})
    pinned = {_SEPARATORS.sub("-", key).lower() for key in section}
    for project, specifier in DEFAULT_PINS:
        if _SEPARATORS.sub("-", project).lower() not in pinned:
            section[project] = Value.new(specifier, DEFAULT_VALUE)
