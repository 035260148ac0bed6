"""The ``setup`` command (also ``runsetup``): run a project's setup script."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from typing import TYPE_CHECKING

from zc.buildout.run import logsetup
from zc.buildout.errors import UserError

if TYPE_CHECKING:
    from zc.buildout.cli import CommandLine

__all__ = ["setup_command"]

logger = logging.getLogger("zc.buildout")


def setup_command(command_line: CommandLine) -> None:
    """``buildout setup PATH [arguments]``: PATH is a setup script or its directory.

    The script runs in its own directory with this Python; no configuration
    file is needed.
    """
    logsetup.configure("INFO", "", str(command_line.verbosity))
    if not command_line.args:
        raise UserError(
            "The setup command requires the path to a setup script or directory"
            " containing a setup script, and its arguments."
        )
    path, *arguments = command_line.args
    script = os.path.abspath(path)
    if os.path.isdir(script):
        script = os.path.join(script, "setup.py")
    if not os.path.isfile(script):
        raise UserError(f"There is no setup script at {script!r}.")
    logger.info("Running setup script %r.", script)
    sys.stdout.flush()  # the script's output follows ours
    completed = subprocess.run(
        [sys.executable, os.path.basename(script), *arguments], cwd=os.path.dirname(script)
    )
    if completed.returncode:
        raise UserError(f"The setup script {script!r} failed (exit status {completed.returncode}).")
