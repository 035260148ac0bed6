"""The run object: what one buildout run shares, and the one seam to it.

A run starts when a :class:`~zc.buildout.run.startup.Buildout` is made.
:class:`Run` holds what lasts from then on: the installer settings read
from ``[buildout]``, the versions section and the lock file; the installer
(made when first needed, so that a run with nothing to install never
makes one); the versions the installations picked and the lock entries
they used; the recipes loaded; the log level. The ``Buildout`` hands its
run to the engine and the develop step explicitly.

Recipes call the old ``zc.buildout.easy_install`` functions with no object
of the run in hand, so the compatibility layer reaches it through
:func:`current_run`, the one seam: a context variable the ``Buildout`` sets
as it starts. Outside any buildout (a recipe's unit tests calling
``easy_install.install`` directly) the current run is one of the built-in
defaults, made on first use; the old setters (``prefer_final()``, ...)
change it, as upstream's changed its process-wide defaults. Tests that
must not leak such changes start a run of their own with :func:`begin`
and :func:`end` it.
"""

from __future__ import annotations

import contextvars
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from zc.buildout.dists.installer import Installer
from zc.buildout.dists.metadata import canonical_name
from zc.buildout.dists.resolve.picked import PickedVersions
from zc.buildout.dists.settings import InstallerSettings, Pin, parse_pin
from zc.buildout.errors import UserError
from zc.buildout.net.timeouts import socket_timeout
from zc.buildout.run.develop import add_to_path
from zc.buildout.run.parts import Recipes

if TYPE_CHECKING:
    from zc.buildout.dists.lock.file import Lock, LockedDistribution

__all__ = ["Run", "begin", "current_run", "end", "installer_settings"]


class Run:
    """What one buildout run shares (module docstring)."""

    def __init__(
        self,
        settings: InstallerSettings | Callable[[], InstallerSettings],
        *,
        log_level: int = logging.INFO,
    ) -> None:
        self._settings: InstallerSettings | None = None
        self._read_settings: Callable[[], InstallerSettings] | None = None
        if isinstance(settings, InstallerSettings):
            self._settings = settings
        else:
            self._read_settings = settings
        self.log_level = log_level
        self.picked = PickedVersions()
        """The versions every installation of the run picked (recipes' included)."""
        self.used: dict[str, LockedDistribution] = {}
        """What they used, for the lock file (by canonical name)."""
        self.recipes = Recipes(self._install, self._develop_eggs_on_path, self._find_installed)
        self.store_required_by = False
        """Upstream's ``easy_install.store_required_by()`` switch, kept for recipes that set it."""
        self._installer: Installer | None = None
        self._installer_settings: InstallerSettings | None = None
        """The settings the installer was made for."""

    @property
    def settings(self) -> InstallerSettings:
        """What the run's installations are told. The old ``easy_install`` setters replace it.

        Given as a function, they are read when first needed: a buildout's
        ``[buildout]`` section may need a recipe (of a part it refers to)
        before it is complete.
        """
        if self._settings is None:
            assert self._read_settings is not None
            self._settings = self._read_settings()
        return self._settings

    @settings.setter
    def settings(self, settings: InstallerSettings) -> None:
        self._settings = settings

    @classmethod
    def of_defaults(cls) -> Run:
        """A run of the built-in defaults, with no directories (each old-style call names them)."""
        return cls(InstallerSettings(eggs_directory="", develop_eggs_directory=""))

    def installer(self) -> Installer:
        """The run's installer, for the present settings; its installations report to the run.

        What it installs is for buildout's own process (recipes, extensions,
        develop projects): see :attr:`InstallerSettings.in_process`.
        """
        if self._installer is None or self._installer_settings is not self.settings:
            self._installer_settings = self.settings
            self._installer = Installer(self.settings._replace(in_process=True),
                                        picked=self.picked, used=self.used)
        return self._installer

    def _install(self, requirements: Sequence[str]) -> list[str]:
        """Install requirements buildout's process lacks; the path entries to import them from."""
        return [dist.location for dist in self.installer().install(requirements)]

    def _find_installed(self, requirements: Sequence[str]) -> list[str]:
        """Like :meth:`_install`, from what is installed already."""
        settings = self.settings._replace(offline=True, newest=False, in_process=True)
        return [dist.location for dist in Installer(settings).install(requirements)]

    def _develop_eggs_on_path(self) -> None:
        add_to_path(self.settings.develop_eggs_directory)


