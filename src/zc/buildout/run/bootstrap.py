"""The ``bootstrap`` and ``init`` commands: a buildout's directories and first configuration."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from zc.buildout.run import layout

from zc.buildout.run import logsetup
from zc.buildout.errors import UserError
from zc.buildout.config.options import bool_option

if TYPE_CHECKING:
    from zc.buildout.buildout import Buildout
    from zc.buildout.cli import CommandLine

__all__ = ["bootstrap", "bootstrap_command", "init_command", "starter_configuration"]

logger = logging.getLogger("zc.buildout")


def bootstrap(buildout: Buildout, extra_paths: Sequence[str] = ()) -> None:
    """Create the buildout's directories and ``bin/buildout``; nothing is removed.

    The script runs this buildout with this Python; its path holds the
    locations of zc.buildout and the distributions it needs, then
    ``extra_paths``.
    """
    from zc.buildout.run import scripts

    options = buildout["buildout"]
    layout.create(options)
    relative = bool_option(options, "relative-paths", "false")
    scripts.console_script(
        os.path.join(options["bin-directory"], "buildout"),
        "zc.buildout.cli",
        "main",
        path=scripts.baked_path([*_locations(), *extra_paths]),
        executable=options.get("executable") or sys.executable,
        relative_to=options["directory"] if relative else None,
    )


def _locations() -> list[str]:
    """Where zc.buildout (with zc.recipe.egg) and the distributions it requires are imported from."""
    import importlib.metadata
    import importlib.util

    import zc.buildout
    from zc.buildout.run.signatures import requirement_closure

    package = os.path.dirname(os.path.abspath(zc.buildout.__file__))
    locations = [os.path.dirname(os.path.dirname(package))]
    recipe = importlib.util.find_spec("zc.recipe.egg")
    if recipe is not None and recipe.origin:  # the companion recipe, wherever it is installed
        locations.append(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(recipe.origin)))))
    for distribution in requirement_closure(importlib.metadata.distribution("zc.buildout")):
        location = str(distribution.locate_file(""))
        if location not in locations:
            locations.append(location)
    return locations


def bootstrap_command(command_line: CommandLine) -> None:
    """``buildout bootstrap``."""
    if command_line.args:
        raise UserError("The bootstrap command takes no arguments.")
    from zc.buildout.buildout import Buildout

    bootstrap(Buildout.from_command_line(command_line))


def starter_configuration(requirements: Sequence[str]) -> str:
    """A first ``buildout.cfg``: with requirements, a ``py`` interpreter part using them.

    Arguments holding a path separator are directories for the interpreter's
    path (``extra-paths``); the others are distributions (``eggs``).
    """
    if not requirements:
        return "[buildout]\nparts =\n"
    paths = [arg for arg in requirements if "/" in arg or "\\" in arg]
    eggs = [arg for arg in requirements if arg not in paths]
    lines = ["[buildout]", "parts = py", "", "[py]", "recipe = zc.recipe.egg", "interpreter = py"]
    lines.append("eggs =")
    lines.extend(f"    {egg}" for egg in eggs)
    if paths:
        lines.append("extra-paths =")
        lines.extend(f"    {path}" for path in paths)
    return "\n".join(lines) + "\n"


def init_command(command_line: CommandLine) -> None:
    """``buildout init [requirements]``: write a configuration, bootstrap, install if asked."""
    logsetup.configure("INFO", "", str(command_line.verbosity))
    path = os.path.abspath(command_line.config_file)
    if os.path.exists(path):
        raise UserError(f"{path!r} already exists.")
    logger.info("Creating %r.", path)
    for argument in command_line.args:
        if "/" in argument or "\\" in argument:
            os.makedirs(os.path.join(os.path.dirname(path), argument), exist_ok=True)
    with open(path, "w", encoding="utf-8") as file:
        file.write(starter_configuration(command_line.args))
    from zc.buildout.buildout import Buildout

    buildout = Buildout.from_command_line(command_line)
    bootstrap(buildout)
    if command_line.args:
        buildout.install(())
