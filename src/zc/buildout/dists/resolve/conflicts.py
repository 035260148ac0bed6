"""Why no set of distributions satisfies the requirements, told so a person can act."""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from zc.buildout.errors import UserError

if TYPE_CHECKING:
    from packaging.version import Version

    from zc.buildout.dists.resolve.candidates import Need
    from zc.buildout.dists.settings import InstallerSettings

__all__ = ["MissingDistribution", "VersionConflict", "explain"]


class MissingDistribution(UserError):
    """No version of a required project can be found at all.

    ``wanted`` is the requirement that could not be met, as the message
    quotes it (with its pin, if any).
    """

    def __init__(self, *args: object, wanted: str = "", hint: str | None = None) -> None:
        super().__init__(*args, hint=hint)
        self.wanted = wanted


class VersionConflict(UserError):
    """Versions exist, but none satisfies everything that is required of them."""


def explain(
    causes: Iterable[Any],
    describe: Callable[[str], str | None],
    unusable: Callable[[str], Mapping[Version, str]],
    settings: InstallerSettings,
    who: Callable[[Any], str] = str,
    held: Callable[[str], str | None] = lambda name: None,
) -> UserError:
    """The error for a failed resolution, from resolvelib's ``(requirement, parent)`` causes.

    ``describe(name)`` tells where versions of a project come from, or
    ``None`` when there are none; ``unusable(name)`` gives the versions that
    exist but cannot be used here, with the reason; ``who(parent)`` names a
    requiring candidate as its metadata spells it; ``held(name)`` the
    distribution that is fixed already (a develop project, an exact pin), if any.
    """
    from zc.buildout.dists.resolve.candidates import PYTHON  # start-up: only failed resolutions get here

    by_name: dict[str, list[tuple[Need, Any]]] = collections.defaultdict(list)
    for requirement, parent in causes:
        by_name[requirement.name].append((requirement, parent))
    python = by_name.pop(PYTHON, [])
    if _unfit(python) or not by_name:
        return _python_conflict(python, who)
    # Otherwise the Python was only set aside while backtracking: the other causes tell.
    missing = [name for name in by_name if describe(name) is None]
    if missing:
        name = missing[0]
        wanted = _wanted(name, by_name[name], settings)
        reasons = unusable(name)
        if reasons:
            lines = [f"Couldn't find a distribution for {wanted!r} that can be used here:"]
            lines += [f"  {name} {version}: {reasons[version]}" for version in sorted(reasons)]
            return MissingDistribution("\n".join(lines), wanted=wanted)
        lines = [f"Couldn't find a distribution for {wanted!r}."]
        lines += [f"  required by {who(parent)}." for parent in _parents(by_name[name])]
        return MissingDistribution("\n".join(lines), wanted=wanted, hint=_missing_hint(settings))
    lines = ["There is a version conflict."]  # upstream's first line; the rest says more
    for name, pairs in by_name.items():
        pin = settings.pins.get(name)
        requirers = [(_who(parent, who), need) for need, parent in _unique(pairs)]
        have = held(name)
        if have is not None:
            lines.append(f"We already have: {have}")
            lines.extend(f"but {requirer} requires '{need}'." for requirer, need in requirers)
        else:
            lines.append(f"No version of {name} satisfies every requirement:")
            lines.extend(f"  {requirer} requires '{need}'" for requirer, need in requirers)
        if pin is not None:
            where = f" ({pin.location})" if pin.location else ""
            lines.append(f"  [versions] pins {pin.name} {pin.specifier}{where}")
        lines.append(f"  {describe(name)}")
        if pin is not None:  # the pinned versions this Python or platform cannot use: why
            lines.extend(f"  {name} {version} can't be used here: {reason}"
                         for version, reason in sorted(unusable(name).items())
                         if pin.specifier_set.contains(version, prereleases=True))
    return VersionConflict("\n".join(lines), hint=_missing_hint(settings))


def _unique(pairs: list[tuple[Need, Any]]) -> list[tuple[Need, Any]]:
    seen: dict[tuple[str, str], tuple[Need, Any]] = {}
    for need, parent in pairs:
        seen.setdefault((str(need), str(parent)), (need, parent))
    return list(seen.values())


def _who(parent: Any, who: Callable[[Any], str]) -> str:
    return "the buildout" if parent is None else who(parent)


def _parents(pairs: list[tuple[Need, Any]]) -> list[Any]:
    """The distributions among the requirers, each once, in the order met."""
    return list({str(parent): parent for _, parent in pairs if parent is not None}.values())


def _unfit(pairs: list[tuple[Need, Any]]) -> bool:
    """Whether one of these needs on the running Python excludes it."""
    from zc.buildout.dists.resolve.candidates import python_candidate  # start-up: as in explain()

    python = python_candidate().version
    return any(not need.specifier.contains(python, prereleases=True) for need, _ in pairs)


def _wanted(name: str, pairs: list[tuple[Need, Any]], settings: InstallerSettings) -> str:
    pin = settings.pins.get(name)
    texts = {str(need) for need, _ in pairs}
    if pin is not None:
        texts.add(f"{pin.name}{pin.specifier}")
    return sorted(texts)[0] if len(texts) == 1 else ", ".join(sorted(texts))


def _missing_hint(settings: InstallerSettings) -> str | None:
    if settings.offline:
        return "Buildout is offline: only distributions already installed can be used."
    return None


def _python_conflict(pairs: list[tuple[Need, Any]], who: Callable[[Any], str]) -> UserError:
    from zc.buildout.dists.resolve.candidates import python_candidate  # start-up: as in explain()

    python = python_candidate().version
    lines = [f"No version fits this Python ({python}):"]
    unfit = [(need, parent) for need, parent in pairs
             if not need.specifier.contains(python, prereleases=True)]
    lines.extend(f"  {_who(parent, who)} requires {need}" for need, parent in _unique(unfit or pairs))
    return VersionConflict("\n".join(lines))
