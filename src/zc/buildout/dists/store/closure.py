"""What a distribution needs of this process: its requirements, transitively, found on ``sys.path``."""

from __future__ import annotations

from zc.buildout.dists.metadata import canonical_name, only_for_extra
from zc.buildout.dists.store.distinfo import Distribution, SysPath

__all__ = ["requirement_closure"]


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
    """The canonical name and extras of a ``Requires-Dist`` line, if its marker holds."""
    from packaging.requirements import Requirement  # start-up: plain requirements need no parser

    only_for = only_for_extra(text)
    if only_for is not None and all(canonical_name(extra) != only_for for extra in extras):
        return None
    requirement = Requirement(text)
    if requirement.marker is not None:
        environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
        if not any(requirement.marker.evaluate(env) for env in environments):
            return None
    return canonical_name(requirement.name), tuple(sorted(requirement.extras))
