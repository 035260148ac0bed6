"""Versions read without packaging's parser give packaging's answers."""

from __future__ import annotations

import itertools
import unittest

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from zc.buildout.dists.versions import canonical_key, plainly_allows, valid_version

CANONICAL = (
    "0", "0.9", "1", "1.0", "1.0.0", "1.0.0.0", "01.2", "1.0.1", "1.1", "2.0", "10.0", "2026.10.18",
    "1.0a1", "1.0a2", "1.0b1", "1.0rc1", "1.0rc10", "1.0.dev0", "1.0.dev3", "1.0a1.dev0",
    "1.0rc1.post1", "1.0.post1", "1.0.post1.dev0", "1.0.post2", "1.0.0.post1", "7.0.0.dev0", "7.0.0",
)
"""Versions in the form packaging writes them (but ``01.2``, which it reads alike)."""

OTHERS = ("1.0-rc1", "1.0RC1", "1.0c1", "1.0.a1", "1!1.0", "1.0+local", "v1.0", "1.0-1", "1.0_post1", "1.0rc",
          "1.0.post", "1.0dev-")
"""Valid versions in other forms: packaging reads them."""

INVALID = ("", "1..2", "1.", ".1", "1.\u00b2", "\u0661", "odd", "1.0rd1", "1.0.post.x", "1.0+")


class ValidVersionTests(unittest.TestCase):
    def test_as_packaging_reads_it(self) -> None:
        for text in CANONICAL + OTHERS + INVALID:
            with self.subTest(text=text):
                try:
                    Version(text)
                except InvalidVersion:
                    readable = False
                else:
                    readable = True
                self.assertEqual(valid_version(text), readable)


class CanonicalKeyTests(unittest.TestCase):
    def test_orders_as_packaging_does(self) -> None:
        for one, other in itertools.product(CANONICAL, repeat=2):
            with self.subTest(one=one, other=other):
                one_key, other_key = canonical_key(one), canonical_key(other)
                assert one_key is not None and other_key is not None
                self.assertEqual(one_key < other_key, Version(one) < Version(other))
                self.assertEqual(one_key == other_key, Version(one) == Version(other))

    def test_other_forms_are_left_to_packaging(self) -> None:
        for text in OTHERS + INVALID:
            with self.subTest(text=text):
                self.assertIsNone(canonical_key(text))


class PlainlyAllowsTests(unittest.TestCase):
    def test_as_the_specifier_set_does(self) -> None:
        pins = ("==1.0", "==1.0.0", "==1.0rc1", "==1.0.post1", "==7.0.0.dev0", "==1.0+local",
                ">=1.0", ">=1", ">=1.0a1", ">=1.0.post1", ">=1.0.dev0", ">=2.0.6", ">=7.0.0.dev0", ">=1!1.0")
        for pin, version in itertools.product(pins, CANONICAL + OTHERS + INVALID):
            with self.subTest(pin=pin, version=version):
                self.assertEqual(plainly_allows(pin, version),
                                 SpecifierSet(pin).contains(version, prereleases=True))

    def test_other_specifiers_are_left_to_packaging(self) -> None:
        for pin in (">=1,<2", "~=1.0", "==1.*", "!=1.0", ">=1.0+local", "===odd", "<2"):
            with self.subTest(pin=pin):
                self.assertIsNone(plainly_allows(pin, "1.0"))


if __name__ == "__main__":
    unittest.main()
