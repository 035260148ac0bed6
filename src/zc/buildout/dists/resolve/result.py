"""What a resolution gives: the chosen distributions, in breadth-first order."""

from __future__ import annotations

import collections
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from zc.buildout.dists.find.pages import DistributionFile
    from zc.buildout.dists.resolve.candidates import Installed

__all__ = ["Resolved", "breadth_first", "log_choices"]

logger = logging.getLogger("zc.buildout")


class Resolved(NamedTuple):
    """One distribution of a resolution."""

    name: str
    """As its metadata spells it."""
    version: str
    """As :class:`~packaging.version.Version` writes it (normalised: ``1.0rc1``, not ``1.0-rc1``)."""
    installed: Installed | None
    """Set when the distribution is already installed (or one of buildout's own)."""
    file: DistributionFile | None
    """Set when the distribution must be fetched and installed."""
    requirement: str
    """What was asked of it, e.g. ``demo<2``, for log lines (``demo==1.0`` alone when that is all it allows)."""
    picked: bool
    """No exact pin or ``==`` requirement chose the version: it was picked."""
    required_by: tuple[str, ...] = ()
    """``name==version`` of the distributions that require it; empty for top-level ones."""


def breadth_first(
    children: Callable[[str | None], Iterable[str]], order: Mapping[str | None, list[str]]
) -> list[str]:
    """Project names reachable from the root, breadth first, extras folded in.

    Children are visited in the order their parent lists them (``order``).
    """
    from zc.buildout.dists.resolve.candidates import PYTHON  # start-up: remembered resolutions come ordered

    found: dict[str, None] = {}
    queue: collections.deque[str | None] = collections.deque([None])
    visited: set[str | None] = set()
    while queue:
        node = queue.popleft()
        if node in visited:
            continue
        visited.add(node)
        if node is not None and node != PYTHON:
            found.setdefault(node.partition("[")[0])
        listed = order.get(node, [])
        rank: dict[str, int] = {child: index for index, child in enumerate(listed)}
        ordered: list[str] = sorted(
            children(node), key=lambda child: (rank.get(child, len(listed)), child))
        queue.extend(ordered)
    return list(found)


def log_choices(resolved: Sequence[Resolved]) -> None:
    """Say at debug level what was chosen for each requirement, and from where."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    for dist in resolved:
        installed = dist.installed
        if installed is not None and installed.develop:
            logger.debug("We have a develop egg: %s %s", dist.name, dist.version)
        elif installed is not None:
            best = "the best distribution" if dist.picked else "the distribution"
            logger.debug("We have %s that satisfies %r.", best, dist.requirement)
        else:
            logger.debug("We have no distributions for %s that satisfies %r.",
                         dist.name, dist.requirement)
