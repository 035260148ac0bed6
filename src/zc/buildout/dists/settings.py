"""What the installer is told: options of ``[buildout]``, ``[versions]`` pins, the index."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from zc.buildout.dists.versions import plainly_allows, plainly_valid
from zc.buildout.errors import Location, UserError

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    from zc.buildout.dists.lock.file import Lock

__all__ = [
    "InstallerSettings", "Pin", "default_index", "exact_version", "parse_pin",
]

_PIN_HINT = "Use a version (1.0) or a version specifier (==1.0, >=1.0,<2, ~=1.0, !=1.3)."


class Pin:
    """A ``[versions]`` entry: which versions of ``name`` may be used."""

    def __init__(self, name: str, specifier: str, location: Location | None = None) -> None:
        self.name = name
        """The project name as written in the versions section."""
        self.specifier = specifier
        """A PEP 440 specifier set: a bare version ``1.2`` is stored as ``==1.2``."""
        self.location = location

    def __repr__(self) -> str:
        return f"Pin(name={self.name!r}, specifier={self.specifier!r}, location={self.location!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Pin):
            return NotImplemented
        return (self.name, self.specifier, self.location) == (other.name, other.specifier, other.location)

    @functools.cached_property
    def specifier_set(self) -> SpecifierSet:
        from packaging.specifiers import SpecifierSet  # start-up: a no-op run compares no versions

        return SpecifierSet(self.specifier)

    def allows(self, version: str) -> bool:
        """Whether ``version`` satisfies the pin (pre-releases too), as ``specifier_set`` says."""
        plainly = plainly_allows(self.specifier, version)
        return self.specifier_set.contains(version, prereleases=True) if plainly is None else plainly

    @functools.cached_property
    def exact(self) -> Version | None:
        """The version when the pin names exactly one (``==1.2``), else ``None``."""
        return exact_version(self.specifier_set)

    def __str__(self) -> str:
        where = f" ({self.location})" if self.location else ""
        return f"{self.name} {self.specifier}{where}"


def exact_version(specifier: SpecifierSet) -> Version | None:
    """The one version a specifier set can match (it holds ``==V``), else ``None``."""
    from packaging.version import InvalidVersion, Version  # start-up: a no-op run asks for no exact version

    for one in specifier:
        if one.operator in ("==", "===") and not one.version.endswith(".*"):
            try:
                return Version(one.version)
            except InvalidVersion:  # an arbitrary "===" string
                return None
    return None


def parse_pin(name: str, value: str, location: Location | None = None) -> Pin | None:
    """The pin a versions-section line means; ``None`` for an empty value (unpinned)."""
    value = value.strip()
    if not value:
        return None
    text = f"=={value}" if value[0].isalnum() else value
    if plainly_valid(text):
        return Pin(name, text, location)
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # start-up: only other pins need it

    try:
        SpecifierSet(text)
    except InvalidSpecifier:
        raise UserError(
            f"Invalid version pin for {name!r}: {value!r}", location=location, hint=_PIN_HINT
        ) from None
    return Pin(name, text, location)


class InstallerSettings(NamedTuple):
    """Everything that decides which distributions are used and where they go."""

    eggs_directory: str
    develop_eggs_directory: str
    index: str | None = None  # type: ignore[assignment]  # the field hides tuple.index, which no caller uses
    """Simple-index URL or directory; ``None`` means :func:`default_index`."""
    find_links: tuple[str, ...] = ()
    allow_hosts: tuple[str, ...] = ("*",)
    pins: Mapping[str, Pin] = MappingProxyType({})
    """Canonical project name -> pin."""
    newest: bool = True
    offline: bool = False
    prefer_final: bool = True
    allow_picked_versions: bool = True
    allow_unknown_extras: bool = False
    download_cache: str | None = None
    install_from_cache: bool = False
    byte_compile: bool = True
    """Byte-compile the modules of distributions as they are installed (``byte-compile``)."""
    socket_timeout: float | None = None
    show_picked_versions: bool = False
    update_versions_file: str | None = None
    lock: Lock | None = None
    """The lock file (``lock-file``) as the run found it; its versions are pins too."""
    locked: bool = False
    """``--locked``: install only what the lock file holds, and never rewrite it."""
    use_dependency_links: bool = True
    """``use-dependency-links``: say so when an installed distribution declares links that
    buildout does not follow (it never does: only the index and find-links are read)."""
    in_process: bool = False
    """What is installed is imported by buildout's own process (recipes, extensions).

    Buildout's own distributions (zc.buildout, zc.recipe.egg and what they
    require) are then the running ones, whatever the pins say. Otherwise (a
    part's distributions) the running copy of one is used only when it
    satisfies the pins; else the pinned version is installed like any other.
    """

    @property
    def archive_cache(self) -> str | None:
        """Where the download cache keeps archives (``<download-cache>/dist``), if there is one."""
        if self.download_cache is None:
            return None
        return os.path.join(os.path.abspath(self.download_cache), "dist")


def default_index(environ: Mapping[str, str] = os.environ) -> str:
    """The index to use when ``[buildout] index`` is not set.

    In order: ``PIP_INDEX_URL``; ``index-url`` in pip's configuration files;
    the default built into the installed pip. Buildout names no index itself.
    """
    if environ.get("PIP_INDEX_URL"):
        return environ["PIP_INDEX_URL"]
    configured = _pip_configured_index(environ)
    if configured:
        return configured
    built_in = _pip_built_in_index(sys.executable)
    if built_in is None:
        raise UserError(
            "No package index is configured.",
            hint="Set the 'index' option of the [buildout] section.",
        )
    return built_in


@functools.cache
def _pip_built_in_index(python: str) -> str | None:
    """The index pip uses when nothing configures one, asked of pip in a process of its own.

    Never in buildout's own process: once pip is imported there, setuptools'
    distutils shim no longer loads, and recipes import setuptools. ``None``
    when pip is missing (or says nothing). Asked once a process.
    """
    import subprocess  # start-up: only a buildout that names no index asks pip

    completed = subprocess.run(
        [python, "-c", "from pip._internal.models.index import PyPI; print(PyPI.simple_url)"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True)
    answer = completed.stdout.strip()
    return answer if completed.returncode == 0 and answer else None


def _pip_config_files(environ: Mapping[str, str]) -> list[str]:
    """pip's configuration files, lowest precedence first (as pip reads them)."""
    explicit = environ.get("PIP_CONFIG_FILE")
    if explicit == os.devnull:
        return []
    home = os.path.expanduser("~")
    config_dirs = environ.get("XDG_CONFIG_DIRS", "/etc/xdg").split(os.pathsep)
    config_home = environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    files = [explicit] if explicit else []
    files += [os.path.join(d, "pip", "pip.conf") for d in config_dirs if d]
    files += ["/etc/pip.conf", os.path.join(home, ".pip", "pip.conf")]
    files += [os.path.join(config_home, "pip", "pip.conf"), os.path.join(sys.prefix, "pip.conf")]
    return files


def _pip_configured_index(environ: Mapping[str, str]) -> str | None:
    import configparser  # start-up: only a buildout that names no index reads pip's configuration

    parser = configparser.RawConfigParser()
    for path in _pip_config_files(environ):
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, UnicodeDecodeError):
            continue  # pip would complain about it; it names no index for us
    for section in ("install", "global"):
        if parser.has_option(section, "index-url"):
            return parser.get(section, "index-url").strip() or None
    return None
