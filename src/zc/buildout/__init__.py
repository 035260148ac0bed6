"""Buildout: assemble applications from parts, recipes and pinned distributions.

The package is laid out by stage; imports go one way, down this list (no
circles, not even through imports inside functions; ``tests/test_layout.py``
checks both):

- the command line (``cli``, ``__main__``) and its commands (``commands``);
- the module paths recipes and tools import, thin faces over the stages
  (``buildout``, ``configparser``, ``download``, ``easy_install``,
  ``rmtree``, ``testrecipes``), and the compatibility layer behind them
  (``legacy``);
- ``run``: a run of buildout, from startup through the engine;
- ``dists``: the installer, by pipeline stage;
- ``config``: the configuration language;
- ``net`` and ``files``: the network and the file system;
- ``errors`` (and this module) at the bottom.

``testing`` is the harness above them all. ``docs/internals/architecture.rst``
tells how a run flows through the stages.

Imports are at the top of modules. An import inside a function is there
for start-up time only, when most runs never need the module (a no-op run
should load little beyond the configuration and the installed state); its
comment says which runs do.
"""

import sys

from zc.buildout.errors import UserError

__all__ = ["UserError", "WINDOWS", "__version__"]

__version__ = "7.0.0.dev0"

WINDOWS = sys.platform.startswith("win")
