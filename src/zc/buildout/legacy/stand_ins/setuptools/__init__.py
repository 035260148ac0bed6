"""Buildout's stand-in for setuptools where none is installed: only ``archive_util``.

Upstream buildout always ran with setuptools, so some download recipes
(zc.recipe.cmmi among them) import ``setuptools.archive_util`` without
declaring setuptools. This package is found only when no real setuptools
is on ``sys.path`` (it sits beside buildout's ``pkg_resources``, at the end
of the path); it offers nothing else.
"""

__all__: list[str] = []
