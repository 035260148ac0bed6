"""Merging one source's options over everything below it: ``=``, ``+=`` and ``-=``.

Sources are applied one at a time, lowest precedence first. In a source, a
section's ``=`` options are applied first, then its ``+=``, then its ``-=``, so
that ``+=`` and ``-=`` work on the value the same source set, else on the value
from below, else on an empty ``IMPLICIT_VALUE``.

A section that uses macros (it has a ``<`` option) keeps its ``+=``/``-=``
pending, under the keys ``"name +"`` and ``"name -"``: they apply to the
macro's values, which are only known when the section is expanded.
"""

from __future__ import annotations

from collections.abc import Mapping

from zc.buildout.config.parser import RawOption
from zc.buildout.config.values import HistoryEntry, Value

__all__ = ["Sections", "apply_layer", "apply_option"]

Sections = dict[str, dict[str, Value]]


def apply_layer(sections: Sections, layer: Mapping[str, Mapping[str, RawOption]], source: str) -> None:
    """Merge the sections ``layer`` read from ``source`` into ``sections``."""
    for name, options in layer.items():
        section = sections.get(name)
        if section is None:
            section = sections[name] = {}
        macro = "<" in section or "<" in options
        operations: list[RawOption] = []
        for option in options.values():
            if option.op:
                operations.append(option)
            else:
                _set(section, option, source, macro)
        if operations:
            operations.sort(key=_op_order)
            for option in operations:
                _operate(section, option, source, macro)


def apply_option(sections: Sections, section_name: str, option: RawOption, source: str) -> None:
    """Merge a single option (a command-line assignment) into ``sections``."""
    apply_layer(sections, {section_name: {option.name: option}}, source)


def _op_order(option: RawOption) -> int:
    return 0 if option.op == "+" else 1


def _set(section: dict[str, Value], option: RawOption, source: str, macro: bool) -> None:
    name = option.name
    line = option.line or None
    value = section.get(name)
    if value is None:
        section[name] = Value.new(option.text, source, line)
    else:
        value.override(option.text, source, line)
    if macro:
        section.pop(name + " +", None)
        section.pop(name + " -", None)


def _operate(section: dict[str, Value], option: RawOption, source: str, macro: bool) -> None:
    line = option.line or None
    if macro and option.name != "<":
        key = f"{option.name} {option.op}"
        pending = section.get(key)
        if pending is None:
            pending = section[key] = Value("", [])
        pending.text = "\n".join(part for part in (pending.text, option.text) if part)
        operation = "ADD" if option.op == "+" else "REMOVE"
        pending.history.append(HistoryEntry(operation, option.text, source, line))
        return
    value = section.get(option.name)
    if value is None:
        value = section[option.name] = Value.implicit()
    if option.op == "+":
        value.add(option.text, source, line)
    else:
        value.remove(option.text, source, line)
