"""A ``pkg_resources`` for generated scripts: only what old-style namespace packages call.

A develop project that declares its namespace packages the old way runs
``__import__('pkg_resources').declare_namespace(__name__)`` in each
namespace ``__init__.py``. Recent setuptools has no ``pkg_resources``, and a
part's script sees nothing of buildout's environment, so buildout puts this
directory at the end of such a script's path (see
:func:`zc.buildout.run.pkgresources.namespace_support`). It imports nothing
but the standard library. Code that needs the rest of ``pkg_resources``
gets an error saying where to find it.
"""

from __future__ import annotations

import pkgutil
import sys
from typing import NoReturn

__all__ = ["declare_namespace"]


def declare_namespace(name: str) -> None:
    """Let the package ``name`` span every directory of that name on its parent's path."""
    module = sys.modules[name]
    module.__path__ = pkgutil.extend_path(list(module.__path__), name)


def __getattr__(attribute: str) -> NoReturn:
    raise AttributeError(
        f"pkg_resources.{attribute}: this script's pkg_resources only declares namespace packages;"
        " add a distribution that provides pkg_resources (setuptools < 81) to the part's eggs")
