"""The commands of the command line: ``install``, ``init``, ``bootstrap``, ``annotate``, ...

Each command is a function taking the :class:`CommandLine` that
:mod:`zc.buildout.cli` parsed; it returns the text it reports (the command
line prints it on standard output) or ``None`` when logging says it all.
Errors are raised, never printed: only the command line prints them.

Each command imports the stages it uses when it runs: starting buildout
then loads only what the command at hand needs (``annotate`` never loads
the installer, ``--version`` loads nothing).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
from collections.abc import Sequence

from zc.buildout.errors import UsageError, UserError

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without importing typing for --help or --version
if TYPE_CHECKING:
    from zc.buildout.buildout import Buildout
    from zc.buildout.config.loading import LoadedConfiguration
    from zc.buildout.config.options import Options
    from zc.buildout.dists.lock.file import Lock

__all__ = [
    "CommandLine",
    "annotate_command",
    "bootstrap_command",
    "export_lock_command",
    "init_command",
    "install_command",
    "query_command",
    "setup_command",
    "starter_configuration",
]

logger = logging.getLogger("zc.buildout")


@dataclasses.dataclass(frozen=True)
class CommandLine:
    """What the command line asked for."""

    config_file: str = "buildout.cfg"
    """``-c``: a path (relative to the working directory) or a URL."""
    assignments: tuple[tuple[str, str, str], ...] = ()
    """``(section, option, value)``; ``option`` ends in ``+``/``-`` for ``+=``/``-=``."""
    use_user_defaults: bool = True
    """False with ``-U``."""
    debug: bool = False
    """``-D``: start the post-mortem debugger on an error."""
    verbosity: int = 0
    """+10 per ``-v``, -10 per ``-q``."""
    command: str = "install"
    args: tuple[str, ...] = ()
    show_help: bool = False
    show_version: bool = False


def _buildout(command_line: CommandLine) -> Buildout:
    """The buildout the command line names, started for its command."""
    from zc.buildout.buildout import Buildout  # start-up: only commands that start a buildout need it

    return Buildout(
        command_line.config_file,
        command_line.assignments,
        command_line.use_user_defaults,
        command=command_line.command,
        args=command_line.args,
    )


def install_command(command_line: CommandLine) -> None:
    """``buildout [install [parts]]``: make the parts on disk match the configuration."""
    _buildout(command_line).install(command_line.args)


def bootstrap_command(command_line: CommandLine) -> None:
    """``buildout bootstrap``: the buildout's directories and ``bin/buildout``."""
    if command_line.args:
        raise UserError("The bootstrap command takes no arguments.")
    _buildout(command_line).bootstrap(())


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
    lines.extend(f"  {egg}" for egg in eggs)  # indented by two spaces, as upstream writes it
    if paths:
        lines.append("extra-paths =")
        lines.extend(f"  {path}" for path in paths)
    return "\n".join(lines) + "\n"


def init_command(command_line: CommandLine) -> None:
    """``buildout init [requirements]``: write a configuration, bootstrap, install if asked."""
    from zc.buildout.run import logsetup  # start-up: only this command needs it

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
    _buildout(command_line).init(command_line.args)


def annotate_command(command_line: CommandLine) -> str:
    """``buildout annotate [section ...]``: sections with each value's origin."""
    from zc.buildout.config.annotation import render_annotation  # start-up: only this command needs it

    config, verbosity = _configuration(command_line, as_configured=True)
    return render_annotation(config, command_line.args, verbose=verbosity > 0)


def query_command(command_line: CommandLine) -> str:
    """``buildout query [section:]option``: one option's raw value."""
    from zc.buildout.config.annotation import render_query  # start-up: only this command needs it

    if len(command_line.args) != 1:
        raise UserError("The query command requires a single argument.")
    argument = command_line.args[0]
    if argument.count(":") > 1:
        raise UserError(f"Invalid option: {argument}")
    section, _, option = argument.rpartition(":")
    config, verbosity = _configuration(command_line)
    return render_query(config, section or "buildout", option, header=verbosity > 0)


