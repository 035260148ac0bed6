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
    return _expand(sections, name, ())


def _expand(
    sections: Mapping[str, Mapping[str, Value]], name: str, chain: tuple[str, ...]
) -> dict[str, Value]:
    section = sections.get(name)
    if section is None:
        raise MissingSection(f"The referenced section, {name!r}, was not defined.")
    macro = section.get("<")
    if macro is None:
        return dict(section)
    result: dict[str, Value] = {}
    for base in macro.text.split():
        if base == name or base in chain:
            raise UserError(f"Infinite extending loop {base!r}", location=macro.location)
        if base not in sections:
            raise UserError(f"No section named {base!r}", location=macro.location)
        result.update(_expand(sections, base, (*chain, name)))
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
