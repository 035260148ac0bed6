"""The process and build helpers of upstream's ``zc.buildout.testing``, for recipe authors' tests.

Recipe doctests call these as globals (``system``, ``sdist``,
``run_buildout``, ...) or import them with ``from zc.buildout.testing import
*``; their output formats are the ones those doctests expect. The file
helpers are in :mod:`zc.buildout.testing.files`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any, Literal

from zc.buildout import cli
from zc.buildout.dists.build.isolation import setuptools_environ
from zc.buildout.errors import UserError
from zc.buildout.testing.files import read
from zc.buildout.testing.sandbox import child_pythonpath

__all__ = [
    "bdist_egg",
    "bdist_wheel",
    "eqs",
    "get",
    "print_",
    "run_buildout",
    "run_buildout_in_process",
    "sdist",
    "system",
    "wait_until",
]

print_ = print
"""``print``, under the name doctests written for Python 2 and 3 alike use."""


def eqs(a: Any, *b: Any) -> tuple[set[Any], set[Any]] | None:
    """``None`` when ``a`` and ``b`` hold the same items, else what only each holds."""
    left, right = set(a), set(b)
    return None if left == right else (left - right, right - left)


def system(
    command: str | list[str], input: str = "", with_exit_code: bool = False, env: Mapping[str, str] | None = None
) -> str:
    """Run a command (a string through the shell, a list without); return its output, then its errors.

    As upstream's helper: what the command wrote to standard output comes
    first, what it wrote to standard error after it (doctests written for
    upstream expect that order), and ``with_exit_code`` appends
    ``EXIT CODE: n`` right after.
    """
    environ = dict(os.environ, TERM="dumb", **(env or {}))
    completed = subprocess.run(
        command, shell=isinstance(command, str), input=input, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=environ,
    )
    output = completed.stdout + completed.stderr
    if with_exit_code:
        output += f"EXIT CODE: {completed.returncode}"
    return output


def get(url: str) -> str:
    """The text at ``url``."""
    with urllib.request.urlopen(url) as response:
        return response.read().decode()  # type: ignore[no-any-return]


def wait_until(label: str, func: Callable[..., Any], *args: Any, timeout: float = 30, **kw: Any) -> None:
    """Poll ``func(*args, **kw)`` every 10 ms until it is true; ``ValueError`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not func(*args, **kw):
        if time.monotonic() > deadline:
            raise ValueError(f"Timed out waiting for: {label}")
        time.sleep(0.01)


def _build(kind: Literal["sdist", "wheel"], setup: str, dest: str) -> str:
    """Build ``kind`` (``sdist`` or ``wheel``) of the project of ``setup`` into ``dest``."""
    from build import ProjectBuilder  # only building needs pypa/build
    from pyproject_hooks import quiet_subprocess_runner  # only building needs pypa/build

    project = os.path.dirname(setup) if os.path.isfile(setup) else setup
    try:
        return ProjectBuilder(project, runner=quiet_subprocess_runner).build(kind, dest)
    finally:
        shutil.rmtree(os.path.join(project, "build"), ignore_errors=True)


def sdist(setup: str, dest: str) -> None:
    """Build an sdist of the project of ``setup`` (its directory or setup file) into ``dest``."""
    _build("sdist", setup, dest)


def bdist_wheel(setup: str, dest: str) -> None:
    """Build a wheel of the project of ``setup`` (its directory or setup file) into ``dest``."""
    _build("wheel", setup, dest)


def bdist_egg(setup: str, executable: str | None = None, dest: str | None = None) -> None:
    """Build a zipped egg of the ``setup.py`` project of ``setup`` (its directory or setup file) into ``dest``.

    Runs setuptools' ``bdist_egg`` on ``executable`` (this Python by
    default), with the setuptools of buildout's environment; the older
    form ``bdist_egg(setup, dest)`` works too. Its chatter is shown only
    when it fails.
    """
    if dest is None:
        executable, dest = None, executable
    if dest is None:
        raise TypeError("bdist_egg(setup, executable, dest) needs the directory to write the egg into.")
    script = setup if os.path.isfile(setup) else os.path.join(setup, "setup.py")
    project = os.path.dirname(os.path.abspath(script))
    completed = subprocess.run(
        [executable or sys.executable, os.path.basename(script), "-q", "bdist_egg", "-d", os.path.abspath(dest)],
        cwd=project, env=setuptools_environ(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    shutil.rmtree(os.path.join(project, "build"), ignore_errors=True)
    if completed.returncode:
        raise UserError(f"Couldn't build an egg of {project}:\n{completed.stdout}")


def run_buildout(command: str) -> int:
    """Run a ``buildout ...`` command line in this process, with ``HOME`` at ``./home``."""
    os.environ["HOME"] = os.path.join(os.getcwd(), "home")
    return cli.main(command.split()[1:])


def run_buildout_in_process(command: str = "buildout") -> None:
    """Run a ``buildout ...`` command line in a child process, output to the file ``out``.

    The run uses no index (only find-links); the output is printed when it
    fails or takes longer than 99 seconds.
    """
    args = command.split()[1:]
    argv = [sys.executable, "-m", "zc.buildout", "buildout:use-dependency-links=false",
            "buildout:index=" + os.path.join(os.getcwd(), "no-such-index"), *args]
    environ = dict(os.environ, HOME=os.path.join(os.getcwd(), "home"), PYTHONPATH=child_pythonpath())
    with open("out", "w", encoding="utf-8") as out:
        try:
            completed = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, env=environ, timeout=99)
            failed = completed.returncode != 0
        except subprocess.TimeoutExpired:
            failed = True
    if failed:
        print(read("out"), end="")
