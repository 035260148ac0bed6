"""The ``zc.buildout:debug`` recipe: shows the options a part receives."""

from __future__ import annotations

import sys
from typing import Any

from zc.buildout.config.options import Options
from zc.buildout.net.credentials import redact_url

__all__ = ["Debug"]


class Debug:
    """Writes each option as ``  name='value'`` (sorted, passwords hidden) when installed or updated.

    It creates nothing. Tests and docs use it to show what substitution and
    macros produce.
    """

    def __init__(self, buildout: Any, name: str, options: Options) -> None:
        self.options = options

    def install(self) -> tuple[str, ...]:
        # Written straight to standard output, as recipe tests expect, not logged.
        for name, value in sorted(self.options.items()):
            sys.stdout.write(redact_url(f"  {name}={value!r}\n"))  # passwords in URLs as ****
        return ()

    update = install
