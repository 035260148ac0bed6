"""The command line: argv -> command; the only module that prints errors or exits.

Grammar: ``buildout [options] [assignments] [command [command-args...]]``.
Options and assignments may be interleaved; the first argument that is
neither an option (``-x``) nor an assignment (``[section:]option[+-]=value``)
is the command, and everything after it belongs to the command.
"""

from __future__ import annotations

import atexit
import gc
import logging
import sys
import traceback
from collections.abc import Callable, Sequence

import zc.buildout
from zc.buildout import commands
from zc.buildout.commands import CommandLine
from zc.buildout.errors import UsageError, UserError, current_doing, notes
from zc.buildout.net.timeouts import socket_timeout

__all__ = ["COLLECTION_THRESHOLDS", "COMMANDS", "main", "parse_command_line"]

COLLECTION_THRESHOLDS = (100_000, 20, 100)
"""The garbage collector's thresholds in a run (:func:`gc.set_threshold`).

A run makes hundreds of thousands of objects that live until it ends or
until reference counting frees them (decoded index pages, metadata, the
configuration), and hardly any cycles. With Python's default (a
collection every 700 new containers, a full one every 70,000) the
collector went through them again and again: 40 ms of a cold run of 68
distributions, where a run with these thresholds makes none once they
are set. The worker processes of an installation take the thresholds of the
process that starts them.
"""

USAGE = """\
Usage: buildout [options] [assignments] [command [command arguments]]

Options:

  -c config_file

    Read the configuration from config_file, a path or a URL, instead of
    buildout.cfg in the current directory.

  -D

    Start the post-mortem debugger when an error occurs: handy when a
    recipe fails.

  -h, --help

    Show this help and exit.

  -N

    Do not look for newer distributions than those installed when they
    meet the requirements (the assignment buildout:newest=false).

  -n

    Look for newer distributions (buildout:newest=true).

  -o

    Work offline: download nothing (buildout:offline=true).

  -O

    Work online (buildout:offline=false).

  -q

    Show less output. Repeat it for even less.

  -t seconds

    Give up on a network connection after this many seconds
    (buildout:socket-timeout).

  -U

    Do not read the user defaults (~/.buildout/default.cfg, or
    default.cfg in $BUILDOUT_HOME).

  -v

    Show more output. Repeat it for even more.

  --version

    Show buildout's version and exit.

  --locked

    Install only what the lock file holds (buildout:locked=true).

Assignments are of the form section:option=value and override the
configuration files; the section defaults to buildout. option+=value and
option-=value add and remove lines as they do in configuration files.

Options and assignments can come in any order.

Commands:

  install [parts]

    Install the parts of the configuration. This is the command when none
    is given. With part names, only those parts are installed or updated.

  bootstrap

    Create the buildout's directories and its bin/buildout script in the
    current directory.

  init [requirements]

    Write a starting buildout.cfg if there is none, then do what bootstrap
    does. With requirements, the configuration gets a "py" interpreter
    part that has them.

  setup path [arguments]

    Run a project's setup script (a setup.py or the directory holding
    it) with setuptools imported, so its commands are available.
    runsetup is the same command.

  annotate [sections] [--json]

    Show the merged configuration and where each value came from; with
    -v, each value's whole history.

  query [section:]option [--json]

    Show one option's value as configured.

  why name[==version] [--json]

    Show every path from a part, recipe, extension or develop project to
    that distribution, and where its version comes from.

  graph [parts] [--format text|dot] [--json]

    Show the distribution tree of each installed part.

  outdated [--update-versions file] [--json]

    Show the pins the index has newer versions for; with
    --update-versions, raise those it can in that file.

  cache info [--json]
  cache prune [--days n] [--not-locked]

    Show what the download, egg and extends caches hold; remove entries
    unused for n days, or not in the lock.

  export-lock files

    Write the lock (the lock-file option) as each file asks:
    pylock.toml or pylock.<name>.toml (PEP 751), or a pip constraints
    file for names ending in .txt.
"""

# Single-letter flags that take no value and may be clustered (-vvN).
_FLAGS = frozenset("vqhUoOnND")
# Flags that take a value: glued (-cfile.cfg) or the next argument.
_VALUE_FLAGS = frozenset("ct")

COMMANDS: dict[str, Callable[[CommandLine], str | None]] = {
    "install": commands.install_command,
    "init": commands.init_command,
    "bootstrap": commands.bootstrap_command,
    "annotate": commands.annotate_command,
    "query": commands.query_command,
    "export-lock": commands.export_lock_command,
    "why": commands.why_command,
    "graph": commands.graph_command,
    "outdated": commands.outdated_command,
    "cache": commands.cache_command,
    "setup": commands.setup_command,
    "runsetup": commands.setup_command,
}
"""Command name -> the function of :mod:`zc.buildout.commands` that runs it.

A command returns the text it reports (printed here, on standard output) or
``None`` when everything it has to say goes through logging.
"""


def _parse_assignment(text: str) -> tuple[str, str, str]:
    """``[section:]option[+|-]=value``; the section defaults to ``buildout``."""
    name, value = text.split("=", 1)
    name = name.strip()
    if name.count(":") > 1:
        raise UsageError(f"Invalid option: {name}")
    section, _, option = name.rpartition(":")
    section = section.strip() or "buildout"
    option = option.strip()
    if option.endswith(("+", "-")):
        option = option[:-1].rstrip() + option[-1]
    if not option.rstrip("+-"):
        raise UsageError(f"Invalid assignment: {text}")
    return section, option, value.strip()


