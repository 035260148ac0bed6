"""Console scripts and interpreter scripts with their ``sys.path`` baked in.

A generated script starts with ``#!<executable>``, optionally computes
``base`` from its own real location (``relative_to``), prepends the baked-in
path entries to ``sys.path``, runs the ``initialization`` code, then either
calls ``module.attrs(arguments)`` (a console script) or behaves like a small
``python`` command (an interpreter). Scripts are rewritten only when their
text changes.

The templates are module-level strings read when a script is generated, so
callers may pass their own (``zc.buildout.easy_install.script_template`` is
replaced temporarily by some recipes); they are ``%``-formatted with
``python``, ``relative_paths_setup``, ``path``, ``initialization`` and, for
console scripts, ``module_name``, ``attrs`` and ``arguments``.

A script is isolated unless asked otherwise: its ``#!`` line starts the
interpreter with ``-S``, so Python's ``site`` module never runs and no
site-packages (a virtual environment's, the user's, Debian's
``dist-packages``) nor their ``.pth`` files reach ``sys.path``; the standard
library and its extension modules are on it without ``site``. The flag is
part of ``python``, so templates recipes bring along get it too.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence

from zc.buildout.errors import UserError
from zc.buildout.files.text import write_text

__all__ = [
    "baked_path",
    "console_script",
    "interpreter_script",
    "interpreter_template",
    "real_paths",
    "relative_paths_setup",
    "relativize",
    "safe_arg",
    "script_header",
    "script_template",
    "write_script",
]

logger = logging.getLogger("zc.buildout")

script_header = "#!%(python)s"

script_template = script_header + """
%(relative_paths_setup)s
import sys
sys.path[0:0] = [
  %(path)s,
  ]
%(initialization)s
import %(module_name)s

if __name__ == '__main__':
    sys.exit(%(module_name)s.%(attrs)s(%(arguments)s))
"""

relative_paths_setup = """
import os

join = os.path.join
base = os.path.dirname(os.path.abspath(os.path.realpath(__file__)))
"""

# What follows the path header in an interpreter: a small ``python`` command
# (``-c``, ``-m``, ``-i``, ``-I``, a script file and its arguments).
interpreter_template = script_header + """
%(relative_paths_setup)s
import sys
sys.path[0:0] = [
  %(path)s,
  ]
%(initialization)s

def _interpret(args):
    namespace = globals()
    interactive = not args
    while args and args[0].startswith('-') and args[0] != '-':
        option = args.pop(0)
        if option == '--':
            break
        for index, flag in enumerate(option[1:], 2):
            if flag == 'i':
                interactive = True
            elif flag == 'I':
                pass  # isolated: the path is fixed by this script anyway
            elif flag in 'cm':
                value = option[index:] or (args.pop(0) if args else None)
                if value is None:
                    sys.exit('Argument expected for the -%%s option' %% flag)
                if flag == 'c':
                    sys.argv[:] = ['-c'] + args
                    exec(compile(value, '<string>', 'exec'), namespace)
                else:
                    sys.argv[:] = [value] + args
                    __import__('runpy').run_module(
                        value, run_name='__main__', alter_sys=True)
                args = []
                break
            else:
                sys.exit('Unknown option: -%%s\\n'
                         'usage: %%s [-i] [-c cmd | -m mod | file] [arg] ...'
                         %% (flag, sys.argv[0]))
    if args and args[0] == '-':
        sys.argv[:] = args
        exec(compile(sys.stdin.read(), '<stdin>', 'exec'), namespace)
    elif args:
        sys.argv[:] = args
        namespace = __import__('runpy').run_path(args[0], run_name='__main__')
    if interactive:
        if sys.flags.no_site:
            import site  # without site's start-up (-S) this only defines names
            site.setquit()
            site.sethelper()
        try:
            import readline
        except ImportError:
            pass
        __import__('code').interact(banner='', local=namespace, exitmsg='')

if __name__ == '__main__':
    _interpret(sys.argv[1:])
"""


def safe_arg(arg: str) -> str:
    """``arg`` as it must appear on a ``#!`` line (quoted on Windows when it has spaces)."""
    if os.name == "nt" and " " in arg and not arg.startswith('"'):
        return f'"{arg}"'
    return arg


def baked_path(locations: Iterable[str], extra_paths: Iterable[str] = ()) -> list[str]:
    """The entries a script puts on ``sys.path``, real and without repeats.

    Distribution locations first, then the paths named by ``.pth`` files in
    those locations (lines that are not comments or ``import`` statements,
    relative to the location), then ``extra_paths``.
    """
    real = real_paths(locations)
    from_pth = [entry for location in real for entry in _pth_entries(location)]
    extra = real_paths(extra_paths)
    return list(dict.fromkeys(real + from_pth + extra))


def real_paths(paths: Iterable[str]) -> list[str]:
    """``os.path.realpath`` of each of ``paths``.

    Paths in one directory (the eggs directory's distributions) have that
    directory resolved once: then only their last component can be a link,
    which saves looking at every component of every path. Where many are in
    one directory, its links are found by listing it once.
    """
    paths = list(paths)
    in_directory: dict[str, int] = {}
    for path in paths:
        directory = os.path.dirname(path)
        in_directory[directory] = in_directory.get(directory, 0) + 1
    real_directories: dict[str, tuple[str, set[str] | None]] = {}
    result = []
    for path in paths:
        directory, name = os.path.split(path)
        if os.name != "posix" or not os.path.isabs(path) or os.path.normpath(path) != path or not name:
            result.append(os.path.realpath(path))
            continue
        known = real_directories.get(directory)
        if known is None:
            real_directory = os.path.realpath(directory)
            many = in_directory[directory] > _LISTED
            known = real_directories[directory] = (real_directory, _links(real_directory) if many else None)
        real_directory, links = known
        joined = os.path.join(real_directory, name)
        is_link = os.path.islink(joined) if links is None else name in links
        result.append(os.path.realpath(joined) if is_link else joined)
    return result


