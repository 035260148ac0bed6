"""Raising pins in a configuration file, keeping everything else of it as it was.

Each pin to raise is known by the line its value was read from: that line
gets the new version in place of the old one, and no other character of
the file changes (comments, order, spacing, line endings).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from packaging.version import InvalidVersion, Version

from zc.buildout.errors import UserError
from zc.buildout.files.text import write_text
from zc.buildout.report.outdated import PinReport

__all__ = ["raise_pins"]

_PIN_LINE = re.compile(r"^(?P<head>[^=:#;\s][^=:]*[=:]\s*(?:==)?\s*)(?P<version>\S+)(?P<tail>.*)$", re.DOTALL)


def raise_pins(path: str, reports: Sequence[PinReport]) -> list[PinReport]:
    """Raise, in the file ``path``, the pins of ``reports`` that can be raised and are set there.

    Returns those raised. The file is written whole, and only if a pin changed.
    """
    if not os.path.isfile(path):
        raise UserError(f"There is no versions file {path}.",
                        hint="Name a file of the configuration that pins versions, such as versions.cfg.")
    real = os.path.realpath(path)
    with open(path, encoding="utf-8", newline="") as file:
        lines = file.read().splitlines(keepends=True)
    raised = []
    for report in reports:
        where = report.location
        if not report.raisable or where is None or where.line is None:
            continue
        if not os.path.isabs(where.source) or os.path.realpath(where.source) != real:
            continue
        match = _PIN_LINE.match(lines[where.line - 1])
        if match is None or not _names(match["version"], report.pinned):
            continue  # the value is not on its option's line: left as it is
        lines[where.line - 1] = f"{match['head']}{report.newest}{match['tail']}"
        raised.append(report)
    if raised:
        write_text(path, "".join(lines))
    return raised


def _names(text: str, version: Version) -> bool:
    try:
        return Version(text) == version
    except InvalidVersion:
        return False
