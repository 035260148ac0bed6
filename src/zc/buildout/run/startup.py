"""Starting a run from ``[buildout]``: option checks, versions, logging, working directory."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from zc.buildout.run import logsetup
from zc.buildout.errors import UserError
from zc.buildout.config.options import bool_option

if TYPE_CHECKING:
    from zc.buildout.buildout import Buildout

__all__ = ["CONSUMED_OPTIONS", "prepare"]

logger = logging.getLogger("zc.buildout")

CONSUMED_OPTIONS = frozenset(
    {
        "directory", "parts", "develop", "extends", "optional-extends", "extends-cache",
        "extensions", "index", "find-links", "download-cache", "install-from-cache",
        "abi-tag-eggs", "verbosity", "allow-hosts", "use-dependency-links", "byte-compile",
    }
)
"""``[buildout]`` options read by buildout itself (or its installer) even when a
run does not need them; they never count as unused."""

_FLAGS = (
    "offline", "newest", "prefer-final", "allow-picked-versions", "show-picked-versions",
    "install-from-cache", "allow-unknown-extras", "use-dependency-links", "byte-compile",
)


def prepare(buildout: Buildout) -> None:
    """Check ``[buildout]``, set the run's attributes, configure logging, enter ``directory``."""
    options = buildout["buildout"]
    if "extended-by" in options:
        raise UserError(
            "No-longer supported 'extended-by' option found in buildout section.",
            location=options._location("extended-by"),
        )
    for name in _FLAGS:
        if name in options:
            bool_option(options, name)
    buildout.offline = bool_option(options, "offline", "false")
    buildout.newest = bool_option(options, "newest", "true") and not buildout.offline
    buildout.show_picked_versions = bool_option(options, "show-picked-versions", "false")
    buildout.update_versions_file = options.get("update-versions-file", "")
    level, verbosity = options.get("log-level", "INFO"), options.get("verbosity", "0")
    for name, check in (("log-level", (level,)), ("verbosity", ("INFO", verbosity))):
        try:
            logsetup.parse_level(*check)
        except UserError as error:
            error.location = options._location(name)
            raise
    buildout._log_level = logsetup.configure(level, options.get("log-format", ""), verbosity)
    _socket_timeout(options.get("socket-timeout", ""))
    versions = options.get("versions", "versions")
    buildout.versions = dict(buildout[versions]) if versions and versions in buildout else {}
    buildout._buildout_dir = options["directory"]
    from zc.buildout.legacy import defaults

    defaults.use_buildout(buildout)  # what recipes' easy_install calls use
    os.chdir(buildout._buildout_dir)


def _socket_timeout(text: str) -> None:
    if not text:
        return
    if not text.isdigit():
        logger.warning("Ignoring socket-timeout %r: it is not a whole number of seconds.", text)
        return
    import socket

    logger.info("Setting socket time out to %d seconds.", int(text))
    socket.setdefaulttimeout(int(text))