def _configuration(command_line: CommandLine, *, as_configured: bool = False
                   ) -> tuple[LoadedConfiguration, int]:
    """The merged configuration, with logging set up as it asks; and its verbosity.

    ``as_configured`` keeps the directories relative to the buildout as given.
    """
    from zc.buildout.config.loading import load  # start-up: only this command needs it
    from zc.buildout.run import logsetup  # start-up: only this command needs it

    config = load(
        command_line.config_file,
        command_line.assignments,
        user_defaults=command_line.use_user_defaults,
        as_configured=as_configured,
    )
    buildout = config.sections["buildout"]

    def text(name: str, default: str) -> str:
        value = buildout.get(name)
        return default if value is None else value.text

    verbosity = text("verbosity", "0")
    logsetup.configure(text("log-level", "INFO"), text("log-format", ""), verbosity)
    return config, int(verbosity.strip() or "0")


def export_lock_command(command_line: CommandLine) -> None:
    """``buildout export-lock FILE...``: write the lock in the formats the file names ask for."""
    from zc.buildout.dists.lock.export import (  # start-up: only this command needs it
        NAMES_UNDERSTOOD,
        exporter,
    )
    from zc.buildout.files.text import write_text  # start-up: only this command needs it

    if not command_line.args:
        raise UsageError(f"The export-lock command needs the files to write: {NAMES_UNDERSTOOD}.")
    # Paths are relative to where buildout was started, not to the buildout
    # directory (Buildout changes into it), and are logged as they were given.
    targets = [(path, os.path.abspath(path), exporter(path)) for path in command_line.args]
    lock = _lock(_buildout(command_line)["buildout"])
    texts = [(given, path, export(lock)) for given, path, export in targets]
    # Every text is computed first, so that an error writes nothing.
    for given, path, text in texts:
        write_text(path, text)
        logger.info("Wrote %s.", given)


def _lock(options: Options) -> Lock:
    """The lock file ``[buildout] lock-file`` names."""
    from zc.buildout.dists.lock.file import Lock  # start-up: only this command needs it

    hint = "Set lock-file in [buildout] and run buildout to write the lock."
    name: str = options.get("lock-file", "").strip()
    if not name:
        raise UserError("There is no lock to export: [buildout] has no lock-file option.", hint=hint)
    path = os.path.join(options["directory"], name)
    if not os.path.exists(path):
        raise UserError(f"There is no lock to export: {path} does not exist.",
                        location=options.location("lock-file"), hint=hint)
    return Lock.read(path)


def setup_command(command_line: CommandLine) -> None:
    """``buildout setup PATH [arguments]``: PATH is a setup script or its directory.

    The script runs in its own directory with this Python; no configuration
    file is needed.
    """
    import subprocess  # start-up: only this command runs a process

    from zc.buildout.dists.build.isolation import setuptools_environ  # start-up: only this command needs it
    from zc.buildout.run import logsetup  # start-up: only this command needs it

    logsetup.configure("INFO", "", str(command_line.verbosity))
    if not command_line.args:
        raise UserError(
            "The setup command requires the path to a setup script or directory"
            " containing a setup script, and its arguments."
        )
    path, *arguments = command_line.args
    if os.path.isdir(path):
        path = os.path.join(path, "setup.py")
    script = os.path.abspath(path)
    if not os.path.isfile(script):
        raise UserError(f"There is no setup script at {script!r}.")
    logger.info("Running setup script %r.", path)  # as given, as upstream shows it
    sys.stdout.flush()  # the script's output follows ours
    completed = subprocess.run([sys.executable, os.path.basename(script), *arguments],
                               cwd=os.path.dirname(script), env=setuptools_environ(os.environ))
    if completed.returncode:
        raise UserError(f"The setup script {script!r} failed (exit status {completed.returncode}).")
