"""Bootstrapping: a buildout's directories and its ``bin/buildout`` script."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from zc.buildout.config.options import bool_option
from zc.buildout.dists.install.compiler import Compiler
from zc.buildout.dists.install.own_eggs import own_egg
from zc.buildout.dists.store.closure import own_distributions
from zc.buildout.run import layout, scripts

if TYPE_CHECKING:
    from zc.buildout.config.options import Configuration

__all__ = ["bootstrap"]

logger = logging.getLogger("zc.buildout")


def bootstrap(buildout: Configuration, extra_paths: Sequence[str] = ()) -> None:
    """Create the buildout's directories and ``bin/buildout``; nothing is removed.

    The script runs this buildout with this Python; its path holds
    zc.buildout, zc.recipe.egg and the distributions they require, each
    copied into the eggs directory from the environment buildout runs in
    (as upstream did, and as parts get them), then ``extra_paths``. So with
    ``relative-paths`` the script finds them relative to the buildout.
    """
    options = buildout["buildout"]
    layout.create(options)
    relative = bool_option(options, "relative-paths", "false")
    scripts.console_script(
        os.path.join(options["bin-directory"], "buildout"),
        "zc.buildout.cli",
        "main",
        path=scripts.baked_path([*_locations(options["eggs-directory"]), *extra_paths]),
        executable=options.get("executable") or sys.executable,
        relative_to=options["directory"] if relative else None,
        # Buildout is no part: it builds with its environment's setuptools, say.
        include_site_packages=True,
    )


def _locations(eggs_directory: str) -> list[str]:
    """Where buildout's own distributions are imported from: their eggs, or where they are.

    An editable install, or one that cannot be copied, is used where it is.
    """
    with Compiler() as compiler:
        eggs = [own_egg(dist, eggs_directory, compiler).location for dist in own_distributions().values()]
    return list(dict.fromkeys(eggs))
