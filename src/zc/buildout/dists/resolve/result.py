"""What a resolution gives: the chosen distributions, in breadth-first order."""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.version import Version

    from zc.buildout.dists.find.pages import DistributionFile
    from zc.buildout.dists.resolve.candidates import Installed

__all__ = ["Resolved", "breadth_first"]


@dataclasses.dataclass(frozen=True)
class Resolved:
    """One distribution of a resolution."""

    name: str
    """As its metadata spells it."""
    version: Version
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
