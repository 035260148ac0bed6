"""What ``annotate`` and ``query`` show: merged raw values and where they came from."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from zc.buildout.config.loading import HistoryEntry, LoadedConfiguration, Value, expand_macros
from zc.buildout.config.values import is_file_source, is_url
from zc.buildout.errors import UserError

__all__ = ["annotation_document", "query_document", "render_annotation", "render_query"]

_TERSE_OPERATIONS = {"ADD": "+=  ", "REMOVE": "-=  "}


def _checked(config: LoadedConfiguration, section: str, option: str) -> Value:
    if section not in config.sections:
        raise UserError(f"Section not found: {section}")
    options = expand_macros(config.sections, section)
    if option not in options:
        raise UserError(f"Key not found: {option}")
    return options[option]


def _value_document(value: Value) -> dict[str, Any]:
    """A value, where it was last set, and its history (oldest first), for ``--json``."""
    where = value.location
    return {
        "value": value.text,
        "source": where.source,
        "line": where.line,
        "history": [{"operation": entry.operation, "value": entry.value, "source": entry.source,
                     "line": entry.line} for entry in value.history],
    }


def query_document(config: LoadedConfiguration, section: str, option: str) -> dict[str, Any]:
    """``query --json``: the section, option, raw value, and where it came from."""
    return {"section": section, "option": option, **_value_document(_checked(config, section, option))}


def annotation_document(config: LoadedConfiguration, sections: Sequence[str] = ()) -> dict[str, Any]:
    """``annotate --json``: ``{"sections": {section: {option: value document}}}``."""
    for name in sections:
        if name not in config.sections:
            raise UserError(f"Section not found: {name}")
    return {"sections": {
        name: {key: _value_document(value) for key, value in _options(config.sections, name).items()}
        for name in (sections or config.sections)}}


def render_query(config: LoadedConfiguration, section: str, option: str, *, header: bool) -> str:
    """The raw value of ``section:option``, preceded by ``${section:option}`` if ``header``."""
    value = _checked(config, section, option)
    heading = f"${{{section}:{option}}}\n" if header else ""
    return f"{heading}{value.text}\n"


def render_annotation(
    config: LoadedConfiguration, sections: Sequence[str] = (), *, verbose: bool = False
) -> str:
    """The ``annotate`` report: sorted sections and options, each with its sources.

    Without ``verbose``, a value shows where it was last set, then the files
    that added (``+=``) or removed (``-=``) lines after that; with
    ``verbose``, its whole history, newest first, between blank lines (as
    upstream lays it out). Files under the buildout directory are shown
    relative to it, with the line (which upstream did not show).
    """
    for name in sections:
        if name not in config.sections:
            raise UserError(f"Section not found: {name}")
    sources = _Sources(config.sections["buildout"]["directory"].text)
    lines = ["", "Annotated sections", "=================="]
    for name in sorted(sections or config.sections):
        lines += ["", f"[{name}]"]
        options = _options(config.sections, name)
        for key in sorted(options):
            value = options[key]
            first, *more = value.text.split("\n")
            lines.append(f"{key}= {first}".rstrip())
            lines += more
            if verbose:
                lines += ["", *(f"   {line}" for line in _verbose(value, sources)), ""]
            else:
                lines += [f"    {line}" for line in _terse(value, sources)]
    return "\n".join(lines) + "\n"


def _options(sections: Mapping[str, Mapping[str, Value]], name: str) -> dict[str, Value]:
    options = expand_macros(sections, name)
    macro = sections[name].get("<")
    if macro is not None:
        options["<"] = macro
    return options


class _Sources:
    """How sources are shown: files under the buildout directory relative to it."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.shown: dict[str, str] = {}

    def where(self, entry: HistoryEntry) -> str:
        source = self.shown.get(entry.source)
        if source is None:
            source = self.shown[entry.source] = self._show(entry.source)
        return source if entry.line is None else f"{source}:{entry.line}"

    def _show(self, source: str) -> str:
        if is_file_source(source) and not is_url(source) and self.directory:
            relative = os.path.relpath(source, self.directory)
            if not relative.startswith(os.pardir):
                return relative
        return source


def _terse(value: Value, sources: _Sources) -> list[str]:
    history = value.history
    start = max(
        (index for index, entry in enumerate(history) if entry.operation in ("SET", "OVERRIDE")),
        default=0,
    )
    lines = [sources.where(history[start])]
    for entry in history[start + 1 :]:
        prefix = _TERSE_OPERATIONS.get(entry.operation)
        if prefix is not None:
            lines.append(prefix + sources.where(entry))
    return lines


def _verbose(value: Value, sources: _Sources) -> list[str]:
    lines = []
    for entry in reversed(value.history):
        where = sources.where(entry)
        lines.append(f"IN {where}" if is_file_source(entry.source) else f"AS {where}")
        first, *more = entry.value.split("\n")
        prefix = f"{entry.operation} VALUE = "
        lines.append(f"{prefix}{first}")
        lines += [" " * len(prefix) + line if line else "" for line in more]
    return lines
