"""``zc.buildout.buildout``: the ``Buildout`` object recipes and extensions receive.

Upstream's module path, with the names published recipes and extensions
import. The class lives in :mod:`zc.buildout.run.startup`, the section
model in :mod:`zc.buildout.config.options`. ``download`` is here as it
was upstream: tests use ``zc.buildout.download`` after importing only this
module.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from zc.buildout import cli, download
from zc.buildout.config import loading
from zc.buildout.config.options import Options, bool_option
from zc.buildout.errors import MissingOption, MissingSection
from zc.buildout.run.signatures import directory_hash
from zc.buildout.run.startup import Buildout

__all__ = [
    "Buildout",
    "MissingOption",
    "MissingSection",
    "Options",
    "_buildout_default_options",
    "_default_globals",
    "_dir_hash",
    "bool_option",
    "download",
    "main",
    "print_",
]

print_ = print
"""``print``, under the name upstream's module gave it."""

_dir_hash = directory_hash
"""The digest of a directory's files (upstream's private name): what a develop recipe's signature holds."""


def main(args: Sequence[str] | None = None) -> None:
    """Run buildout with the command-line ``args`` (default ``sys.argv[1:]``), as ``bin/buildout`` does.

    Returns when it succeeded; exits with buildout's status otherwise.
    """
    status = cli.main(args)
    if status:
        sys.exit(status)

_buildout_default_options = loading.DEFAULT_OPTIONS
"""The ``[buildout]`` defaults (upstream's private name; language servers read it)."""


def _default_globals() -> dict[str, object]:
    """The plain names section conditions know, computed now (upstream's private name).

    Tools that parse configuration files themselves pass it to
    :func:`zc.buildout.configparser.parse`, as plone.versioncheck does.
    """
    from zc.buildout.config import conditions  # start-up: only such tools ask for the names

    names: dict[str, object] = {
        name: compute() for name, compute in conditions.NAMES.items() if "." not in name}
    major, minor = sys.version_info[:2]
    names.update(python2=major == 2, python3=major == 3)
    names[f"python{major}{minor}"] = True
    return names
