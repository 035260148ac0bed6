"""The scripts of a working set: console scripts of named distributions, entry points, an interpreter.

:func:`generate` is what ``zc.buildout.easy_install.scripts`` and the
``zc.recipe.egg`` recipe do: every script gets the whole working set (and
any extra paths) on its ``sys.path``; the distributions named by
requirement strings contribute their ``console_scripts`` entry points,
``(name, module, attrs)`` tuples add scripts of their own, and ``names``
selects and renames them. Writing is :mod:`zc.buildout.run.scripts`' job.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Union

from zc.buildout.legacy.distribution import DEVELOP_DIST
from zc.buildout.legacy.requirement import Requirement
from zc.buildout.legacy.working_set import WorkingSet
from zc.buildout.run import scripts
from zc.buildout.run.pkgresources import namespace_support

__all__ = ["ScriptRequest", "console_entry_points", "file_scripts", "generate"]

logger = logging.getLogger("zc.buildout.easy_install")

ScriptRequest = Union[str, Sequence[str]]
"""A requirement string, or a ``(script name, module, attrs)`` triple."""


def console_entry_points(requests: Iterable[ScriptRequest], working_set: WorkingSet) -> list[tuple[str, str, str]]:
    """``(script name, module, attrs)`` for each request, in order.

    A requirement string stands for the ``console_scripts`` entry points of
    its distribution in ``working_set`` (none when its marker does not hold
    here); a triple stands for itself.
    """
    return [(name, module, attrs) for name, module, attrs, _ in _provided(requests, working_set)]


def _provided(
    requests: Iterable[ScriptRequest], working_set: WorkingSet
) -> list[tuple[str, str, str, str | None]]:
    """As :func:`console_entry_points`, each with the distribution providing it (``None``: a triple)."""
    if isinstance(requests, str):
        raise TypeError("Expected an iterable of requirements or entry points, got a string.")
    found: list[tuple[str, str, str, str | None]] = []
    for request in requests:
        if not isinstance(request, str):
            name, module, attrs = request
            found.append((name, module, attrs, None))
            continue
        requirement = Requirement(request)
        if not requirement.applies():
            continue
        dist = working_set.find(requirement)
        if dist is None:
            raise ValueError(f"No distribution for {request!r} in the working set.")
        for name, entry_point in sorted(dist.get_entry_map("console_scripts").items()):
            found.append((name, entry_point.module_name, ".".join(entry_point.attrs), str(dist)))
    return found


def file_scripts(requests: Iterable[ScriptRequest], working_set: WorkingSet) -> list[tuple[str, str]]:
    """``(name, path)`` of the script files the requested distributions ship.

    Old distributions install scripts as files (``setup(scripts=...)``),
    which a wheel carries in its ``.data/scripts`` directory (an old egg in
    ``EGG-INFO/scripts``).
    """
    found = []
    for request in requests:
        requirement = Requirement(request) if isinstance(request, str) else None
        dist = working_set.find(requirement) if requirement is not None and requirement.applies() else None
        if dist is None:
            continue
        directories = [*_wheel_scripts(dist.location), os.path.join(dist.location, "EGG-INFO", "scripts")]
        for directory in directories:
            for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else ():
                path = os.path.join(directory, name)
                if os.path.isfile(path) and not name.endswith(".exe"):
                    found.append((name, path))
    return found


def _wheel_scripts(location: str) -> list[str]:
    """The ``<name>.data/scripts`` directories in ``location``, in the order it lists them."""
    try:
        entries = os.listdir(location)
    except OSError:
        return []
    return [os.path.join(location, entry, "scripts") for entry in entries
            if os.path.normcase(entry).endswith(".data") and not entry.startswith(".")]


_FIRST_IMPORT = re.compile(r"^(?:import|from)\s+(?!__future__\b)", re.MULTILINE)


def file_script_template(text: str) -> str:
    """A shipped script as a template: our ``#!`` line, the path set up before its first import."""
    lines = text.splitlines(keepends=True)
    if lines and lines[0].startswith("#!"):
        lines = lines[1:]
    body = "".join(lines).replace("%", "%%")
    match = _FIRST_IMPORT.search(body)
    where = match.start() if match else 0
    header = "%(relative_paths_setup)s\nimport sys\nsys.path[0:0] = [\n  %(path)s,\n  ]\n%(initialization)s\n"
    return scripts.script_header + "\n" + body[:where] + header + body[where:]


