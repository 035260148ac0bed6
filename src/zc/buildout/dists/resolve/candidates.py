"""What the resolver juggles: requirements (needs), candidates, and their dependencies."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from zc.buildout.dists.metadata import Metadata, only_for_extra, python_version
from zc.buildout.errors import UserError

if TYPE_CHECKING:
    from zc.buildout.dists.find.pages import DistributionFile
    from zc.buildout.dists.store.distinfo import DistInfo

__all__ = [
    "PYTHON",
    "Candidate",
    "Installed",
    "Need",
    "dependencies",
    "need_from_requirement",
    "provides_extra",
    "python_candidate",
]

logger = logging.getLogger("zc.buildout")

PYTHON = "<python>"
"""The identifier of the running Python: ``Requires-Python`` becomes a need for it."""


class Installed(Protocol):
    """A distribution already installed (builder's ``InstalledDistribution``)."""

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def location(self) -> str: ...
    @property
    def develop(self) -> bool: ...
    @property
    def metadata(self) -> DistInfo: ...


@dataclasses.dataclass(frozen=True)
class Need:
    """A requirement on one identifier: a project (with extras), or the running Python."""

    name: str
    """Canonical project name, or :data:`PYTHON`."""
    extras: frozenset[str] = frozenset()
    specifier: SpecifierSet = SpecifierSet()
    text: str = ""
    """The requirement as written, for messages."""

    @property
    def identifier(self) -> str:
        if not self.extras:
            return self.name
        return f"{self.name}[{','.join(sorted(self.extras))}]"

    def __str__(self) -> str:
        return self.text or f"{self.name}{self.specifier}"


def need_from_requirement(requirement: Requirement) -> Need:
    """The need a (marker-free) PEP 508 requirement states."""
    if requirement.url:
        raise UserError(f"Direct URL requirements are not supported: {str(requirement)!r}")
    return Need(
        canonicalize_name(requirement.name),
        frozenset(canonicalize_name(extra) for extra in requirement.extras),
        requirement.specifier,
        _without_marker(requirement),
    )


def _without_marker(requirement: Requirement) -> str:
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    return f"{requirement.name}{extras}{requirement.specifier}"


@dataclasses.dataclass(frozen=True)
class Candidate:
    """One version of a project that could be used, and where it would come from.

    Exactly one of ``installed`` and ``file`` is set, except for the
    candidate standing for the running Python, which has neither.
    """

    name: str
    version: Version
    extras: frozenset[str] = frozenset()
    installed: Installed | None = None
    file: DistributionFile | None = None
    own: bool = False
    """One of buildout's own distributions, taken from the running environment."""

    @property
    def identifier(self) -> str:
        return Need(self.name, self.extras).identifier

    @property
    def develop(self) -> bool:
        return self.installed is not None and self.installed.develop

    def base(self) -> Candidate:
        return dataclasses.replace(self, extras=frozenset())

    def __str__(self) -> str:
        if self.name == PYTHON:
            return f"Python {self.version}"
        return f"{self.name} {self.version}"


def python_candidate() -> Candidate:
    return Candidate(PYTHON, Version(python_version()))


def provides_extra(metadata: Metadata, extra: str) -> bool:
    """Whether a distribution declares ``extra``, or has requirements only for it."""
    extra = canonicalize_name(extra)
    declared = metadata.get_all("Provides-Extra") or ()
    if any(canonicalize_name(name) == extra for name in declared):
        return True
    for line in metadata.get_all("Requires-Dist") or ():
        requirement = _parse(line)
        marker = requirement.marker if requirement is not None else None
        if marker is not None and marker.evaluate({"extra": extra}) and not marker.evaluate(
            {"extra": ""}
        ):
            return True
    return False


def _parse(line: str) -> Requirement | None:
    try:
        return Requirement(line)
    except InvalidRequirement:
        logger.warning("Ignoring invalid requirement %r in distribution metadata.", line)
        return None


def dependencies(
    candidate: Candidate, metadata: Metadata, extras: Sequence[str] = ()
) -> list[Need]:
    """What ``candidate`` needs: its ``Requires-Dist`` for ``extras`` and its Python.

    With no extras, only requirements without an ``extra`` marker count;
    for a candidate with extras, the base candidate itself is needed too.
    """
    needs: list[Need] = []
    if extras:
        needs.append(Need(candidate.name, frozenset(), SpecifierSet(f"=={candidate.version}")))
    for requirement in _requirements(metadata.get_all("Requires-Dist") or (), extras):
        needs.append(need_from_requirement(requirement))
    requires_python = metadata.get("Requires-Python")
    if requires_python and not extras:
        needs.append(_python_need(requires_python))
    return needs


def _requirements(lines: Iterable[str], extras: Sequence[str]) -> Iterator[Requirement]:
    for line in lines:
        only_for = only_for_extra(line)
        if only_for is not None and only_for not in extras:
            continue  # an extra not asked for: skip parsing it
        requirement = _parse(line)
        if requirement is None:
            continue
        marker = requirement.marker
        if extras:
            # Only what the extras add; the base candidate brings the rest.
            if marker is None or marker.evaluate({"extra": ""}):
                continue
            if not any(marker.evaluate({"extra": extra}) for extra in extras):
                continue
        elif marker is not None and not marker.evaluate({"extra": ""}):
            continue
        yield requirement


def _python_need(requires_python: str) -> Need:
    try:
        specifier = SpecifierSet(requires_python)
    except ValueError:
        specifier = SpecifierSet()  # a broken constraint excludes nothing, as pip does
    return Need(PYTHON, frozenset(), specifier, f"Python {requires_python}")
