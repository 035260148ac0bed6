"""docs/internals/architecture.rst names modules that exist, and every stage package."""

from __future__ import annotations

import importlib
import importlib.util
import pathlib
import re
import unittest

from tests.test_layout import PACKAGE, STAGES

PAGE = pathlib.Path(__file__).resolve().parent.parent / "docs" / "internals" / "architecture.rst"
_NAME = re.compile(r"``(zc\.buildout(?:\.\w+)*)")


def named_on_the_page() -> list[str]:
    return sorted(set(_NAME.findall(PAGE.read_text(encoding="utf-8"))))


def _importable(dotted: str) -> bool:
    """``dotted`` is a module, or an attribute of one (``zc.buildout.run.state.Run``)."""
    if dotted.endswith(".__main__"):  # importing it would run the command line
        return importlib.util.find_spec(dotted) is not None
    module, attributes = dotted, []
    while module:
        try:
            found: object = importlib.import_module(module)
        except ModuleNotFoundError:
            module, _, attribute = module.rpartition(".")
            attributes.insert(0, attribute)
            continue
        for attribute in attributes:
            if not hasattr(found, attribute):
                return False
            found = getattr(found, attribute)
        return True
    return False


class ArchitecturePageTests(unittest.TestCase):
    def test_every_name_on_the_page_imports(self) -> None:
        names = named_on_the_page()
        self.assertGreater(len(names), 30)
        self.assertEqual([name for name in names if not _importable(name)], [])

    def test_every_stage_is_on_the_page(self) -> None:
        packages = {
            "zc.buildout." + ".".join(init.parent.relative_to(PACKAGE).parts)
            for init in PACKAGE.rglob("__init__.py")
            if init.parent != PACKAGE and "stand_ins" not in init.parts
        }
        stages = {name for names in STAGES for name in names}
        self.assertEqual(sorted(packages - set(named_on_the_page())), [])
        self.assertEqual(sorted(stages - set(named_on_the_page())), [])
