"""``file:`` URLs and the local paths they name, without importing ``urllib.request``.

``urllib.request`` brings in ``http.client`` and the ``email`` package (tens
of milliseconds), which a run that installs from its download cache
never needs otherwise. The conversion itself is small: percent-quoting on
POSIX, and ``nturl2path``'s drive and backslash rules on Windows.
"""

from __future__ import annotations

import os
import urllib.parse

__all__ = ["file_url", "url_path"]


def url_path(path: str) -> str:
    """The local path of the path part of a ``file:`` URL (``/tmp/a%20b.whl``)."""
    if os.name == "nt":
        import nturl2path  # start-up: Windows only

        return nturl2path.url2pathname(path)
    return urllib.parse.unquote(path)


def file_url(path: str) -> str:
    """The ``file:`` URL of a local path (made absolute)."""
    path = os.path.abspath(path)
    if os.name == "nt":
        import nturl2path  # start-up: Windows only

        quoted = nturl2path.pathname2url(path)
    else:
        quoted = urllib.parse.quote(path)
    return urllib.parse.urljoin("file:", quoted)