def parse_command_line(argv: Sequence[str]) -> CommandLine:
    """Parse ``argv`` (without the program name); raise :class:`UsageError`."""
    fields: dict[str, object] = {}
    assignments: list[tuple[str, str, str]] = []
    verbosity = 0
    index = 0

    def value_after(letter: str, glued: str) -> str:
        nonlocal index
        if glued:
            return glued
        index += 1
        if index >= len(argv):
            what = "file name" if letter == "c" else "timeout value"
            raise UsageError(f"No {what} specified for option -{letter}")
        return argv[index]

    while index < len(argv):
        arg = argv[index]
        if arg in ("--help",):
            fields["show_help"] = True
        elif arg == "--version":
            fields["show_version"] = True
        elif arg == "--locked":
            assignments.append(("buildout", "locked", "true"))
        elif arg.startswith("--"):
            raise UsageError(f"Invalid option {arg}")
        elif arg.startswith("-") and len(arg) > 1:
            letters = arg[1:]
            for position, letter in enumerate(letters):
                if letter in _VALUE_FLAGS:
                    value = value_after(letter, letters[position + 1 :])
                    if letter == "c":
                        fields["config_file"] = value
                    else:
                        if not value.isdigit():
                            raise UsageError(f"Timeout value must be numeric: {value}")
                        try:
                            socket_timeout(value)
                        except UserError as error:
                            raise UsageError(*error.args, hint=error.hint) from None
                        assignments.append(("buildout", "socket-timeout", value))
                    break
                if letter not in _FLAGS:
                    raise UsageError(f"Invalid option -{letter}")
                if letter == "v":
                    verbosity += 10
                elif letter == "q":
                    verbosity -= 10
                elif letter == "h":
                    fields["show_help"] = True
                elif letter == "U":
                    fields["use_user_defaults"] = False
                elif letter == "D":
                    fields["debug"] = True
                else:
                    option, value = {
                        "o": ("offline", "true"),
                        "O": ("offline", "false"),
                        "n": ("newest", "true"),
                        "N": ("newest", "false"),
                    }[letter]
                    assignments.append(("buildout", option, value))
        elif "=" in arg:
            assignments.append(_parse_assignment(arg))
        else:
            if arg not in COMMANDS:
                raise UsageError(f"invalid command: {arg}")
            fields["command"] = arg
            fields["args"] = tuple(argv[index + 1 :])
            break
        index += 1

    if verbosity:
        assignments.append(("buildout", "verbosity", str(verbosity)))
    return CommandLine(assignments=tuple(assignments), verbosity=verbosity, **fields)  # type: ignore[arg-type]


def _report(error: BaseException) -> None:
    doing = current_doing(error)
    if doing:
        print("While:", file=sys.stderr)
        for activity in doing:
            print(f"  {activity}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run buildout with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    gc.set_threshold(*COLLECTION_THRESHOLDS)
    _freeze_at_exit()
    try:
        command_line = parse_command_line(sys.argv[1:] if argv is None else argv)
    except UsageError as error:
        print(_redacted(f"Error: {error}"), file=sys.stderr)
        return 1
    if command_line.show_help:
        print(USAGE, end="")
        return 0
    if command_line.show_version:
        print(f"buildout version {zc.buildout.__version__}")
        return 0

    try:
        report = COMMANDS[command_line.command](command_line)
    except Exception as error:
        return _failed(error, command_line.debug)
    except KeyboardInterrupt as error:
        return _failed(error, command_line.debug)
    finally:
        logging.shutdown()
    if report:
        print(_redacted(report), end="")
    return 0


def _freeze_at_exit() -> None:
    """Have the objects still alive at exit frozen (:func:`gc.freeze`), once per process.

    Finishing, the interpreter collects garbage several times as it clears
    its modules, each time going through every object left: 6 ms of a
    no-op's 65. Frozen, the collector leaves them alone, and the end of the
    process frees their memory. Reference counting still frees what is not
    in a cycle, as modules are cleared: only cycles left at exit are not
    finalized, which Python never promised to do.
    """
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


def _failed(error: BaseException, debug: bool) -> int:
    """Report ``error`` on standard error; return the exit status."""
    sys.stdout.flush()
    _report(error)
    status = _reported(error, debug)
    for note in notes(error):
        print(note, file=sys.stderr)
    return status


def _reported(error: BaseException, debug: bool) -> int:
    """Print ``error`` itself (a traceback for a bug); return the exit status."""
    if debug:
        traceback.print_exception(error)
        print("Starting pdb:", file=sys.stderr)
        import pdb  # only -D starts the debugger

        pdb.post_mortem(error.__traceback__)
        return 1
    if isinstance(error, KeyboardInterrupt):
        print("Interrupted.", file=sys.stderr)
        return 130
    if isinstance(error, UserError):
        print(_redacted(f"Error: {error}"), file=sys.stderr)
        return 1
    # Upstream's banner, word for word: recipe authors' tests expect it.
    print("\nAn internal error occurred due to a bug in either zc.buildout or in a\nrecipe being used:",
          file=sys.stderr)
    traceback.print_exception(error)
    return 1


def _redacted(text: str) -> str:
    """``text`` with the passwords of the URLs in it shown as ``****``."""
    from zc.buildout.net.credentials import redact_url  # start-up: only errors and reports are shown so

    return redact_url(text)
