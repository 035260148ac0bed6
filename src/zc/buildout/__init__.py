"""Buildout: assemble applications from parts, recipes and pinned distributions."""

import sys

from zc.buildout.errors import UserError

__all__ = ["UserError", "WINDOWS", "__version__"]

__version__ = "7.0.0.dev0"

WINDOWS = sys.platform.startswith("win")
