"""Macros: a section's ``<`` option copies the raw options of other sections."""

from __future__ import annotations

from collections.abc import Mapping

from zc.buildout.config.values import Value
from zc.buildout.errors import MissingSection, UserError

__all__ = ["expand_macros"]


def expand_macros(sections: Mapping[str, Mapping[str, Value]], name: str) -> dict[str, Value]:
    """The options of section ``name`` with its ``<`` macros applied.

    ``<`` names one or more sections (whitespace separated). Their options,
    themselves expanded, are copied in order (a later macro wins over an
    earlier one), then the section's own options win over them, then the
    section's pending ``+=``/``-=`` (keys ``"name +"``/``"name -"``) apply. The
    ``<`` option itself is dropped. A section without ``<`` is returned as it
    is. Values not changed by ``+=``/``-=`` are shared with ``sections``.

    Raises :class:`~zc.buildout.errors.UserError` naming the ``<`` option's
    file and line for an unknown section or a loop.
    """
    if name not in sections:
        raise MissingSection(f"The referenced section, {name!r}, was not defined.")
    # An explicit stack rather than recursion: a chain of macros is as long as the user makes it.
    expanded: dict[str, dict[str, Value]] = {}
    frames: list[tuple[str, list[str], list[int]]] = [(name, _bases(sections, name), [0])]
    path = [name]
    while frames:
        current, bases, cursor = frames[-1]
        if cursor[0] < len(bases):
            base = bases[cursor[0]]
            cursor[0] += 1
            where = sections[current]["<"].location
            if base in path:
                raise UserError(f"Infinite extending loop {base!r}", location=where)
            if base not in sections:
                raise UserError(f"No section named {base!r}", location=where)
            if base not in expanded:
                frames.append((base, _bases(sections, base), [0]))
                path.append(base)
            continue
        frames.pop()
        path.pop()
        expanded[current] = _apply(sections[current], [expanded[base] for base in bases])
    return expanded[name]


def _bases(sections: Mapping[str, Mapping[str, Value]], name: str) -> list[str]:
    macro = sections[name].get("<")
    return macro.text.split() if macro is not None else []


def _apply(section: Mapping[str, Value], bases: list[dict[str, Value]]) -> dict[str, Value]:
    """``section``'s options over those of its expanded ``bases``, then its pending ``+=``/``-=``."""
    if "<" not in section:
        return dict(section)
    result: dict[str, Value] = {}
    for base in bases:
        result.update(base)
    pending: list[tuple[str, Value]] = []
    for key, value in section.items():
        if key.endswith((" +", " -")):
            pending.append((key, value))
        elif key != "<":
            result[key] = value
    pending.sort(key=lambda item: item[0].endswith("-"))
    for key, operations in pending:
        option = key[:-2]
        base_value = result.get(option)
        value = base_value.copy() if base_value is not None else Value.implicit()
        for entry in operations.history:
            if entry.operation == "ADD":
                value.add(entry.value, entry.source, entry.line)
            else:
                value.remove(entry.value, entry.source, entry.line)
        result[option] = value
    return result
