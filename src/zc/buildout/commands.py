"""The commands of the command line: ``install``, ``init``, ``bootstrap``, ``annotate``, ``why``, ...

Each command is a function taking the :class:`CommandLine` that
:mod:`zc.buildout.cli` parsed; it returns the text it reports (the command
line prints it on standard output) or ``None`` when logging says it all.
Errors are raised, never printed: only the command line prints them.

Each command imports the stages it uses when it runs: starting buildout
then loads only what the command at hand needs (``annotate`` never loads
the installer, ``--version`` loads nothing).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from zc.buildout.errors import UsageError, UserError

if TYPE_CHECKING:
    from zc.buildout.config.loading import LoadedConfiguration
    from zc.buildout.config.options import Options
    from zc.buildout.dists.lock.file import Lock
    from zc.buildout.report.graph import Graph
    from zc.buildout.run.startup import Buildout

__all__ = [
    "CommandLine",
    "annotate_command",
    "bootstrap_command",
    "cache_command",
    "export_lock_command",
    "graph_command",
    "init_command",
    "install_command",
    "outdated_command",
    "query_command",
    "setup_command",
    "starter_configuration",
    "why_command",
]

logger = logging.getLogger("zc.buildout")


class CommandLine(NamedTuple):
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
    from zc.buildout.run.startup import Buildout  # start-up: only commands that start a buildout need it

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
    from zc.buildout.config.annotation import (  # start-up: only this command needs it
        annotation_document,
        render_annotation,
    )

    names, json = _json_flag(command_line.args)
    config, verbosity = _configuration(command_line, as_configured=True)
    if json:
        return _json(annotation_document(config, names))
    return render_annotation(config, names, verbose=verbosity > 0)


def query_command(command_line: CommandLine) -> str:
    """``buildout query [section:]option``: one option's raw value."""
    from zc.buildout.config.annotation import query_document, render_query  # start-up: only this command

    names, json = _json_flag(command_line.args)
    if len(names) != 1:
        raise UserError("The query command requires a single argument.")
    argument = names[0]
    if argument.count(":") > 1:
        raise UserError(f"Invalid option: {argument}")
    section, _, option = argument.rpartition(":")
    config, verbosity = _configuration(command_line)
    if json:
        return _json(query_document(config, section or "buildout", option))
    return render_query(config, section or "buildout", option, header=verbosity > 0)


def _json_flag(args: Sequence[str]) -> tuple[tuple[str, ...], bool]:
    """The arguments without ``--json``, and whether it was given."""
    return tuple(arg for arg in args if arg != "--json"), "--json" in args


def why_command(command_line: CommandLine) -> str:
    """``buildout why NAME[==VERSION] [--json]``: every path from a root to that distribution."""
    from zc.buildout.report import views  # start-up: only this command needs it
    from zc.buildout.report.arguments import CommandArguments  # start-up: only report commands need it

    arguments = CommandArguments.parse("why", command_line.args)
    if len(arguments.names) != 1:
        raise UsageError("The why command needs one distribution: why NAME or why NAME==VERSION.")
    buildout = _buildout(command_line)
    graph = _graph(buildout, (), everything=True)
    if arguments.json:
        return _json(views.why_document(graph, arguments.names[0]))
    return views.why_text(graph, arguments.names[0], buildout["buildout"]["directory"])


def graph_command(command_line: CommandLine) -> str:
    """``buildout graph [PART ...] [--format text|dot] [--json]``: the distribution tree of parts."""
    from zc.buildout.report import views  # start-up: only this command needs it
    from zc.buildout.report.arguments import CommandArguments  # start-up: only report commands need it

    arguments = CommandArguments.parse("graph", command_line.args, options=("--format",))
    form = arguments.values.get("--format", "text")
    if form not in ("text", "dot"):
        raise UsageError(f"Unknown graph format {form!r}.", hint="Use --format text or --format dot.")
    graph = _graph(_buildout(command_line), arguments.names, everything=False)
    if arguments.json:
        return _json(views.graph_document(graph))
    return views.graph_dot(graph) if form == "dot" else views.graph_text(graph)


