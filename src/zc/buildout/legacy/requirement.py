"""Requirements as recipes written for ``pkg_resources`` know them, built on ``packaging``.

Names follow the old conventions recipes compare against: ``project_name``
is the name with runs of characters other than letters, digits and ``.``
turned into ``-``; ``key`` is that, lower-cased (``zope.interface``).
Lookups elsewhere accept any spelling of a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from zc.buildout.dists.metadata import canonical_name
from zc.buildout.dists.versions import plainly_allows, valid_version
from zc.buildout.errors import UserError

if TYPE_CHECKING:
    from packaging.markers import Marker
    from packaging.specifiers import SpecifierSet

    from zc.buildout.legacy.distribution import Distribution

__all__ = [
    "DistributionNotFound",
    "Requirement",
    "ResolutionError",
    "UnknownExtra",
    "VersionConflict",
    "parse_requirements",
    "safe_extra",
    "safe_name",
    "to_filename",
    "yield_lines",
]

_PLAIN = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:==\s*(?P<version>[^=\s,;]+))?\s*$")
"""A requirement that is a project name alone, or with ``==version`` (PEP 508)."""


def safe_name(name: str) -> str:
    """``name`` with runs of characters other than letters, digits and ``.`` as ``-``."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", name)


def safe_extra(extra: str) -> str:
    """An extra's name as compared: lower case, other characters as ``_``."""
    return re.sub(r"[^A-Za-z0-9.-]+", "_", extra).lower()


def to_filename(name: str) -> str:
    """``name`` as it appears in file names (``-`` becomes ``_``)."""
    return name.replace("-", "_")


def yield_lines(text: str | Iterable[str]) -> Iterator[str]:
    """The non-blank lines of ``text`` (or of each string in it) that are not ``#`` comments."""
    if isinstance(text, str):
        text = text.splitlines()
    for chunk in text:
        for line in chunk.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                yield line


class Requirement:
    """A requirement such as ``zope.interface>=5,<7`` or ``demo[extra]; python_version>'3'``."""

    def __init__(self, requirement_string: str) -> None:
        plain = _PLAIN.match(requirement_string)
        if plain is not None and (plain["version"] is None or valid_version(plain["version"])):
            # The usual egg, read without the parser.
            specifier = f"=={plain['version']}" if plain["version"] else ""
            self._set(plain["name"], specifier, plain["name"] + specifier)
            return
        from packaging.requirements import InvalidRequirement  # start-up: see pinned()
        from packaging.requirements import Requirement as Parsed  # start-up: see pinned()

        try:
            parsed = Parsed(requirement_string)
        except InvalidRequirement as error:
            raise ValueError(f"Invalid requirement {requirement_string!r}: {error}") from None
        self.unsafe_name = parsed.name
        self.project_name = safe_name(parsed.name)
        self.key = self.project_name.lower()
        self._specifier: SpecifierSet | None = parsed.specifier
        self._specifier_text = str(parsed.specifier)
        self.specs = [(spec.operator, spec.version) for spec in parsed.specifier]
        self.extras = tuple(sorted(safe_extra(extra) for extra in parsed.extras))
        self.marker: Marker | None = parsed.marker
        self.url: str | None = parsed.url
        self._text = str(parsed)

    @classmethod
    def parse(cls, text: str) -> Requirement:
        return cls(text)

    @classmethod
    def pinned(cls, project_name: str, version: str) -> Requirement:
        """``project_name==version`` (``===`` for a version PEP 440 cannot read), made without parsing.

        A working set makes one for each of its distributions: a no-op run
        of a large buildout would otherwise spend much of its time (and the
        import of the requirement parser) on them. A bare project name is
        likewise read without the parser.
        """
        operator = "==" if valid_version(version) else "==="
        requirement = cls.__new__(cls)
        requirement._set(project_name, f"{operator}{version}", f"{project_name}{operator}{version}")
        return requirement

    def _set(self, name: str, specifier: str, text: str) -> None:
        """Fill in a requirement with no extras, marker or URL, and at most one specifier."""
        self.unsafe_name = name
        self.project_name = safe_name(name)
        self.key = self.project_name.lower()
        self._specifier = None
        self._specifier_text = specifier
        self.specs = [(specifier[:3], specifier[3:]) if specifier.startswith("===")
                      else (specifier[:2], specifier[2:])] if specifier else []
        self.extras = ()
        self.marker = None
        self.url = None
        self._text = text

    @property
    def specifier(self) -> SpecifierSet:
        """The versions allowed (made when first asked for, for a :meth:`pinned` requirement)."""
        if self._specifier is None:
            from packaging.specifiers import SpecifierSet  # start-up: see pinned()

            self._specifier = SpecifierSet(self._specifier_text)
        return self._specifier

    @property
    def canonical_name(self) -> str:
        """The PEP 503 name (``zope-interface``), what lookups compare."""
        return canonical_name(self.project_name)

    def __contains__(self, item: Distribution | str) -> bool:
        """Whether a distribution (of this project) or a version satisfies the specifier."""
        if not isinstance(item, str):
            if canonical_name(item.project_name) != self.canonical_name:
                return False
            item = item.version
        plainly = True if not self._specifier_text else plainly_allows(self._specifier_text, item)
        return self.specifier.contains(item, prereleases=True) if plainly is None else plainly

    def applies(self, extras: Iterable[str] = ()) -> bool:
        """Whether the marker (if any) holds here, for no extra or one of ``extras``."""
        if self.marker is None:
            return True
        return any(self.marker.evaluate({"extra": extra}) for extra in ("", *extras))

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"Requirement.parse({self._text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Requirement) and self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash(self._identity())

    def _identity(self) -> tuple[object, ...]:
        return (self.canonical_name, str(self.specifier), self.extras, str(self.marker), self.url)


def parse_requirements(texts: str | Iterable[str]) -> Iterator[Requirement]:
    """One :class:`Requirement` per non-comment line of ``texts``."""
    for line in yield_lines(texts):
        yield Requirement(line.split(" #", 1)[0].strip())


class ResolutionError(UserError):
    """A requirement cannot be met by the distributions at hand."""


class DistributionNotFound(ResolutionError):
    """No distribution of the required project is available."""

    def __init__(self, req: Requirement, requirers: Iterable[str] = ()) -> None:
        self.req = req
        self.requirers = sorted(set(requirers))
        message = f"The '{req}' distribution was not found"
        if self.requirers:
            message += f" and is required by {', '.join(self.requirers)}"
        super().__init__(message)


class VersionConflict(ResolutionError):
    """The distribution available has a version the requirement excludes."""

    def __init__(self, dist: Distribution | str, req: Requirement | None = None,
                 requirers: Iterable[str] = ()) -> None:
        self.dist = dist
        self.req = req
        self.requirers = sorted(set(requirers))
        if req is None:  # one argument: the message itself, as upstream's buildout raised it
            super().__init__(str(dist))
            return
        message = f"{dist} is installed but {req} is required"
        if self.requirers:
            message += f" by {', '.join(self.requirers)}"
        super().__init__(message)


class UnknownExtra(ResolutionError):
    """A requirement asks for an extra the distribution does not provide."""
