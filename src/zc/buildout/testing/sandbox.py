"""A throwaway buildout directory and the helpers docs pages use in it.

The file helpers (``write``, ``cat``, ``ls``, ...) are those of
:mod:`zc.buildout.testing.files`, which upstream-style recipe tests use too.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from typing import Any

from zc.buildout.run import logsetup, state
from zc.buildout.testing import files
from zc.buildout.testing.index import FakeIndex

__all__ = ["SANDBOX_PREFIX", "Sandbox", "buildout_command", "child_pythonpath"]

SANDBOX_PREFIX = "buildout-test-"


def child_pythonpath() -> str:
    """The import path of this process, as ``PYTHONPATH``: a child process finds zc.buildout.

    Tests may run from a script with its path baked in rather than from an
    environment, so the child gets the entries explicitly.
    """
    return os.pathsep.join(entry for entry in sys.path if entry and os.path.isdir(entry))


def buildout_command() -> list[str]:
    """The argv prefix that runs this buildout in a child process."""
    return [sys.executable, "-m", "zc.buildout"]


class Sandbox:
    """A temporary tree holding ``sample-buildout`` (the current directory).

    ``HOME`` points at a directory that does not exist, so no user defaults
    leak in; the user's cache (where buildout keeps the working state of
    eggs directories) is a directory of the tree, beside ``sample-buildout``. Everything is undone by :meth:`close`: the working directory
    and environment are restored and the tree is removed.
    """

    def __init__(self) -> None:
        self._cleanup = contextlib.ExitStack()
        self.root = os.path.realpath(tempfile.mkdtemp(prefix=SANDBOX_PREFIX))
        self._cleanup.callback(shutil.rmtree, self.root, ignore_errors=True)
        self.sample_buildout = os.path.join(self.root, "sample-buildout")
        self.home = os.path.join(self.root, "home")
        os.mkdir(self.sample_buildout)
        self._set_environ("HOME", self.home)
        self._set_environ("BUILDOUT_HOME", None)
        self._set_environ("XDG_CACHE_HOME", os.path.join(self.root, "cache"))
        # Without an index of its own, a buildout would use pip's default one
        # (the network): make the default an empty local index instead.
        no_index = os.path.join(self.root, "empty-index")
        os.mkdir(no_index)
        self._set_environ("PIP_INDEX_URL", pathlib.Path(no_index).as_uri() + "/")
        old_cwd = os.getcwd()
        self._cleanup.callback(os.chdir, old_cwd)
        os.chdir(self.sample_buildout)

        self._cleanup.enter_context(logsetup.preserved())
        # A run of its own, so that easy_install's settings never leak out.
        self._cleanup.callback(state.end, state.begin(state.Run.of_defaults()))

    def _set_environ(self, name: str, value: str | None) -> None:
        old = os.environ.get(name)
        self._cleanup.callback(_restore_environ, name, old)
        _restore_environ(name, value)

    def close(self) -> None:
        self._cleanup.close()

    def callback(self, func: Callable[..., object], *args: object) -> None:
        """Run ``func(*args)`` when the sandbox is closed (last in, first out)."""
        self._cleanup.callback(func, *args)

    def start_index(self, directory: str) -> FakeIndex:
        """Serve the distributions in ``directory`` as an index on 127.0.0.1 until closed."""
        index = FakeIndex(directory).start()
        self.callback(index.stop)
        return index

    def run(
        self,
        command: str,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> str:
        """Run a command line (in ``cwd``) and return what it printed (stdout and stderr).

        A leading ``buildout`` runs this buildout, a leading ``python`` the
        Python running the tests. A non-zero exit status is shown as a last
        line ``(exit status N)``.
        """
        argv = shlex.split(command)
        if argv and argv[0] == "buildout":
            argv = buildout_command() + argv[1:]
        elif argv and argv[0] == "python":
            argv = [sys.executable] + argv[1:]
        child_env = dict(os.environ, PYTHONPATH=child_pythonpath())
        child_env.update(env or {})
        completed = subprocess.run(
            argv,
            input=input,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=child_env,
            cwd=cwd,
        )
        output = completed.stdout
        if completed.returncode:
            output += f"(exit status {completed.returncode})\n"
        return output

    def globs(self) -> dict[str, Any]:
        """The names a docs page can use."""
        return {
            "sample_buildout": self.sample_buildout,
            "write": files.write,
            "read": files.read,
            "cat": files.cat,
            "ls": files.ls,
            "mkdir": files.mkdir,
            "remove": files.remove,
            "run": self.run,
            "start_index": self.start_index,
            "join": os.path.join,
        }


def _restore_environ(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
