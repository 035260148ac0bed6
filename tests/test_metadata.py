"""Reading core metadata headers fast, as ``email`` and ``importlib.metadata`` would."""

from __future__ import annotations

import email.parser
import importlib.metadata
import itertools
import os
import pathlib
import sys
import unittest
import zipfile
from unittest import mock

from tests.builder_fixtures import ScratchTestCase
from zc.buildout.dists.metadata import Headers, canonical_name, only_for_extra
from zc.buildout.dists.store.distinfo import DistInfo, SysPath, find, location

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


ENTRY_POINTS = """\
# a comment
[console_scripts]
demo = os.path:join
demo-extra = demo.main : run [one, two]

[zc.buildout]
default = demo.recipe:Recipe
# another comment
other = demo.other
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


class CanonicalNameTests(unittest.TestCase):
    def test_as_packaging_normalises(self) -> None:
        from packaging.utils import canonicalize_name

        names = ["".join(chars) for chars in itertools.product("aB-_.", repeat=5)]
        names += ["zope.interface", "Products.CMFCore", "typing_extensions", "Foo__Bar..baz"]
        self.assertEqual([canonical_name(name) for name in names], [canonicalize_name(name) for name in names])


class OnlyForExtraTests(unittest.TestCase):
    def test_the_extra_a_requirement_is_only_for(self) -> None:
        from packaging.requirements import Requirement

        lines = {
            'pytest ; extra == "Test_Suite"': "test-suite",
            "pytest>=7; extra=='test'": "test",
            'pytest ; python_version < "3.8" and extra == "test"': None,
            'pytest ; extra == "test" or python_version >= "3"': None,
            "pytest": None,
        }
        for line, extra in lines.items():
            self.assertEqual(only_for_extra(line), extra, line)
            marker = Requirement(line).marker
            if extra is not None:  # then the marker holds for that extra, and only for it
                assert marker is not None
                self.assertEqual([e for e in ("", "test", "test-suite", "Test.Suite")
                                  if marker.evaluate({"extra": e})],
                                 ["test"] if extra == "test" else ["test-suite", "Test.Suite"])


class DistInfoTests(ScratchTestCase):
    def test_read_as_importlib_metadata_reads_it_headers_once(self) -> None:
        info = pathlib.Path(self.path("Demo.Pkg-1.0.dist-info"))
        info.mkdir()
        (info / "METADATA").write_text(METADATA)
        (info / "entry_points.txt").write_text(ENTRY_POINTS)
        dist = DistInfo(info)
        theirs = importlib.metadata.PathDistribution(info)
        self.assertEqual((dist.name, dist.version), ("Demo.Pkg", "1.0"))
        self.assertEqual(dist.requires, theirs.requires)
        self.assertEqual(dist.read_text("entry_points.txt"), theirs.read_text("entry_points.txt"))
        self.assertIsNone(dist.read_text("RECORD"))
        self.assertEqual(dist.locate_file("demo.py"), theirs.locate_file("demo.py"))
        self.assertEqual(location(dist), self.path())
        self.assertIs(dist.metadata, dist.metadata)
        (info / "METADATA").write_text("Name: changed\n")
        self.assertEqual(dist.name, "Demo.Pkg")

    def test_remembered_metadata_is_unpacked_only_for_its_headers(self) -> None:
        info = self.path("Demo.Pkg-1.0.dist-info")
        headers = Headers.parse(METADATA)
        dist = DistInfo.remembered(info, "Demo.Pkg", "1.0", headers.pack())
        self.assertEqual((dist.name, dist.version), ("Demo.Pkg", "1.0"))  # no METADATA file to read
        self.assertEqual(dist.metadata.json, headers.json)
        self.assertEqual(dist.requires, headers.get_all("Requires-Dist"))
        unreadable = DistInfo.remembered(info, "Demo.Pkg", "1.0", b"not marshal data")
        self.assertEqual(unreadable.version, "1.0")
        with self.assertRaises(ValueError):
            unreadable.metadata

    def test_entry_points_as_importlib_metadata_reads_them(self) -> None:
        info = pathlib.Path(self.path("Demo.Pkg-1.0.dist-info"))
        info.mkdir()
        (info / "entry_points.txt").write_text(ENTRY_POINTS)
        ours = DistInfo(info).entry_points
        theirs = importlib.metadata.PathDistribution(info).entry_points
        self.assertEqual(
            [(p.group, p.name, p.value, p.module, p.attr or "", list(p.extras)) for p in ours],
            [(p.group, p.name, p.value, p.module, p.attr or "", list(p.extras)) for p in theirs])
        self.assertEqual([p.name for p in ours.select(group="zc.buildout")], ["default", "other"])
        self.assertEqual([p.value for p in ours.select(group="zc.buildout", name="other")], ["demo.other"])
        self.assertIs(ours.select(group="console_scripts", name="demo")[0].load(), os.path.join)

    def test_egg_info_requirements_come_from_importlib_metadata(self) -> None:
        info = pathlib.Path(self.path("Legacy.egg-info"))
        info.mkdir()
        (info / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: Legacy\nVersion: 2.0\n")
        (info / "requires.txt").write_text("one\n\n[extra]\ntwo\n")
        dist = DistInfo(info)
        self.assertEqual((dist.name, dist.version), ("Legacy", "2.0"))
        self.assertEqual(dist.requires, importlib.metadata.PathDistribution(info).requires)
        self.assertEqual(dist.requires, ["one", 'two; extra == "extra"'])


class FindTests(ScratchTestCase):
    def test_finds_what_importlib_metadata_finds(self) -> None:
        for name in ("packaging", "zc.buildout", "zc-buildout", "ZC_Buildout", "resolvelib"):
            found = find(name)
            self.assertIsInstance(found, DistInfo)
            assert isinstance(found, DistInfo)
            theirs = importlib.metadata.distribution(name)
            self.assertEqual(found.path, str(getattr(theirs, "_path")))
            self.assertEqual(found.version, theirs.version)
        self.assertIsNone(find("no-such-distribution-here"))

    def test_on_the_path_in_path_order(self) -> None:
        for directory, version in (("first", "1.0"), ("second", "2.0")):
            info = pathlib.Path(self.path(directory, f"Demo_Pkg-{version}.dist-info"))
            info.mkdir(parents=True)
            (info / "METADATA").write_text(f"Name: Demo.Pkg\nVersion: {version}\n")
        with mock.patch.object(sys, "path", [self.path("missing"), self.path("second"), self.path("first")]):
            found = find("demo-pkg")
            assert found is not None
            self.assertEqual(found.version, "2.0")
            self.assertEqual(found.version, importlib.metadata.version("demo-pkg"))

    def test_a_directory_is_read_again_once_it_changed(self) -> None:
        path = SysPath()
        with mock.patch.object(sys, "path", [self.path()]):
            self.assertIsNone(path.find("demo"))
            read = os.stat(self.path()).st_mtime_ns
            info = pathlib.Path(self.path("demo-1.0.dist-info"))
            info.mkdir()
            (info / "METADATA").write_text("Name: demo\nVersion: 1.0\n")
            os.utime(self.path(), ns=(read, read))
            self.assertIsNone(path.find("demo"))  # unchanged, as far as its time stamp tells
            os.utime(self.path(), ns=(read + 1_000_000, read + 1_000_000))
            found = path.find("demo")
            assert found is not None
            self.assertEqual(found.version, "1.0")

    def test_an_egg_on_the_path(self) -> None:
        info = pathlib.Path(self.path("Old.Egg-1.0-py3.11.egg", "EGG-INFO"))
        info.mkdir(parents=True)
        (info / "PKG-INFO").write_text("Name: Old.Egg\nVersion: 1.0\n")
        with mock.patch.object(sys, "path", [self.path("Old.Egg-1.0-py3.11.egg")]):
            found = find("old.egg")
            self.assertIsInstance(found, DistInfo)
            assert isinstance(found, DistInfo)
            self.assertEqual(found.path, str(getattr(importlib.metadata.distribution("old.egg"), "_path")))

    def test_a_zip_file_on_the_path_is_left_to_importlib_metadata(self) -> None:
        archive = self.path("demo.zip")
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("Zipped-1.0.dist-info/METADATA", "Name: Zipped\nVersion: 1.0\n")
        with mock.patch.object(sys, "path", [archive]):
            found = find("zipped")
            self.assertNotIsInstance(found, DistInfo)
            assert found is not None
            self.assertEqual(found.version, "1.0")
            self.assertIsNone(find("demo-pkg"))