_CURRENT: contextvars.ContextVar[Run] = contextvars.ContextVar("zc.buildout.current_run")


def current_run() -> Run:
    """The run of the buildout started last in this context, or one of the defaults."""
    try:
        return _CURRENT.get()
    except LookupError:
        run = Run.of_defaults()
        _CURRENT.set(run)
        return run


def begin(run: Run) -> contextvars.Token[Run]:
    """Make ``run`` the current run; the token lets :func:`end` restore the one before."""
    return _CURRENT.set(run)


def end(token: contextvars.Token[Run]) -> None:
    """Make the run that was current before :func:`begin` gave ``token`` current again."""
    _CURRENT.reset(token)


def installer_settings(buildout: Mapping[str, Mapping[str, str]]) -> InstallerSettings:
    """The installer settings of a configuration: ``[buildout]``, the versions section, the lock.

    ``buildout`` maps section names to options; option values are
    substituted. The lock's versions become exact pins.
    """
    options = buildout["buildout"]
    offline = _flag(options, "offline", False)
    lock = _lock(options)
    locked = _flag(options, "locked", False)
    if locked and lock is None:
        raise UserError("--locked asks to install what the lock file holds, but there is no lock-file.",
                        hint="Set the lock-file option of [buildout] and run buildout once without --locked.")
    pins = _pins(buildout, options.get("versions", "versions"))
    if lock is not None:
        from zc.buildout.dists.lock.checks import with_lock_pins  # start-up: only with a lock file

        pins = with_lock_pins(pins, lock)
    return InstallerSettings(
        eggs_directory=options["eggs-directory"],
        develop_eggs_directory=options["develop-eggs-directory"],
        index=options.get("index") or None,
        find_links=tuple(options.get("find-links", "").split()),
        allow_hosts=tuple(options.get("allow-hosts", "*").split()) or ("*",),
        pins=pins,
        newest=_flag(options, "newest", True) and not offline,
        offline=offline,
        prefer_final=_flag(options, "prefer-final", True),
        allow_picked_versions=_flag(options, "allow-picked-versions", True),
        allow_unknown_extras=_flag(options, "allow-unknown-extras", False),
        download_cache=options.get("download-cache") or None,
        install_from_cache=_flag(options, "install-from-cache", False),
        byte_compile=_flag(options, "byte-compile", True),
        socket_timeout=_timeout(options.get("socket-timeout", "")),
        show_picked_versions=_flag(options, "show-picked-versions", False),
        use_dependency_links=_flag(options, "use-dependency-links", True),
        update_versions_file=options.get("update-versions-file") or None,
        lock=lock,
        locked=locked,
    )


def _flag(options: Mapping[str, str], name: str, default: bool) -> bool:
    value = options.get(name)
    if value is None or value == "":
        return default
    if value not in ("true", "false"):
        raise UserError(f"Invalid value for {name!r} option: {value!r}")
    return value == "true"


def _lock(options: Mapping[str, str]) -> Lock | None:
    value = options.get("lock-file", "").strip()
    if not value:
        return None
    from zc.buildout.dists.lock.file import Lock  # start-up: only with a lock file

    return Lock.read(os.path.join(options.get("directory") or os.getcwd(), value))


def _timeout(value: str) -> float | None:
    return socket_timeout(value) if value.isascii() and value.isdigit() else None


def _pins(buildout: Mapping[str, Mapping[str, str]], section: str) -> dict[str, Pin]:
    """The pins of the versions section, each located where it was set (when known)."""
    if not section or section not in buildout:
        return {}
    options = buildout[section]
    locate = getattr(options, "location", None)
    pins: dict[str, Pin] = {}
    for name, value in options.items():
        pin = parse_pin(name, value, locate(name) if locate is not None else None)
        if pin is not None:
            pins[canonical_name(name)] = pin
    return pins
