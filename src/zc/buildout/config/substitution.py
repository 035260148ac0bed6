"""Expanding ``${section:option}`` references, and the errors that name their chain.

Grammar: a reference is ``${`` *section* ``:`` *option* ``}``; both names may
hold letters, digits, ``-``, ``.``, ``_`` and spaces; an empty section means
the section the text belongs to. An error names the reference, the option
holding it and where that option was set, then each option it was reached
from, innermost first.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from zc.buildout.errors import Location, MissingOption, MissingSection, UserError, doing

if TYPE_CHECKING:
    from zc.buildout.config.options import Configuration, Options

__all__ = ["SECTION_NAME_OPTION", "circular_reference", "expand", "prepare"]

_REFERENCE = re.compile(r"\$\{([^}]*)\}")
_NAME = re.compile(r"[-a-zA-Z0-9 ._]*\Z")

SECTION_NAME_OPTION = "_buildout_section_name_"
"""A pseudo-option: the name of the section whose text is being substituted."""

Step = tuple[str, str]

_STRIDE = 40
"""How many references one substitution follows at most when :func:`prepare` has run."""


def expand(text: str, options: Options, seen: list[Step]) -> str:
    """``text`` with each reference replaced by the option's substituted value.

    ``options`` is the section ``text`` belongs to; ``seen`` the chain of
    options being substituted, the last one holding ``text``.
    """
    if "${" not in text:
        return text
    pieces: list[str] = []
    position = 0
    for match in _REFERENCE.finditer(text):
        pieces.append(text[position : match.start()])
        pieces.append(_resolve(match.group(0), match.group(1), options, seen))
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces)


def _syntax_error(reference: str, names: list[str]) -> str | None:
    """Upstream's message for a malformed reference, or ``None``."""
    if len(names) == 1:
        return f"The substitution, {reference},\ndoesn't contain a colon."
    if len(names) > 2:
        return f"The substitution, {reference},\nhas too many colons."
    if not _NAME.match(names[0]):
        return f"The section name in substitution, {reference},\nhas invalid characters."
    if not _NAME.match(names[1]):
        return f"The option name in substitution, {reference},\nhas invalid characters."
    return None


def _resolve(reference: str, inner: str, options: Options, seen: list[Step]) -> str:
    buildout = options.buildout
    holder = seen[-1] if seen and seen[-1][0] == options.name else None
    location = _location(buildout, *holder) if holder else None
    if location is not None and location.source.endswith("_VALUE"):
        location = None
    names = inner.split(":")
    problem = _syntax_error(reference, names)
    if problem is not None:
        raise UserError(problem, location=location)
    section, option = names
    section = section or options.name
    if section not in buildout:
        with doing(f"Getting section {section}."):  # the step upstream's While: list ends with
            raise MissingSection(
                f"{_describe(reference, buildout, holder)} references section {section!r},"
                f" which is not defined{_chain(buildout, seen)}"
            )
    value = buildout[section].get(option, None, seen)
    if value is None:
        if option == SECTION_NAME_OPTION:
            return options.name
        raise MissingOption(
            f"{_describe(reference, buildout, holder)} references missing option"
            f" {option!r} of section {section!r}{_chain(buildout, seen)}"
        )
    return value  # type: ignore[no-any-return]


