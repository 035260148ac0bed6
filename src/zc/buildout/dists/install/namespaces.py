"""Legacy namespace packages: the ``__init__.py`` files that only declare one.

Such a file (``pkg_resources.declare_namespace`` or ``pkgutil.extend_path``)
is left out when an egg is made, so that the package becomes a native
namespace, unless its directory holds other modules.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable

__all__ = ["is_namespace_declaration", "namespace_inits"]


def is_namespace_declaration(text: str) -> bool:
    """A pkg_resources or pkgutil style namespace ``__init__.py``."""
    meaningful = [
        line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")
    ]
    joined = "\n".join(meaningful)
    return len(meaningful) <= 6 and (
        ("pkg_resources" in joined and "declare_namespace" in joined)
        or ("pkgutil" in joined and "extend_path" in joined)
    )


def namespace_inits(names: Iterable[str], read: Callable[[str], str]) -> set[str]:
    """Archive paths of legacy namespace ``__init__.py`` files and ``-nspkg.pth`` files.

    A namespace ``__init__.py`` is dropped only when its directory holds no
    other module.
    """
    modules: dict[str, list[str]] = {}
    found = set()
    for name in names:
        if name.endswith(".py"):
            modules.setdefault(posixpath.dirname(name), []).append(posixpath.basename(name))
        elif "/" not in name and name.endswith("-nspkg.pth"):
            found.add(name)
    for directory, files in modules.items():
        init = f"{directory}/__init__.py"
        if directory and files == ["__init__.py"] and is_namespace_declaration(read(init)):
            found.add(init)
    return found
