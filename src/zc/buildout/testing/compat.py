"""Upstream's doctest fixture for recipe authors: ``buildoutSetUp``, ``buildoutTearDown``, ``Buildout``.

``buildoutSetUp(test)`` makes the sample buildout upstream's recipe tests
expect: a temporary base directory (paths below its ``_TEST_`` directory
print as ``/sample-buildout/...`` through ``normalize_path``), ``HOME``
pointing nowhere, an empty directory as the default package index (so
nothing is fetched from the network), and ``_TEST_/sample-buildout`` with
``buildout.cfg``, ``bin/buildout`` (made by the ``bootstrap`` command),
``eggs``, ``develop-eggs`` and ``parts``, as the working directory. The
test's globals get the helpers of :mod:`zc.buildout.testing.files` and
:mod:`zc.buildout.testing.helpers`, and those below. ``buildoutTearDown(test)`` undoes it all.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import shutil
import tempfile
from collections.abc import Callable
from typing import Any

from zc.buildout.buildout import Buildout as _Buildout
from zc.buildout.config.options import Options
from zc.buildout.run import bootstrap, logsetup, state
from zc.buildout.testing import files, helpers
from zc.buildout.testing.installs import install
from zc.buildout.testing.server import LinkServer

__all__ = ["Buildout", "TestOptions", "buildoutSetUp", "buildoutTearDown"]


class TestOptions(Options):
    """A section of :class:`Buildout`: ``created()`` may be called at any time."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._created = []


class Buildout(_Buildout):
    """A buildout for unit-testing recipes, in the working directory, from the defaults only.

    ``b['part'] = {...}`` adds a section; recipes are never built for it, so
    the test passes ``b['part']`` to the recipe itself.
    """

    _options_class = TestOptions

    def __init__(self) -> None:
        for name in ("eggs", "parts"):
            os.makedirs(name, exist_ok=True)
        super().__init__(None, [("buildout", "directory", os.getcwd())], user_defaults=False)

    def _initialize_part(self, options: Options) -> None:
        """Sections are never parts here: no recipe is built."""


def _set_environ(stack: contextlib.ExitStack, name: str, value: str | None) -> None:
    old = os.environ.get(name)
    stack.callback(_restore_environ, name, old)
    _restore_environ(name, value)


def _restore_environ(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _build_tools() -> dict[str, str]:
    """setuptools and wheel, when this process has them: name to where they are imported from.

    Upstream's sample buildouts ran with setuptools (and wheel) beside
    buildout, also as installed distributions, and recipes' tests build
    ``setup.py`` projects and resolve requirements on setuptools offline in
    them; so the sample buildout gets the test's own copies.
    """
    tools = {}
    for name in ("setuptools", "wheel"):
        try:
            location = str(importlib.metadata.distribution(name).locate_file(""))
        except importlib.metadata.PackageNotFoundError:
            continue
        if os.path.basename(location) != "_vendor":  # setuptools' own copy of wheel is no distribution
            tools[name] = location
    return tools


def _bootstrap() -> None:
    """Run the ``bootstrap`` command in the working directory, quietly; provide the build tools."""
    tools = _build_tools()
    with logsetup.preserved():
        buildout = _Buildout("buildout.cfg", [("buildout", "log-level", "WARNING")], user_defaults=False)
        bootstrap.bootstrap(buildout, extra_paths=list(dict.fromkeys(tools.values())))
        for name in tools:
            install(name, buildout["buildout"]["eggs-directory"])


def buildoutSetUp(test: Any) -> None:
    """Make the sample buildout and the test's globals (module docstring)."""
    stack = contextlib.ExitStack()
    globs = test.globs
    globs["__tear_downs"] = stack

    def register_teardown(func: Callable[[], object]) -> None:
        stack.callback(func)

    base = os.path.realpath(tempfile.mkdtemp(prefix="buildoutSetUp"))
    register_teardown(lambda: shutil.rmtree(base, ignore_errors=True))
    stack.enter_context(logsetup.preserved())
    token = state.begin(state.Run.of_defaults())  # easy_install's settings never leak out
    register_teardown(lambda: state.end(token))
    _set_environ(stack, "HOME", os.path.join(base, "bbbBadHome"))
    _set_environ(stack, "BUILDOUT_HOME", None)
    _set_environ(stack, "XDG_CACHE_HOME", os.path.join(base, "cache"))  # eggs directories' state
    index = os.path.join(base, "index")
    os.mkdir(index)
    _set_environ(stack, "PIP_INDEX_URL", "file://" + index)
    _set_environ(stack, "buildout_testing_index_url", "file://" + index)
    tests = os.path.join(base, "_TEST_")
    sample = os.path.join(tests, "sample-buildout")
    os.makedirs(sample)
    stack.callback(os.chdir, os.getcwd())
    os.chdir(sample)
    files.write(sample, "buildout.cfg", "[buildout]\nparts =\n")
    _bootstrap()
    os.makedirs("develop-eggs", exist_ok=True)

    for module in (files, helpers):
        globs.update({name: getattr(module, name) for name in module.__all__})
    globs.update(_fixture_globals(stack, tests, register_teardown))
    globs.update(
        sample_buildout=sample,
        buildout=os.path.join(sample, "bin", "buildout"),
        join=os.path.join,
        os=os,
        register_teardown=register_teardown,
    )


def _fixture_globals(
    stack: contextlib.ExitStack, tests: str, register_teardown: Callable[[Callable[[], object]], None]
) -> dict[str, Any]:
    """``tmpdir``, ``cd``/``uncd`` and ``start_server``/``stop_server`` of one test."""
    directories: list[str] = []
    servers: dict[str, LinkServer] = {}

    def tmpdir(name: str) -> str:
        path = os.path.join(tests, name)
        os.mkdir(path)
        return path

    def cd(*path: str) -> None:
        directories.append(os.getcwd())
        os.chdir(os.path.join(*path))

    def uncd() -> None:
        os.chdir(directories.pop())

    def start_server(path: str) -> str:
        server = LinkServer(path).start()
        servers[server.localhost_url] = server
        register_teardown(server.stop)
        return server.localhost_url

    def stop_server(url: str, thread: object = None) -> None:
        server = servers.pop(url, None)
        if server is not None:
            server.stop()

    return {"tmpdir": tmpdir, "cd": cd, "uncd": uncd, "start_server": start_server, "stop_server": stop_server}


def buildoutTearDown(test: Any) -> None:
    """Undo :func:`buildoutSetUp`: directories, environment, logging, working directory."""
    test.globs["__tear_downs"].close()
