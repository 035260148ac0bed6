"""Starting a run: the ``Buildout`` object recipes and extensions receive.

Making a :class:`Buildout` loads the configuration (:mod:`zc.buildout.config`),
checks ``[buildout]``, configures logging, starts the :class:`~zc.buildout.run.state.Run`
(and makes it the current one) and enters ``buildout:directory``. Its
``install`` and ``bootstrap`` methods hand the configuration and the run to
:mod:`zc.buildout.run.engine` and :mod:`zc.buildout.run.bootstrap`. The
module path recipes import it from is :mod:`zc.buildout.buildout`.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable, Sequence

from zc.buildout.config import loading
from zc.buildout.config.options import Configuration, Options, bool_option
from zc.buildout.errors import UserError
from zc.buildout.net.timeouts import socket_timeout
from zc.buildout.run import logsetup
from zc.buildout.run.database import InstalledDatabase
from zc.buildout.run.layout import shortened
from zc.buildout.run.state import Run, begin, installer_settings

__all__ = ["Buildout"]

logger = logging.getLogger("zc.buildout")

_FLAGS = (
    "offline", "newest", "prefer-final", "allow-picked-versions", "show-picked-versions",
    "install-from-cache", "allow-unknown-extras", "use-dependency-links", "byte-compile",
)


class Buildout(Configuration):
    """A loaded configuration, started: a mapping of section names to :class:`Options`.

    ``cloptions`` are ``(section, option, value)`` assignments, as on the
    command line. Constructing one checks ``[buildout]``, configures logging,
    starts the run and makes ``buildout:directory`` the working directory.
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
        if use_user_defaults is not None:
            user_defaults = use_user_defaults
        assignments = [(section, option, value) for section, option, value in cloptions]
        super().__init__(loading.load(config_file, assignments, user_defaults=user_defaults))
        self._command = command
        self._args = tuple(args)
        self._logger = logging.getLogger("zc.buildout")
        self.run = Run(lambda: installer_settings(self))
        """The run this buildout started; :func:`~zc.buildout.run.state.current_run` until another starts."""
        self.recipes = self.run.recipes
        begin(self.run)
        options = self["buildout"]
        _check(options)
        self.offline = bool_option(options, "offline", "false")
        self.newest = bool_option(options, "newest", "true") and not self.offline
        self.show_picked_versions = bool_option(options, "show-picked-versions", "false")
        self.update_versions_file = options.get("update-versions-file", "")
        self.run.log_level = _configure_logging(options)
        _socket_timeout(options)
        versions = options.get("versions", "versions")
        self.versions: dict[str, str] = dict(self[versions]) if versions and versions in self else {}
        self._buildout_dir = options["directory"]
        self.run.settings  # read now: the lock file, and the errors they may hold
        _enter(self._buildout_dir, options)

    # -- what recipes and extensions call --------------------------------

    def install(self, install_args: Sequence[str] = ()) -> None:
        """Run the ``install`` command: with part names, only those parts."""
        from zc.buildout.run import engine  # start-up: tools that only read a configuration skip it

        engine.install(self, self.run, install_args)

    def bootstrap(self, args: Sequence[str] = ()) -> None:
        """Run the ``bootstrap`` command."""
        from zc.buildout.run import bootstrap  # start-up: tools that only read a configuration skip it

        bootstrap.bootstrap(self)

    def init(self, args: Sequence[str] = ()) -> None:
        """The ``init`` command, once the configuration exists: bootstrap, then install if ``args``."""
        self.bootstrap(())
        if args:
            self.install(())

    def print_options(self, base_path: str | None = None) -> None:
        """Print the initialised sections but ``buildout`` and the versions, sorted; no passwords."""
        from zc.buildout.net.credentials import redact_url  # start-up: only recipe tests print options

        sys.stdout.write(redact_url(self.format_options(base_path)))

    # -- upstream's private names, which published recipes use ----------

    @property
    def _log_level(self) -> int:
        """The run's log level (SlapOS and plone recipes read it)."""
        return self.run.log_level

    @property
    def _links(self) -> tuple[str, ...]:
        """The ``find-links`` of ``[buildout]`` (SlapOS recipes read it)."""
        return self.run.settings.find_links

    @property
    def _allow_hosts(self) -> tuple[str, ...]:
        """The ``allow-hosts`` of ``[buildout]`` (SlapOS recipes read it)."""
        return self.run.settings.allow_hosts

    def _read_installed_part_options(self) -> tuple[dict[str, dict[str, str]], bool]:
        """The installation database as ``({'buildout': ..., part: options}, exists)``."""
        database = InstalledDatabase(self["buildout"].get("installed") or None)
        return database.as_sections(), database.exists

    def __repr__(self) -> str:
        return f"<Buildout {self['buildout'].get('directory', '?')!r}>"


def _enter(directory: str, options: Options) -> None:
    """Make ``directory`` (``buildout:directory``) the working directory, or say why it cannot be."""
    try:
        os.chdir(directory)
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        reason = getattr(error, "strerror", None) or str(error)
        raise UserError(
            f"[buildout] directory: cannot enter {shortened(directory)} ({reason}).",
            location=options.location("directory"),
            hint="Set directory to an existing directory, or run buildout from the project's directory.",
        ) from None


def _check(options: Options) -> None:
    """Refuse what ``[buildout]`` must not hold: a removed option, a flag that is not a flag."""
    if "extended-by" in options:
        raise UserError(
            "No-longer supported 'extended-by' option found in buildout section.",
            location=options.location("extended-by"),
        )
    for name in _FLAGS:
        if name in options:
            bool_option(options, name)
    if bool_option(options, "install-from-cache", "false") and not options.get("download-cache"):
        raise UserError(
            "install-from-cache is on, but there is no download-cache.",
            location=options.location("install-from-cache"),
            hint="Set the download-cache option of [buildout].",
        )


def _configure_logging(options: Options) -> int:
    """Set up logging as ``log-level``, ``log-format`` and ``verbosity`` say; return the level."""
    level, verbosity = options.get("log-level", "INFO"), options.get("verbosity", "0")
    for name, check in (("log-level", (level,)), ("verbosity", ("INFO", verbosity))):
        try:
            logsetup.parse_level(*check)
        except UserError as error:
            error.location = options.location(name)
            raise
    return logsetup.configure(level, options.get("log-format", ""), verbosity)


def _socket_timeout(options: Options) -> None:
    text = options.get("socket-timeout", "")
    if not text:
        return
    if not (text.isascii() and text.isdigit()):
        logger.warning("Ignoring socket-timeout %r: it is not a whole number of seconds.", text)
        return
    try:
        seconds = int(socket_timeout(text) or 0)
    except UserError as error:
        error.location = options.location("socket-timeout")
        raise
    import socket  # start-up: only a run that sets socket-timeout needs it

    logger.info("Setting socket time out to %d seconds.", seconds)
    socket.setdefaulttimeout(seconds)