def _selected(
    entry_points: Sequence[tuple[str, str, str, str | None]], names: Mapping[str, str] | None
) -> list[tuple[str, str, str]]:
    """The entry points to write, under their script names, one per script name.

    Where several provide the same script, an entry point given as a triple
    (the ``entry-points`` option) wins, else the first distribution in
    request order (the ``eggs`` order, then the working set's); a warning
    names both distributions.
    """
    wanted = [(names[name] if names is not None else name, module, attrs, origin)
              for name, module, attrs, origin in entry_points if names is None or name in names]
    winners: dict[str, str | None] = {}
    for script, module, attrs, origin in sorted(wanted, key=lambda entry: entry[3] is not None):
        if script not in winners:
            winners[script] = origin
        elif origin is not None and winners[script] not in (None, origin):
            logger.warning(
                "Both %s and %s provide the script '%s'; generating the one of %s."
                " An entry-points line names the one to generate, e.g. '%s=%s:%s'.",
                winners[script], origin, script, winners[script], script, module, attrs,
            )
    selected = []
    for script, module, attrs, origin in wanted:
        if script in winners and winners[script] == origin:
            selected.append((script, module, attrs))
            del winners[script]
    return selected


def _warn_unknown(
    entry_points: Sequence[tuple[str, str, str, str | None]], names: Mapping[str, str] | None
) -> None:
    """Warn about the script names no entry point has."""
    known = {entry[0] for entry in entry_points}
    for name, target in (names or {}).items():
        if name in known:
            continue
        if name == target:
            logger.warning("Could not generate script '%s' as it is not defined in the egg entry points.", name)
        else:
            logger.warning(
                "Could not generate script '%s' as script '%s' is not defined in the egg entry points.",
                target, name,
            )


def generate(
    requests: Iterable[ScriptRequest],
    working_set: WorkingSet,
    *,
    executable: str,
    dest: str,
    names: Mapping[str, str] | None = None,
    extra_paths: Iterable[str] = (),
    arguments: str = "",
    interpreter: str | None = None,
    initialization: str = "",
    relative_to: str | None = None,
    template: str | None = None,
    include_site_packages: bool = False,
) -> list[str]:
    """Write the scripts into ``dest``; return every script's path, changed or not.

    ``names`` maps entry-point names to script names; when given, only
    those scripts are written. ``template`` replaces
    :data:`zc.buildout.run.scripts.script_template` for console scripts.
    The scripts are isolated from the interpreter's site-packages unless
    ``include_site_packages``.
    """
    entry_points = _provided(requests, working_set)
    path = scripts.baked_path([dist.location for dist in working_set], extra_paths)
    path += namespace_support(path, [dist.location for dist in working_set if dist.precedence == DEVELOP_DIST])
    generated = []
    for name, module, attrs in _selected(entry_points, names):
        script = os.path.join(dest, name)
        scripts.console_script(
            script, module, attrs, path=path, executable=executable,
            initialization=initialization, arguments=arguments,
            relative_to=relative_to, template=template, include_site_packages=include_site_packages,
        )
        generated.append(script)
    shipped = file_scripts(requests, working_set)
    for name, source in shipped:
        if names is not None and name not in names:
            continue
        script = os.path.join(dest, names[name] if names is not None else name)
        with open(source, encoding="utf-8") as file:
            shipped_template = file_script_template(file.read())
        # The shipped script is the template: it names no module or function to call.
        scripts.console_script(
            script, "", "", path=path, executable=executable, initialization=initialization,
            relative_to=relative_to, template=shipped_template, include_site_packages=include_site_packages,
        )
        generated.append(script)
    _warn_unknown([*entry_points, *((name, "", "", None) for name, _ in shipped)], names)
    if interpreter:
        script = os.path.join(dest, interpreter)
        scripts.interpreter_script(
            script, path=path, executable=executable,
            initialization=initialization, relative_to=relative_to,
            include_site_packages=include_site_packages,
        )
        generated.append(script)
    return generated
