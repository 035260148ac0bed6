"""Making ``import pkg_resources`` work for recipes when setuptools provides none.

The same directory holds a stand-in ``setuptools`` offering only
``setuptools.archive_util``, for recipes that import it without declaring
setuptools; being last on ``sys.path``, it is found only when no real
setuptools is installed.
"""

from __future__ import annotations

import importlib.util
import os
import sys

__all__ = ["STAND_INS", "ensure_pkg_resources"]

STAND_INS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "legacy", "stand_ins")
"""The directory holding buildout's ``pkg_resources`` and its ``setuptools`` stand-in (nothing else).

A path, not an import: the stand-ins are the compatibility layer's
(:mod:`zc.buildout.legacy`), imported by recipes under their top-level names.
"""


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
