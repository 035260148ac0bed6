"""``zc.buildout.buildout``: the ``Buildout`` object recipes and extensions receive.

A facade: configuration loading is in ``loading``, the section model in
``options``, recipes in ``parts``, the run in ``engine``. The names here are
the ones published recipes and extensions import.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from zc.buildout.config import conditions

from zc.buildout.config import loading
from zc.buildout.errors import MissingOption, MissingSection
from zc.buildout.run.installed import InstalledDatabase
from zc.buildout.config.options import Configuration, Options, bool_option
from zc.buildout.run.parts import Recipes

if TYPE_CHECKING:
    from zc.buildout.dists.installer import Installer

__all__ = [
    "Buildout",
    "MissingOption",
    "MissingSection",
    "Options",
    "_buildout_default_options",
    "_default_globals",
    "bool_option",
]

_buildout_default_options = loading.DEFAULT_OPTIONS
"""The ``[buildout]`` defaults (upstream's private name; language servers read it)."""


def _default_globals() -> dict[str, object]:
    """The plain names section conditions know, computed now (upstream's private name).

    Tools that parse configuration files themselves pass it to
    :func:`zc.buildout.config.parser.parse`, as plone.versioncheck does.
    """
    names: dict[str, object] = {
        name: compute() for name, compute in conditions.NAMES.items() if "." not in name}
    major, minor = sys.version_info[:2]
    names.update(python2=major == 2, python3=major == 3)
    names[f"python{major}{minor}"] = True
    return names


class Buildout(Configuration):
    """A loaded configuration: a mapping of section names to :class:`Options`.

    ``cloptions`` are ``(section, option, value)`` assignments, as on the
    command line. Constructing one checks ``[buildout]``, configures logging
    and makes ``buildout:directory`` the working directory.
    """

    def __init__(
        self,
        config_file: str | None,
        cloptions: Iterable[Sequence[str]] = (),
        user_defaults: bool = True,
        command: str | None = None,
        args: Sequence[str] = (),
        *,
        use_user_defaults: bool | None = None,
        windows_restart: bool = False,
    ) -> None:
        from zc.buildout.run import startup

        if use_user_defaults is not None:
            user_defaults = use_user_defaults
        assignments = [(section, option, value) for section, option, value in cloptions]
        loaded = loading.load(config_file, assignments, user_defaults=user_defaults)
        self._loader = Recipes(
            self._install_requirements, self._put_develop_eggs_on_path, self._installed_requirements
        )
        self._installer_instance: Installer | None = None
        super().__init__(loaded, self._loader)
        self._command = command
        self._args = tuple(args)
        self._logger = logging.getLogger("zc.buildout")
        self._log_level = logging.INFO
        self.offline = False
        self.newest = True
        self.show_picked_versions = False
        self.update_versions_file = ""
        self.versions: dict[str, str] = {}
        self._buildout_dir = ""
        startup.prepare(self)

    def _installer(self) -> Installer:
        """The run's installer: one per run, so it reports every version it picked."""
        if self._installer_instance is None:
            from zc.buildout.dists.installer import Installer
            from zc.buildout.dists.settings import InstallerSettings

            from zc.buildout.legacy import defaults

            self._installer_instance = Installer(InstallerSettings.from_buildout(self))
            # Recipes' easy_install calls record their picks there too.
            self._installer_instance.picked_versions = defaults.defaults.picked
            self._installer_instance.used = defaults.defaults.used
        return self._installer_instance

    def _install_requirements(self, requirements: Sequence[str]) -> list[str]:
        """Install requirements this process lacks; the path entries to import them from."""
        return [dist.location for dist in self._installer().install(requirements)]

    def _installed_requirements(self, requirements: Sequence[str]) -> list[str]:
        """Like :meth:`_install_requirements`, from what is installed already."""
        import dataclasses

        from zc.buildout.dists.installer import Installer

        settings = dataclasses.replace(self._installer().settings, offline=True, newest=False)
        return [dist.location for dist in Installer(settings).install(requirements)]

    @property
    def _links(self) -> tuple[str, ...]:
        """The ``find-links`` of ``[buildout]`` (upstream's private name; SlapOS recipes read it)."""
        return self._installer().settings.find_links

    @property
    def _allow_hosts(self) -> tuple[str, ...]:
        """The ``allow-hosts`` of ``[buildout]`` (upstream's private name; SlapOS recipes read it)."""
        return self._installer().settings.allow_hosts

    def _put_develop_eggs_on_path(self) -> None:
        from zc.buildout.run import develop

        develop.add_to_path(self["buildout"]["develop-eggs-directory"])

    # -- what recipes and extensions call --------------------------------

    def install(self, install_args: Sequence[str] = ()) -> None:
        """Run the ``install`` command: with part names, only those parts."""
        from zc.buildout.run import engine

        engine.install(self, install_args)

    def bootstrap(self, args: Sequence[str] = ()) -> None:
        """Run the ``bootstrap`` command."""
        from zc.buildout.run import bootstrap

        bootstrap.bootstrap(self)

    def init(self, args: Sequence[str] = ()) -> None:
        """What the ``init`` command does once the configuration exists: bootstrap, then install if ``args``."""
        self.bootstrap(())
        if args:
            self.install(())

    def _read_installed_part_options(self) -> tuple[dict[str, dict[str, str]], bool]:
        """The installation database as ``({'buildout': ..., part: options}, exists)``."""
        database = InstalledDatabase(self["buildout"].get("installed") or None)
        return database.as_sections(), database.exists

    def print_options(self, base_path: str | None = None) -> None:
        """Print the initialised sections but ``buildout`` and the versions, sorted."""
        sys.stdout.write(self.format_options(base_path))

    def __repr__(self) -> str:
        return f"<Buildout {self['buildout'].get('directory', '?')!r}>"
