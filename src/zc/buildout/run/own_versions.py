"""Warn when ``[versions]`` pins buildout's own distributions at other versions.

Upstream buildout upgraded (or downgraded) itself to match such pins and
restarted. This buildout never replaces the code that runs it: it says
what differs and leaves the choice to whoever installed it.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zc.buildout.config.options import Configuration

__all__ = ["OWN_DISTRIBUTIONS", "warn_about_own_pins"]

logger = logging.getLogger("zc.buildout")

OWN_DISTRIBUTIONS = ("zc.buildout", "zc.recipe.egg")

_SEPARATORS = re.compile(r"[-_.]+")


def _canonical(name: str) -> str:
    return _SEPARATORS.sub("-", name).lower()


def warn_about_own_pins(buildout: Configuration) -> None:
    """Log a warning for each own distribution whose pin the running version misses."""
    section = buildout["buildout"].get("versions", "versions")
    if not section or section not in buildout:
        return
    versions = buildout[section]
    own = {_canonical(name): name for name in OWN_DISTRIBUTIONS}
    pinned = {own[_canonical(key)]: key for key in versions if _canonical(key) in own}
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
