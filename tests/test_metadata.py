"""Reading core metadata headers fast, as ``email`` and ``importlib.metadata`` would."""

from __future__ import annotations

import email.parser
import importlib.metadata
import pathlib
import unittest

from tests.builder_fixtures import ScratchTestCase
from zc.buildout.dists.metadata import Headers, InstalledMetadata, installed_distribution

METADATA = """\
Metadata-Version: 2.1
Name: Demo.Pkg
Version: 1.0
Summary: A demo
Keywords: one, two three
Classifier: Framework :: Buildout
Classifier: Programming Language :: Python
Requires-Dist: zope.interface
Requires-Dist: pytest ; extra == 'test'
Provides-Extra: test
License: ZPL
  continued on a second line

Demo.Pkg
========

Requires-Dist: not-a-header (this is the long description)
"""


class HeadersTests(unittest.TestCase):
    def test_as_the_email_parser_reads_them(self) -> None:
        ours = Headers.parse(METADATA)
        theirs = email.parser.HeaderParser().parsestr(METADATA)
        for name in ("Name", "version", "Summary", "Keywords"):
            self.assertEqual(ours[name], theirs[name])
        for name in ("Classifier", "requires-dist", "Provides-Extra"):
            self.assertEqual(ours.get_all(name), theirs.get_all(name))
        self.assertEqual(ours["License"], "ZPL\ncontinued on a second line")
        self.assertIsNone(ours.get("Home-page"))
        self.assertEqual(ours.get_all("Home-page", []), [])
        with self.assertRaises(KeyError):
            ours["Home-page"]
        self.assertIn("Name", ours)
        self.assertNotIn("Description", ours)
        self.assertEqual(len(ours), len(theirs))
        self.assertEqual(list(ours), list(theirs))

    def test_json(self) -> None:
        self.assertEqual(Headers.parse(METADATA).json, {
            "metadata_version": "2.1", "name": "Demo.Pkg", "version": "1.0", "summary": "A demo",
            "keywords": ["one", "two", "three"],
            "classifier": ["Framework :: Buildout", "Programming Language :: Python"],
            "requires_dist": ["zope.interface", "pytest ; extra == 'test'"],
            "provides_extra": ["test"], "license": "ZPL\ncontinued on a second line",
        })


class InstalledMetadataTests(ScratchTestCase):
    def test_an_importlib_metadata_distribution_reading_headers_once(self) -> None:
        info = pathlib.Path(self.path("Demo.Pkg-1.0.dist-info"))
        info.mkdir()
        (info / "METADATA").write_text(METADATA)
        (info / "entry_points.txt").write_text("[console_scripts]\ndemo = demo:main\n")
        dist = InstalledMetadata(info)
        self.assertEqual((dist.name, dist.version), ("Demo.Pkg", "1.0"))
        self.assertEqual(dist.requires, ["zope.interface", "pytest ; extra == 'test'"])
        self.assertEqual([point.name for point in dist.entry_points], ["demo"])
        self.assertIs(dist.metadata, dist.metadata)
        (info / "METADATA").write_text("Name: changed\n")
        self.assertEqual(dist.name, "Demo.Pkg")

    def test_installed_distribution_finds_what_importlib_metadata_finds(self) -> None:
        dist = installed_distribution("packaging")
        self.assertIsInstance(dist, InstalledMetadata)
        self.assertEqual(dist.version, importlib.metadata.version("packaging"))
        self.assertEqual(dist.read_text("RECORD"), importlib.metadata.distribution("packaging").read_text("RECORD"))
        with self.assertRaises(importlib.metadata.PackageNotFoundError):
            installed_distribution("no-such-distribution-here")