def prepare(options: Options, key: str) -> None:
    """Substitute ahead, from the far end, the options a long chain of references from ``key`` reaches.

    Substitution follows references by recursion, some frames deep per
    reference, so a chain of hundreds of references would exhaust Python's
    stack. This walks the references (as written: sections using macros are
    not looked into) with a stack of its own, then substitutes every option
    :data:`_STRIDE` references above the far end of a chain, deepest first,
    with the chain above it as ``seen`` (so errors name it whole). Each of
    those recursions, and the final one from ``key``, stops at an option
    already substituted. Short chains, all of them in most configurations,
    are left to the ordinary recursion; so is a short cycle, which that
    reports. A long cycle is reported here.
    """
    buildout = options.buildout
    start = (options.name, key)
    frames: list[tuple[Step, list[Step], list[int]]] = [(start, _references(buildout, start), [0])]
    on_path = {start}
    height: dict[Step, int] = {}
    while frames:
        step, below, cursor = frames[-1]
        if cursor[0] < len(below):
            target = below[cursor[0]]
            cursor[0] += 1
            if target in on_path:
                if len(frames) <= _STRIDE:
                    return
                raise circular_reference(buildout, [frame[0] for frame in frames], target)
            if target not in height:
                frames.append((target, _references(buildout, target), [0]))
                on_path.add(target)
            continue
        frames.pop()
        on_path.discard(step)
        height[step] = 1 + max((height[target] for target in below), default=-1)
        if height[step] >= _STRIDE and frames:
            buildout[step[0]].get(step[1], None, [frame[0] for frame in frames])
            height[step] = 0


def _references(buildout: Configuration, step: Step) -> list[Step]:
    """The options the raw value of ``step`` refers to; none once it is substituted or unknown."""
    section, option = step
    options = buildout.initialized_sections().get(section)
    if options is not None:
        text = None if option in options._data else options.raw(option)
    else:
        raw = buildout._raw.get(section)
        text = raw.get(option) if raw is not None and "<" not in raw else None
    if not text or "${" not in text:
        return []
    found = []
    for piece in text.split("$$"):
        for match in _REFERENCE.finditer(piece):
            names = match.group(1).split(":")
            if _syntax_error(match.group(0), names) is None:
                found.append((names[0] or section, names[1]))
    return found


def circular_reference(buildout: Configuration, seen: list[Step], step: Step) -> UserError:
    """The error for ``step`` being substituted again while ``seen`` is under way."""
    cycle = seen[seen.index(step) :] + [step]
    lines = ["Circular reference in substitutions:"]
    for holder, target in zip(cycle, cycle[1:]):
        reference = _reference_to(buildout, holder, target)
        lines.append(f"  {_describe(reference, buildout, holder)}")
    return UserError("\n".join(lines))


_PSEUDO_SOURCES = {
    "COMMAND_LINE_VALUE": "the command line",
    "DEFAULT_VALUE": "buildout's defaults",
}


def _location(buildout: Configuration, section: str, option: str) -> Location | None:
    options = buildout.initialized_sections().get(section)
    if options is not None:
        return options.location(option)
    value = buildout._annotated.get(section, {}).get(option)  # a section :func:`prepare` walked into
    return value.location if value is not None and "<" not in buildout._annotated[section] else None


def _where(buildout: Configuration, section: str, option: str) -> str:
    """Where the option was set: ``file:line``, ``the command line``, or ``""`` if unknown."""
    location = _location(buildout, section, option)
    if location is None:
        return ""
    if location.source.endswith("_VALUE"):
        return _PSEUDO_SOURCES.get(location.source, "")
    return str(location)


def _describe(reference: str, buildout: Configuration, holder: Step | None) -> str:
    if holder is None:
        return reference
    where = _where(buildout, *holder)
    at = f" at {where}" if where else ""
    return f"{reference} in [{holder[0]}] {holder[1]}{at}"


def _chain(buildout: Configuration, seen: list[Step]) -> str:
    lines = []
    for holder, target in reversed(list(zip(seen, seen[1:]))):
        reference = _reference_to(buildout, holder, target)
        lines.append(f"\n  reached from {_describe(reference, buildout, holder)}")
    return "".join(lines)


def _reference_to(buildout: Configuration, holder: Step, target: Step) -> str:
    """The reference in ``holder``'s raw text that leads to ``target``."""
    section, option = holder
    options = buildout.initialized_sections().get(section)
    text = (options.raw(option) if options is not None else buildout._raw[section].get(option)) or ""
    for match in _REFERENCE.finditer(text):
        names = match.group(1).split(":")
        if len(names) == 2 and ((names[0] or section), names[1]) == target:
            return match.group(0)
    return "${%s:%s}" % target
