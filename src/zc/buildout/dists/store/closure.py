"""What a distribution needs of this process: its requirements, transitively, found on ``sys.path``.

Buildout's own distributions are zc.buildout and zc.recipe.egg with what they need.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys

from zc.buildout.dists.metadata import canonical_name, only_for_extra
from zc.buildout.dists.store.distinfo import DistInfo, Distribution, SysPath, editable_project, location
from zc.buildout.dists.store.eggs import InstalledDistribution

__all__ = ["OWN", "own_distributions", "requirement_closure"]

OWN = ("zc.buildout", "zc.recipe.egg")
"""The distributions buildout is made of; with what they require, its own distributions."""

_PLAIN = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[(?P<extras>[^\]]*)\])?[^;@\[]*"
    r"(?:;\s*(?P<marker>.*?))?\s*$")
"""A ``Requires-Dist`` line without a URL: name, extras, version specifiers, marker."""

_COMPARISON = re.compile(
    r"""^(?P<name>python_version|python_full_version|os_name|sys_platform)\s*(?P<op><=|>=|==|!=|<|>)\s*"""
    r"""(["'])(?P<value>[^"']*)\3$""")
"""The commonest markers: ``python_version < "3.11"``, ``os_name == "nt"``."""

_AND_EXTRA = re.compile(r"""^\([^()]*\)\s*and\s+extra\s*==\s*(["'])(?P<extra>[^"']*)\1$""")
"""``(...) and extra == "name"``: false whatever the parenthesis says, unless the extra is wanted."""


def requirement_closure(
    distribution: Distribution, extras: tuple[str, ...] = (), path: SysPath | None = None
) -> list[Distribution]:
    """``distribution`` and the distributions it requires, as found in this process (by ``path``)."""
    path = path or SysPath()
    found = {canonical_name(distribution.metadata["Name"]): distribution}
    pending = [(distribution, extras)]
    while pending:
        current, current_extras = pending.pop()
        for text in current.requires or ():
            requirement = _applicable(text, current_extras)
            if requirement is None:
                continue
            name, wanted = requirement
            if name in found:
                continue
            dependency = path.find(name)
            if dependency is None:
                continue
            found[name] = dependency
            pending.append((dependency, wanted))
    return list(found.values())


def _applicable(text: str, extras: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """The canonical name and extras of a ``Requires-Dist`` line, if its marker holds.

    The usual lines (no marker, or one of the markers :func:`_holds` knows)
    are read here; the requirement parser reads the others (a no-op run
    would import it for nothing else).
    """
    only_for = only_for_extra(text)
    if only_for is not None and all(canonical_name(extra) != only_for for extra in extras):
        return None
    plain = _PLAIN.match(text)
    holds = None if plain is None else True if plain["marker"] is None else _holds(plain["marker"], extras)
    if plain is not None and holds is not None and only_for is None:
        if not holds:
            return None
        wanted = (extra.strip() for extra in (plain["extras"] or "").split(","))
        return canonical_name(plain["name"]), tuple(sorted(extra for extra in wanted if extra))
    from packaging.requirements import Requirement  # start-up: the usual lines need no parser

    requirement = Requirement(text)
    if requirement.marker is not None:
        environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
        if not any(requirement.marker.evaluate(env) for env in environments):
            return None
    return canonical_name(requirement.name), tuple(sorted(requirement.extras))


def _holds(marker: str, extras: tuple[str, ...]) -> bool | None:
    """Whether one of the commonest markers holds here (PEP 508); ``None`` for any other marker."""
    anded = _AND_EXTRA.match(marker)
    if anded is not None:
        wanted = canonical_name(anded["extra"]) in {canonical_name(extra) for extra in extras}
        return None if wanted else False
    match = _COMPARISON.match(marker)
    if match is None:
        return None
    name, operator, value = match["name"], match["op"], match["value"]
    if name in ("os_name", "sys_platform"):
        mine = os.name if name == "os_name" else sys.platform
        return (mine == value) == (operator == "==") if operator in ("==", "!=") else None
    if not re.fullmatch(r"\d+(?:\.\d+)*", value) or (
            name == "python_full_version" and sys.version_info.releaselevel != "final"):
        return None
    ours = list(sys.version_info[:2] if name == "python_version" else sys.version_info[:3])
    theirs = [int(part) for part in value.split(".")]
    width = max(len(ours), len(theirs))  # as PEP 440 compares releases: padded with zeros
    ours, theirs = ours + [0] * (width - len(ours)), theirs + [0] * (width - len(theirs))
    return {"<": ours < theirs, "<=": ours <= theirs, ">": ours > theirs, ">=": ours >= theirs,
            "==": ours == theirs, "!=": ours != theirs}[operator]


def own_distributions() -> dict[str, InstalledDistribution]:
    """zc.buildout, zc.recipe.egg and what they require, from the running environment.

    Buildout's own process always uses these; a part, where they satisfy its pins.
    """
    own: dict[str, InstalledDistribution] = {}
    path = SysPath()
    for name in OWN:
        top = path.find(name)
        if top is None:
            continue
        for dist in requirement_closure(top, path=path):
            key = canonical_name(dist.metadata["Name"])
            if key not in own:
                own[key] = InstalledDistribution(
                    dist.metadata["Name"], dist.version, _location(dist), False,
                    metadata_path=_metadata_path(dist))
    return own


def _location(dist: Distribution) -> str:
    """The ``sys.path`` entry ``dist`` is imported from (its source tree when editable)."""
    if editable_project(dist) is not None:
        module = dist.metadata["Name"].replace("-", "_")
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin:
            path = spec.origin
            if spec.submodule_search_locations is not None:
                path = os.path.dirname(path)  # a package: start from its directory
            for _ in module.split("."):
                path = os.path.dirname(path)
            return path
    return location(dist)


def _metadata_path(dist: Distribution) -> str | None:
    if isinstance(dist, DistInfo):
        return dist.path
    for file in dist.files or ():
        if file.name == "METADATA" and file.parent.name.endswith(".dist-info"):
            return str(dist.locate_file(file.parent))
    return None
