"""Making ``import pkg_resources`` work for recipes, and for scripts, when setuptools provides none.

The same directory holds a stand-in ``setuptools`` offering only
``setuptools.archive_util``, for recipes that import it without declaring
setuptools; being last on ``sys.path``, it is found only when no real
setuptools is installed. A generated script gets a smaller stand-in, which
only declares namespaces and imports nothing but the standard library, at
the end of its path when one of its develop projects declares old-style
namespace packages, whose ``__init__.py`` imports ``pkg_resources``
(setuptools no longer ships it): the script stays isolated.

Buildout's own process imports ``zc`` (and often ``plone`` or
``collective``) as a native namespace package before any develop project
is on the path. An old-style portion (a ``zc/__init__.py`` calling
``declare_namespace``) is a regular package, which Python's namespace path
never takes in: after it is added, neither its modules nor those of eggs
added later would import. :func:`spread_namespaces` gives such a namespace
package an explicit ``__path__`` with every portion, old-style ones
included, in ``sys.path`` order.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterable, Sequence

__all__ = ["SCRIPT_STAND_INS", "STAND_INS", "ensure_pkg_resources", "namespace_support", "spread_namespaces"]

STAND_INS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "legacy", "stand_ins")
"""The directory holding buildout's ``pkg_resources`` and its ``setuptools`` stand-in (nothing else).

A path, not an import: the stand-ins are the compatibility layer's
(:mod:`zc.buildout.legacy`), imported by recipes under their top-level names.
"""

SCRIPT_STAND_INS = os.path.join(os.path.dirname(STAND_INS), "script_stand_ins")
"""The directory of the ``pkg_resources`` generated scripts may get: namespace declarations only."""


def ensure_pkg_resources() -> bool:
    """Put buildout's ``pkg_resources`` on ``sys.path`` if no other can be imported.

    Returns whether it did. A real ``pkg_resources`` (from setuptools) is
    always left alone. The engine calls this before loading recipes.
    """
    if importlib.util.find_spec("pkg_resources") is not None:
        return False
    if STAND_INS not in sys.path:
        sys.path.append(STAND_INS)
    return True


def namespace_support(path: Sequence[str], develop_locations: Iterable[str]) -> list[str]:
    """What a script whose ``sys.path`` is ``path`` needs appended to import its old-style namespaces.

    Nothing unless a develop project (at ``develop_locations``) has a
    ``pkg_resources``-style namespace ``__init__.py`` and nothing on
    ``path`` provides ``pkg_resources``; then :data:`SCRIPT_STAND_INS`, whose
    ``pkg_resources`` declares namespaces and imports only the standard library.
    """
    develop_locations = list(develop_locations)
    if not develop_locations:
        return []  # the usual case, decided without reading any file
    from zc.buildout.dists.install.namespaces import is_namespace_declaration  # start-up: develop only

    if not any(_declares_namespaces(location, is_namespace_declaration) for location in develop_locations):
        return []
    if any(os.path.exists(os.path.join(entry, "pkg_resources")) for entry in path):
        return []
    return [] if SCRIPT_STAND_INS in path else [SCRIPT_STAND_INS]


def _declares_namespaces(location: str, is_declaration: Callable[[str], bool]) -> bool:
    try:
        children = os.listdir(location)
    except OSError:
        return False
    for child in children:
        init = os.path.join(location, child, "__init__.py")
        if os.path.isfile(init):
            with open(init, encoding="utf-8", errors="replace") as file:
                if is_declaration(file.read(4096)):
                    return True
    return False


def spread_namespaces() -> None:
    """Extend each imported namespace package over the portions ``sys.path`` now holds, old-style too."""
    for name in sorted((name for name in sys.modules if _is_namespace(name)), key=lambda n: n.count(".")):
        module = sys.modules[name]
        parent, _, last = name.rpartition(".")
        parent_path: Sequence[str] = sys.path if not parent else getattr(sys.modules.get(parent), "__path__", ())
        found = [os.path.join(entry, last) for entry in parent_path
                 if isinstance(entry, str) and os.path.isdir(os.path.join(entry, last))]
        old_style = any(os.path.isfile(os.path.join(portion, "__init__.py")) for portion in found)
        if old_style:
            ensure_pkg_resources()  # the portion's __init__.py imports it
        # Once explicit, a path no longer follows sys.path by itself: keep extending it.
        if old_style or isinstance(module.__path__, list):
            module.__path__ = list(dict.fromkeys([*found, *module.__path__]))


def _is_namespace(name: str) -> bool:
    module = sys.modules.get(name)
    spec = getattr(module, "__spec__", None)
    return spec is not None and spec.submodule_search_locations is not None and spec.origin in (None, "namespace")
