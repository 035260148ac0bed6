"""Namespace packages that span old-style portions added to ``sys.path`` during a run.

Buildout's process imports ``zc`` (and often ``plone`` or ``collective``)
as a native namespace package before any develop project is on the path.
A develop project that still ships a ``pkg_resources``-style
``zc/__init__.py`` is a *regular* package portion, which Python's
namespace path never takes in: after it is added, neither its own modules
nor those of eggs added later would import. :func:`spread_namespaces`
gives such a namespace package an explicit ``__path__`` with every
portion on the path, old-style ones included, in ``sys.path`` order.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

__all__ = ["spread_namespaces"]


def spread_namespaces() -> None:
    """Extend each imported namespace package over the portions ``sys.path`` now holds, old-style too."""
    for name in sorted((name for name in sys.modules if _is_namespace(name)), key=lambda n: n.count(".")):
        module = sys.modules[name]
        parent, _, last = name.rpartition(".")
        parent_path: Sequence[str] = sys.path if not parent else getattr(sys.modules.get(parent), "__path__", ())
        found = [os.path.join(entry, last) for entry in parent_path
                 if isinstance(entry, str) and os.path.isdir(os.path.join(entry, last))]
        # Once explicit, a path no longer follows sys.path by itself: keep extending it.
        if isinstance(module.__path__, list) or any(
                os.path.isfile(os.path.join(portion, "__init__.py")) for portion in found):
            module.__path__ = list(dict.fromkeys([*found, *module.__path__]))


def _is_namespace(name: str) -> bool:
    module = sys.modules.get(name)
    spec = getattr(module, "__spec__", None)
    return spec is not None and spec.submodule_search_locations is not None and spec.origin in (None, "namespace")
