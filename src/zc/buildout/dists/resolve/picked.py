"""Picked versions: the ones no pin chose, reported, refused or written to a versions file."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from zc.buildout.dists.metadata import canonical_name
from zc.buildout.errors import UserError

if TYPE_CHECKING:
    from zc.buildout.dists.resolve.resolver import Resolved
    from zc.buildout.dists.settings import InstallerSettings

__all__ = ["PickedVersions", "report"]

logger = logging.getLogger("zc.buildout")


class PickedVersions:
    """The versions picked during a run, and which distributions required each."""

    def __init__(self) -> None:
        self.versions: dict[str, str] = {}
        """Project name (as its metadata spells it) -> version."""
        self.required_by: dict[str, set[str]] = {}
        """Project name -> ``name==version`` of the distributions requiring it."""

    def check(self, resolved: Iterable[Resolved], settings: InstallerSettings) -> None:
        """Record the picked ones of ``resolved``.

        With ``allow-picked-versions = false`` nothing is recorded: one error
        names every distribution that would have been picked.
        """
        picked = [r for r in resolved if r.picked]
        for dist in picked:
            logger.debug("Picked: %s = %s", dist.name, dist.version)
        if picked and not settings.allow_picked_versions:
            lines = "\n".join(f"Picked: {r.name} = {r.version}" for r in picked)
            raise UserError(
                f"{lines}\nThese versions are not pinned and allow-picked-versions is false.",
                hint="Pin them in the [versions] section, or set allow-picked-versions = true.",
            )
        for dist in picked:
            self.versions[dist.name] = str(dist.version)
            self.required_by.setdefault(dist.name, set()).update(dist.required_by)

    def block(self) -> list[str]:
        """The picked versions as lines of a ``[versions]`` section (without the header).

        Distributions nobody required (asked for directly) come first; each
        other one follows a comment naming what required it.
        """
        names = sorted(self.versions, key=canonical_name)
        direct = [name for name in names if not self.required_by.get(name)]
        lines = [f"{name} = {self.versions[name]}" for name in direct]
        for name in names:
            if name in direct:
                continue
            lines += ["", "# Required by:"]
            lines += [f"# {requirer}" for requirer in sorted(self.required_by[name])]
            lines.append(f"{name} = {self.versions[name]}")
        return lines


def report(picked: PickedVersions, settings: InstallerSettings) -> None:
    """At the end of a run: show the picked versions and add them to the versions file.

    Each as the settings ask (``show-picked-versions``,
    ``update-versions-file``); nothing happens when nothing was picked.
    """
    if not picked.versions:
        return
    lines = picked.block()
    if settings.show_picked_versions:
        logger.info("\n".join([
            "Versions had to be automatically picked.",
            "The following part definition lists the versions picked:",
            "[versions]",
            *lines,
        ]))
    path = settings.update_versions_file
    if path:
        _append(path, lines)
        logger.info("Picked versions have been written to %s", path)


def _append(path: str, lines: list[str]) -> None:
    import datetime  # start-up: only writing a versions file needs it

    if os.path.exists(path):
        stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")
        header = ["", f"# Added by buildout at {stamp}"]
    else:
        header = ["[versions]"]
    with open(path, "a", encoding="utf-8") as file:
        file.write("\n".join(header + lines) + "\n")
