"""``zc.buildout.rmtree``: remove a directory tree even where it holds read-only files.

Upstream's module; recipes (SlapOS's among them) import ``rmtree`` from it.
"""

from zc.buildout.files.trees import remove_tree as rmtree

__all__ = ["rmtree"]
