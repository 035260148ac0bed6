"""The file helpers of docs pages and recipe authors' tests: ``write``, ``cat``, ``ls``, ...

One vocabulary: docs pages (:class:`~zc.buildout.testing.sandbox.Sandbox`)
and upstream-style doctests (``buildoutSetUp``, ``from zc.buildout.testing
import *``) call the same functions, which print what upstream's helpers
print. Paths are given in pieces, joined: ``write('parts', 'x.cfg', text)``.
"""

from __future__ import annotations

import os
import shutil

__all__ = ["cat", "clean_up_pyc", "clear_here", "ls", "mkdir", "read", "remove", "rmdir", "write"]

_EDITABLE_METADATA = (".dist-info", ".egg-info", ".pth")


def _hidden(name: str, everything: bool) -> bool:
    """What an editable install leaves in develop-eggs beside its ``.egg-link``, and byte code.

    Upstream's develop-eggs held ``.egg-link`` files only, and recipe tests
    list it expecting just those; ``BUILDOUT_TESTING_SHOW_PEP660=1`` shows all.
    """
    if everything or os.environ.get("BUILDOUT_TESTING_SHOW_PEP660") == "1":
        return False
    return name.endswith(_EDITABLE_METADATA) or name.startswith("__editable__") or name == "__pycache__"


def ls(*path: str, lowercase_and_sort_output: bool = False, everything: bool = False) -> None:
    """Print a directory's entries, sorted: ``d  name`` (directory, or a link to one), ``l  name`` (other link), ``-  name``.

    The directory defaults to the working directory. An editable install's
    metadata and byte code are left out unless ``everything``.
    """
    directory = os.path.join(*path) if path else "."
    names = [name for name in os.listdir(directory) if not _hidden(name, everything)]
    if lowercase_and_sort_output:
        names = [name.lower() for name in names]
    for name in sorted(names):
        full = os.path.join(directory, name)
        # As upstream's: a link to a directory is a directory, other links are links.
        kind = "d" if os.path.isdir(full) else "l" if os.path.islink(full) else "-"
        print(f"{kind}  {name}")


def read(path: str = "out", *rest: str) -> str:
    """A file's text (by default ``out``, where ``run_buildout_in_process`` writes)."""
    with open(os.path.join(path, *rest), encoding="utf-8") as file:
        return file.read()


def cat(*path: str) -> None:
    """Print a file's text."""
    print(read(*path), end="")


def write(*path_and_text: str) -> None:
    """Write the last argument to the file named by the others (making its directory), on disk at once."""
    *parts, text = path_and_text
    path = os.path.join(*parts)
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())


def mkdir(*path: str) -> None:
    """Make a directory (and those above it)."""
    os.makedirs(os.path.join(*path))


def remove(*path: str) -> None:
    """Remove a file or a whole tree."""
    target = os.path.join(*path)
    if os.path.isdir(target) and not os.path.islink(target):
        shutil.rmtree(target)
    else:
        os.remove(target)


def rmdir(*path: str) -> None:
    """Remove a whole tree."""
    shutil.rmtree(os.path.join(*path))


def clear_here() -> None:
    """Remove everything in the working directory."""
    for name in os.listdir("."):
        remove(name)


def clean_up_pyc(*path: str) -> None:
    """Remove a module's compiled files, so that a rewritten module is imported afresh."""
    module = os.path.join(*path)
    base = os.path.splitext(os.path.basename(module))[0]
    cache = os.path.join(os.path.dirname(module), "__pycache__")
    for name in os.listdir(cache) if os.path.isdir(cache) else ():
        if name.split(".")[0] == base:
            os.remove(os.path.join(cache, name))
    if os.path.exists(module + "c"):
        os.remove(module + "c")