_LISTED = 8
"""Above this many paths in one directory, listing it is cheaper than looking at each."""


def _links(directory: str) -> set[str] | None:
    """The names of the symbolic links in ``directory`` (``None`` if it cannot be listed)."""
    try:
        with os.scandir(directory) as entries:
            return {entry.name for entry in entries if entry.is_symlink()}
    except OSError:
        return None


def _pth_entries(location: str) -> list[str]:
    try:
        names = sorted(os.listdir(location))
    except OSError:  # not a directory (a zipped egg, say), or gone
        return []
    entries = []
    for name in names:
        if not name.endswith(".pth"):
            continue
        with open(os.path.join(location, name), encoding="utf-8") as file:
            for line in file:
                line = line.strip()
                if line and not line.startswith(("#", "import ", "import\t")):
                    path = os.path.realpath(os.path.join(location, line))
                    if os.path.exists(path):
                        entries.append(path)
    return entries


def relativize(path: str, script: str, base: str) -> str:
    """The Python expression for ``path`` in a script at ``script`` using ``base``.

    ``base`` itself is ``base``; a path inside it is ``join(base, 'rel/path')``;
    anything else stays an absolute string.
    """
    path, script, base = (os.path.normcase(os.path.abspath(p)) for p in (path, script, base))
    if path == script:
        raise ValueError(f"A script cannot have itself on its path: {path}")
    if path == base:
        return "base"
    relative = _inside(path, base)
    if relative is None:
        return repr(path)
    return f"join(base, {relative!r})"


def _inside(path: str, base: str) -> str | None:
    """``path`` relative to ``base`` with ``/`` separators, or ``None`` if outside."""
    try:
        relative = os.path.relpath(path, base)
    except ValueError:  # another drive on Windows
        return None
    if relative == os.curdir or relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return relative.replace(os.sep, "/")


def _path_and_setup(script: str, path: Sequence[str], relative_to: str | None) -> tuple[str, str]:
    """The ``path`` and ``relative_paths_setup`` template values."""
    if relative_to is None:
        entries = [repr(entry) for entry in path]
        setup = ""
    else:
        base = os.path.realpath(relative_to)
        # ``base`` is computed at run time from the script's real location.
        script_dir = os.path.realpath(os.path.dirname(os.path.abspath(script)))
        real_script = os.path.join(script_dir, os.path.basename(script))
        below = "" if script_dir == base else _inside(script_dir, base)
        if below is None:
            raise UserError(
                f"Cannot write {script!r} with paths relative to {relative_to!r}:"
                " the script is not inside that directory."
            )
        levels = len(below.split("/")) if below else 0
        entries = [relativize(entry, real_script, base) for entry in path]
        setup = relative_paths_setup + "base = os.path.dirname(base)\n" * levels
    return (",\n  ".join(entries) or "*()"), setup


_NO_SITE = "-S"
"""The interpreter option of an isolated script's ``#!`` line: start without ``site``."""


def _values(
    script: str,
    path: Sequence[str],
    executable: str,
    initialization: str,
    relative_to: str | None,
    include_site_packages: bool,
) -> dict[str, str]:
    spath, setup = _path_and_setup(script, path, relative_to)
    python = safe_arg(executable)
    return {
        "python": python if include_site_packages else f"{python} {_NO_SITE}",
        "relative_paths_setup": setup,
        "path": spath,
        "initialization": f"\n{initialization}\n" if initialization else "",
    }


def console_script(
    script: str,
    module: str,
    attrs: str,
    *,
    path: Sequence[str],
    executable: str,
    initialization: str = "",
    arguments: str = "",
    relative_to: str | None = None,
    template: str | None = None,
    include_site_packages: bool = False,
) -> bool:
    """Write the script ``script`` calling ``module.attrs(arguments)``; return whether it changed.

    With ``include_site_packages`` the interpreter starts as it usually
    does, its site-packages after the baked-in ``path``.
    """
    values = _values(script, path, executable, initialization, relative_to, include_site_packages)
    values.update(module_name=module, attrs=attrs, arguments=arguments)
    text = (script_template if template is None else template) % values
    changed = write_script(script, text)
    if changed:
        logger.info("Generated script %r.", script)
    return changed


def interpreter_script(
    script: str,
    *,
    path: Sequence[str],
    executable: str,
    initialization: str = "",
    relative_to: str | None = None,
    template: str | None = None,
    include_site_packages: bool = False,
) -> bool:
    """Write the interpreter ``script``; return whether it changed (``include_site_packages`` as above)."""
    values = _values(script, path, executable, initialization, relative_to, include_site_packages)
    text = (interpreter_template if template is None else template) % values
    changed = write_script(script, text)
    if changed:
        logger.info("Generated interpreter %r.", script)
    return changed


def write_script(script: str, text: str) -> bool:
    """Write ``text`` to ``script`` unless it already holds it; return whether it changed.

    See :func:`zc.buildout.files.text.write_text`; the mode is ``0o777`` less the umask.
    """
    return write_text(script, text, mode=0o777)
