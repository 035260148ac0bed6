"""``outdated``: the newest version the index offers for each pin, and whether the pin can be raised.

A pin is an entry of the versions section naming one version. The newest
version is the newest with a file usable here (this Python's tags and
``Requires-Python``, not yanked), a final release when any is with
``prefer-final``. A pin *can be raised* when that version still satisfies
every requirement the installed parts put on the distribution (read from
the distribution graph, without the network); otherwise the report names
the requirements holding it back. Only this command reads the index.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from zc.buildout.dists.find.index import Finder
from zc.buildout.errors import Location
from zc.buildout.net.httpclient import HTTPClient
from zc.buildout.report.documents import location_document, shown

if TYPE_CHECKING:
    from zc.buildout.dists.settings import InstallerSettings, Pin
    from zc.buildout.report.graph import Graph

__all__ = ["Hold", "PinReport", "exact_pins", "newest_version", "newest_versions", "outdated_document", "outdated_text", "pin_reports"]


@dataclasses.dataclass(frozen=True)
class Hold:
    """A requirement a newer version would not satisfy."""

    by: str
    """Who requires it: ``part app`` or ``demo 1.0``."""
    requirement: str


@dataclasses.dataclass(frozen=True)
class PinReport:
    """One pin, and what the index offers."""

    name: str
    pinned: Version
    location: Location | None
    newest: Version | None
    """``None`` when the index offers no version usable here."""
    held_by: tuple[Hold, ...] = ()

    @property
    def outdated(self) -> bool:
        return self.newest is not None and self.newest > self.pinned

    @property
    def raisable(self) -> bool:
        """A newer version satisfies every part's requirements."""
        return self.outdated and not self.held_by


def newest_versions(settings: InstallerSettings, names: Iterable[str]) -> dict[str, Version | None]:
    """The newest version of each project (by canonical name) on the index and find-links of ``settings``."""
    keys = sorted({canonicalize_name(name) for name in names})
    finder = Finder(settings, HTTPClient(timeout=settings.socket_timeout))
    try:
        for key in keys:
            finder.prefetch(key)  # the pages are read concurrently
        return {key: newest_version(finder, key, settings.prefer_final) for key in keys}
    finally:
        finder.close()


def newest_version(finder: Finder, name: str, prefer_final: bool) -> Version | None:
    """The newest version of ``name`` with a usable, unyanked file (final first with ``prefer_final``)."""
    usable = []
    for version, files in finder.versions(name).items():
        if not isinstance(finder.choose(file for file in files if file.yanked is None), str):
            usable.append(version)
    finals = [version for version in usable if not version.is_prerelease]
    chosen = finals if prefer_final and finals else usable
    return max(chosen, default=None)


def exact_pins(pins: Mapping[str, Pin], lock_path: str | None) -> list[Pin]:
    """The pins naming one version, sorted by name; those of the lock file are not the user's."""
    found = []
    for pin in pins.values():
        if pin.exact is None or (pin.location is not None and pin.location.source == lock_path):
            continue
        found.append(pin)
    return sorted(found, key=lambda pin: canonicalize_name(pin.name))


def pin_reports(pins: Iterable[Pin], newest: Mapping[str, Version | None], graph: Graph) -> list[PinReport]:
    """Each pin with the newest version (``newest``, by canonical name) and what holds it back."""
    reports = []
    for pin in pins:
        key = canonicalize_name(pin.name)
        assert pin.exact is not None
        found = newest.get(key)
        holds = () if found is None else tuple(_holds(graph, key, found))
        reports.append(PinReport(pin.name, pin.exact, pin.location, found, holds))
    return reports


def _holds(graph: Graph, key: str, version: Version) -> Iterable[Hold]:
    """The requirements on ``key``, of every part's graph, that ``version`` does not satisfy."""
    seen: set[Hold] = set()
    for root in graph.roots:
        edges = [(str(root), edge) for edge in root.requires]
        edges += [(str(node), edge) for node in root.nodes.values() for edge in node.requires]
        for by, edge in edges:
            if edge.key != key or Requirement(edge.requirement).specifier.contains(version, prereleases=True):
                continue
            hold = Hold(by, edge.requirement)
            if hold not in seen:
                seen.add(hold)
                yield hold


def outdated_text(reports: Iterable[PinReport], directory: str) -> str:
    """The ``outdated`` report: one line per pin the index has something newer for, or none."""
    lines = []
    for report in reports:
        where = f" ({shown(report.location, directory)})" if report.location is not None else ""
        if report.newest is None:
            lines.append(f"{report.name} {report.pinned}{where}: the index offers no version usable here")
        elif report.raisable:
            lines.append(f"{report.name} {report.pinned} -> {report.newest}{where}: can be raised")
        elif report.outdated:
            holds = ", ".join(f"{hold.by} requires {hold.requirement}" for hold in report.held_by)
            lines.append(f"{report.name} {report.pinned} -> {report.newest}{where}: held back: {holds}")
    return "\n".join(lines or ["Every pin names the newest version the index offers."]) + "\n"


def outdated_document(reports: Iterable[PinReport]) -> dict[str, Any]:
    """The ``outdated --json`` document: every pin."""
    return {"pins": [{
        "name": report.name,
        "pinned": str(report.pinned),
        "newest": None if report.newest is None else str(report.newest),
        "location": location_document(report.location),
        "outdated": report.outdated,
        "raisable": report.raisable,
        "held-back-by": [{"by": hold.by, "requirement": hold.requirement} for hold in report.held_by],
    } for report in reports]}

