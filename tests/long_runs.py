"""How big the fault suites run: a quick size by default, the long one with ``BUILDOUT_TEST_LONG=1``.

The long runs (README.rst, docs/topics/reliability.rst) fuzz 10,000
configurations, kill 50 buildouts and run 10 rounds of concurrent ones; the
default test run does a small share of each.
"""

from __future__ import annotations

import os

__all__ = ["LONG", "size"]

LONG = os.environ.get("BUILDOUT_TEST_LONG", "") not in ("", "0")
"""Whether this is a long run."""


def size(default: int, long: int) -> int:
    """``long`` in a long run, else ``default``."""
    return long if LONG else default