def outdated_command(command_line: CommandLine) -> str:
    """``buildout outdated [--update-versions FILE] [--json]``: newer versions of the pins on the index."""
    from zc.buildout.report import outdated  # start-up: only this command needs it
    from zc.buildout.report.arguments import CommandArguments  # start-up: only report commands need it
    from zc.buildout.report.versions_file import raise_pins  # start-up: only this command needs it

    arguments = CommandArguments.parse("outdated", command_line.args, options=("--update-versions",))
    if arguments.names:
        raise UsageError(f"The outdated command takes no names: {' '.join(arguments.names)}",
                         hint="Use buildout outdated, or buildout outdated --update-versions FILE.")
    target = arguments.values.get("--update-versions")
    path = None if target is None else os.path.abspath(target)  # before buildout enters its directory
    buildout = _buildout(command_line)
    settings = buildout.run.settings
    if settings.offline:
        raise UserError("The outdated command reads the index, and buildout is offline.",
                        hint="Run it without -o (offline = false).")
    pins = outdated.exact_pins(settings.pins, None if settings.lock is None else settings.lock.path)
    graph = _graph(buildout, (), everything=False)
    reports = outdated.pin_reports(pins, outdated.newest_versions(settings, [pin.name for pin in pins]), graph)
    raised = [] if path is None else raise_pins(path, reports)
    if arguments.json:
        return _json({**outdated.outdated_document(reports),
                      "raised": [report.name for report in raised]})
    text = outdated.outdated_text(reports, buildout["buildout"]["directory"])
    return text + "".join(f"Raised {report.name} to {report.newest} in {target}.\n" for report in raised)


def cache_command(command_line: CommandLine) -> str:
    """``buildout cache info [--json]``, ``buildout cache prune [--days N] [--not-locked]``."""
    from zc.buildout.report import cache  # start-up: only this command needs it
    from zc.buildout.report.arguments import CommandArguments  # start-up: only report commands need it

    arguments = CommandArguments.parse("cache", command_line.args, flags=("--json", "--not-locked"),
                                       options=("--days",))
    if arguments.names not in (("info",), ("prune",)):
        raise UsageError("The cache command needs info or prune.",
                         hint="Use buildout cache info, or buildout cache prune --days N (or --not-locked).")
    buildout = _buildout(command_line)
    options = buildout["buildout"]
    download, extends = options.get("download-cache") or None, options.get("extends-cache") or None
    entries = cache.cache_entries(download, extends)
    directories = cache.cache_directories(download, extends)
    if arguments.names == ("info",):
        if arguments.json:
            return _json(cache.cache_document(entries, directories))
        return cache.cache_text(entries, directories)
    if arguments.json:
        raise UsageError("Only cache info writes JSON.")
    days = _days(arguments.values.get("--days"))
    lock = None
    if "--not-locked" in arguments.flags:
        lock = buildout.run.settings.lock
        if lock is None:
            raise UserError("cache prune --not-locked keeps what the lock file holds, but there is no lock-file.",
                            hint="Set the lock-file option of [buildout] and run buildout to write the lock.")
    elif days is None:
        raise UsageError("cache prune needs --days N, --not-locked, or both.")
    return cache.prune(entries, download, days=days, lock=lock).text()


def _days(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        days = float(text)
    except ValueError:
        days = -1.0
    if not days >= 0:
        raise UsageError(f"--days wants a number of days, not {text!r}.")
    return days


def _graph(buildout: Buildout, parts: Sequence[str], *, everything: bool) -> Graph:
    from zc.buildout.report.graph import distribution_graph  # start-up: only report commands need it

    return distribution_graph(buildout, buildout.run.settings, parts, everything=everything)


def _json(document: Mapping[str, object]) -> str:
    from zc.buildout.report.documents import as_json  # start-up: only --json needs it

    return as_json(document)


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
