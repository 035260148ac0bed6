"""Check buildout's own distributions against ``[versions]``: warn where a pin names another version.

Upstream buildout upgraded (or downgraded) itself to match such pins and
restarted. This buildout never replaces the code that runs it: it says
what differs and leaves the choice to whoever installed it. With ``-v``,
the check shows as upstream's did (``Installing 'zc.buildout', ...``),
naming the running copies it keeps.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from zc.buildout.dists.metadata import canonical_name

if TYPE_CHECKING:
    from zc.buildout.config.options import Configuration

__all__ = ["OWN_DISTRIBUTIONS", "check_own_distributions"]

logger = logging.getLogger("zc.buildout")

OWN_DISTRIBUTIONS = ("zc.buildout", "zc.recipe.egg")


def check_own_distributions(buildout: Configuration) -> None:
    """Log the running own distributions (``-v``); warn for each whose pin the running version misses."""
    if logger.isEnabledFor(logging.DEBUG):
        _show_running()
    section = buildout["buildout"].get("versions", "versions")
    if not section or section not in buildout:
        return
    versions = buildout[section]
    own = {canonical_name(name): name for name in OWN_DISTRIBUTIONS}
    pinned = {own[canonical]: key for key in versions if (canonical := canonical_name(key)) in own}
    if not pinned:
        return
    from zc.buildout.dists.settings import parse_pin  # start-up: only a buildout pinning itself
    from zc.buildout.dists.store.distinfo import SysPath  # start-up: only a buildout pinning itself

    path = SysPath()
    for name, key in pinned.items():
        found = path.find(name)
        running = found.version if found is not None else None
        pin = parse_pin(name, versions[key], versions.location(key))
        if running is None or pin is None or pin.allows(running):
            continue
        logger.warning(
            "The running %s %s does not match the pin %s.\n"
            "Buildout does not replace itself: install the version you want into the\n"
            "environment that runs buildout (for example with pip), or change the pin.",
            name, running, pin,
        )


def _show_running() -> None:
    from zc.buildout.dists.store.distinfo import SysPath  # start-up: only with -v

    path = SysPath()
    logger.debug("Installing %s.", ", ".join(repr(name) for name in OWN_DISTRIBUTIONS))
    for name in OWN_DISTRIBUTIONS:
        found = path.find(name)
        if found is not None:
            logger.debug("We have the running %s %s.", name, found.version)
