"""The JSON documents of the report commands, and how they show places.

Every document is one JSON object, keys sorted, indented by two spaces,
ending in a newline. A place (``Location``) is ``{"file": ..., "line": ...}``
in JSON, with the file as buildout read it (an absolute path or a URL); in
text, a file under the buildout directory is shown relative to it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from zc.buildout.errors import Location

__all__ = ["as_json", "location_document", "shown"]


def as_json(document: Mapping[str, Any]) -> str:
    """``document`` as the commands print it."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def location_document(location: Location | None) -> dict[str, Any] | None:
    """``{"file": source, "line": line}``; ``None`` for no location."""
    if location is None:
        return None
    return {"file": location.source, "line": location.line}


def shown(location: Location, directory: str) -> str:
    """``file:line``, the file relative to ``directory`` when it is inside it."""
    source = location.source
    if os.path.isabs(source) and directory:
        relative = os.path.relpath(source, directory)
        if not relative.startswith(os.pardir):
            source = relative
    return source if location.line is None else f"{source}:{location.line}"
