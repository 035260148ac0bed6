"""``zc.recipe.egg``: Buildout recipes that install distributions and generate their scripts.

Entry points (group ``zc.buildout``): ``default``, ``script`` and
``scripts`` are :class:`Scripts` (also importable as :class:`Egg`),
``eggs`` is :class:`Eggs`, ``custom`` is :class:`Custom` and ``develop`` is
:class:`Develop`.
"""

from zc.recipe.egg.custom import Custom, Develop
from zc.recipe.egg.egg import Egg, Eggs, Scripts

__all__ = ["Custom", "Develop", "Egg", "Eggs", "Scripts"]
