"""Index and find-links pages: the HTML and JSON edge cases prose carries badly."""

from __future__ import annotations

import json
import unittest

from packaging.version import Version

from zc.buildout.dists.find.filenames import split_filename
from zc.buildout.dists.find.pages import ProjectFiles, parse_html, parse_json, project_files

PAGE = "https://index.example/simple/demo/"


class SplitFilenameTests(unittest.TestCase):
    def test_wheel(self) -> None:
        self.assertEqual(split_filename("Demo_Pkg-1.0-py3-none-any.whl"),
                         ("demo-pkg", Version("1.0"), "wheel"))
        self.assertEqual(split_filename("demo-1.0-1build-cp311-cp311-linux_x86_64.whl"),
                         ("demo", Version("1.0"), "wheel"))

    def test_sdist_suffixes(self) -> None:
        for suffix in (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip", ".TAR.GZ"):
            with self.subTest(suffix=suffix):
                split = split_filename("demo-2.0b1" + suffix)
                self.assertEqual(split and split[:3], ("demo", Version("2.0b1"), "sdist"))

    def test_dashed_sdist_name_uses_the_project(self) -> None:
        # "foo-bar-1" alone is ambiguous only in theory; with a project it is exact.
        self.assertEqual(split_filename("python-dateutil-2.8.tar.gz")[:2], ("python-dateutil", Version("2.8")))
        self.assertEqual(split_filename("foo-2-1.0.tar.gz", "foo-2")[:2], ("foo-2", Version("1.0")))
        self.assertIsNone(split_filename("other-1.0.tar.gz", "demo"))

    def test_egg(self) -> None:
        self.assertEqual(split_filename("Demo_Pkg-1.0-py3.11.egg"), ("demo-pkg", Version("1.0"), "egg"))
        self.assertEqual(split_filename("zope.interface-5.5.2-py3.11-linux-x86_64.egg"),
                         ("zope-interface", Version("5.5.2"), "egg"))
        self.assertEqual(split_filename("demo-1.0.egg"), ("demo", Version("1.0"), "egg"))
        for filename in ("demo-x-py3.11.egg", "demo.egg", "-1.0-py3.11.egg"):
            with self.subTest(filename=filename):
                self.assertIsNone(split_filename(filename))

    def test_not_distributions(self) -> None:
        for filename in ("README.txt", "demo.tar.gz", "demo-notaversion.zip",
                         "bad-wheel.whl", "-1.0.tar.gz", "demo-x-py3-none-any.whl",
                         "-1.0-py3-none-any.whl"):
            with self.subTest(filename=filename):
                self.assertIsNone(split_filename(filename))


class HTMLTests(unittest.TestCase):
    def test_relative_links_hashes_and_data_attributes(self) -> None:
        html = """<!DOCTYPE html><html><body>
        <a href="../../files/demo-1.0-py3-none-any.whl#sha256=abc"
           data-requires-python="&gt;=3.8" data-core-metadata="sha256=def">demo</a>
        <A HREF="/files/demo-0.9.tar.gz" data-yanked="">old</A>
        <a href="demo-0.8.zip" data-yanked="broken &amp; bad">older</a>
        <a href="demo-0.7.zip" data-dist-info-metadata="true">even older</a>
        <a href="demo-0.6.zip" data-core-metadata="false">x</a>
        <a>no href</a><a href="">empty</a><a href="notes.html">notes</a>
        </body></html>"""
        files = parse_html(html, PAGE, "demo")
        self.assertEqual([f.filename for f in files], [
            "demo-1.0-py3-none-any.whl", "demo-0.9.tar.gz", "demo-0.8.zip", "demo-0.7.zip",
            "demo-0.6.zip"])
        wheel, sdist, zipped, legacy, no_metadata = files
        self.assertEqual(wheel.url, "https://index.example/files/demo-1.0-py3-none-any.whl")
        self.assertEqual(wheel.sha256, "abc")
        self.assertEqual(wheel.requires_python, ">=3.8")
        self.assertEqual(wheel.metadata_url, wheel.url + ".metadata")
        self.assertEqual(wheel.metadata_sha256, "def")
        self.assertIsNone(wheel.yanked)
        self.assertEqual({str(tag) for tag in wheel.tags}, {"py3-none-any"})
        self.assertEqual(sdist.tags, frozenset())
        self.assertEqual(sdist.url, "https://index.example/files/demo-0.9.tar.gz")
        self.assertEqual(sdist.yanked, "")
        self.assertIsNone(sdist.metadata_url)
        self.assertEqual(zipped.url, PAGE + "demo-0.8.zip")
        self.assertEqual(zipped.yanked, "broken & bad")
        self.assertEqual(legacy.metadata_url, legacy.url + ".metadata")
        self.assertIsNone(legacy.metadata_sha256)
        self.assertIsNone(no_metadata.metadata_url)

    def test_base_href(self) -> None:
        html = '<html><head><base href="https://files.example/d/"></head>' \
               '<body><a href="demo-1.0.tar.gz">x</a></body></html>'
        self.assertEqual(parse_html(html, PAGE)[0].url, "https://files.example/d/demo-1.0.tar.gz")

    def test_attribute_quoting(self) -> None:
        html = """<a data-requires-python='>=3.8' HREF=demo-1.0.zip data-yanked>x</a>
        <a class="x > y" href="demo-2.0.zip" data-core-metadata=true>y</a>
        <a href="demo-3.0.zip" data-core-metadata data-requires-python="">z</a>"""
        first, second, third = parse_html(html, PAGE)
        self.assertEqual((first.requires_python, first.yanked), (">=3.8", ""))
        self.assertEqual(second.url, PAGE + "demo-2.0.zip")
        self.assertEqual(second.metadata_url, second.url + ".metadata")
        self.assertIsNone(third.metadata_url)  # present without a value: no hash, no "true"
        self.assertIsNone(third.requires_python)

    def test_quoted_file_names(self) -> None:
        files = parse_html('<a href="demo%2B-1.0.tar.gz">x</a>', PAGE)
        self.assertEqual(files[0].filename, "demo+-1.0.tar.gz")

    def test_core_metadata_wins_over_the_legacy_name(self) -> None:
        html = '<a href="demo-1.0.zip" data-dist-info-metadata="sha256=old"' \
               ' data-core-metadata="sha256=new">x</a>'
        self.assertEqual(parse_html(html, PAGE)[0].metadata_sha256, "new")


class ProjectFilesTests(unittest.TestCase):
    """An index page read a version at a time gives what reading it whole gives."""

    PAGES = (
        """<a href="../../files/demo-1.0-py3-none-any.whl#sha256=abc"
           data-requires-python="&gt;=3.8" data-core-metadata="sha256=def">demo</a>
        <A HREF="/files/demo-0.9.tar.gz" data-yanked="">old</A>
        <a href="demo-0.8.zip" data-yanked="broken &amp; bad">older</a>
        <a href="demo-1.0.tar.gz?x=1&amp;y=2#sha256=fff">sdist of 1.0</a>
        <a>no href</a><a href="">empty</a><a href="notes.html">notes</a>""",
        """<a data-requires-python='>=3.8' HREF=demo-1.0.zip data-yanked>x</a>
        <a class="x > y" href="demo-2.0.zip" data-core-metadata=true>y</a>
        <a title="href=demo-9.0.zip" href="demo-3.0.zip">spelled out</a>
        <a title=" href=demo-4.0.zip">no link at all</a>
        <a data-x="1"href="demo-5.0.zip">squeezed</a>""",
        '<html><head><base href="https://files.example/d/"></head>'
        '<body><a href="demo-1.0.tar.gz">x</a><a href="demo%2B-1.0.tar.gz">y</a></body></html>',
    )

    def test_the_same_files_by_version(self) -> None:
        for html in self.PAGES:
            with self.subTest(html=html[:40]):
                whole: dict[Version, list[object]] = {}
                for file in parse_html(html, PAGE, "demo"):
                    whole.setdefault(file.version, []).append(file)
                files = ProjectFiles.from_html(html, PAGE, "demo")
                self.assertEqual({version: list(files[version]) for version in files}, whole)
                self.assertEqual(len(files), len(whole))
                self.assertEqual(sorted(files.files(), key=str), sorted(parse_html(html, PAGE, "demo"), key=str))

    def test_versions_in_page_order_and_unknown_ones(self) -> None:
        files = ProjectFiles.from_html(self.PAGES[0], PAGE, "demo")
        self.assertEqual(list(files), [Version("1.0"), Version("0.9"), Version("0.8")])
        self.assertIs(files[Version("1.0")], files[Version("1.0")])  # read once
        self.assertNotIn(Version("7.0"), files)
        with self.assertRaises(KeyError):
            files[Version("7.0")]

    def test_json_pages_and_lists(self) -> None:
        data = json.dumps({"meta": {"api-version": "1.1"}, "name": "demo", "files": [
            {"filename": "demo-1.0.tar.gz", "url": "demo-1.0.tar.gz", "hashes": {}}]}).encode()
        files = project_files(data, "application/vnd.pypi.simple.v1+json", PAGE, "demo")
        self.assertEqual([f.filename for f in files[Version("1.0")]], ["demo-1.0.tar.gz"])
        html = project_files(self.PAGES[2].encode("latin-1"), "text/html; charset=latin-1", PAGE, "demo")
        self.assertEqual(html.files(), parse_html(self.PAGES[2], PAGE, "demo"))
        self.assertEqual(ProjectFiles(files.files()).files(), files.files())

    def test_json_pages_give_file_sizes(self) -> None:
        # PEP 700: a size that is not a count of bytes is no size at all.
        sizes = {"demo-1.0.tar.gz": 1234, "demo-1.0-py3-none-any.whl": "big",
                 "demo-0.9.tar.gz": -1, "demo-0.8.tar.gz": True}
        data = json.dumps({"meta": {"api-version": "1.1"}, "name": "demo", "files": [
            {"filename": name, "url": name, "hashes": {}, "size": size} for name, size in sizes.items()]}).encode()
        files = project_files(data, "application/vnd.pypi.simple.v1+json", PAGE, "demo")
        self.assertEqual({file.filename: file.size for file in files.files()}, {
            "demo-1.0.tar.gz": 1234, "demo-1.0-py3-none-any.whl": None, "demo-0.9.tar.gz": None,
            "demo-0.8.tar.gz": None})

    def test_json_pages_read_by_version_give_what_reading_them_whole_gives(self) -> None:
        data = JSONTests.FILES
        whole: dict[Version, list[object]] = {}
        for file in parse_json(data, PAGE, "demo"):
            whole.setdefault(file.version, []).append(file)
        files = ProjectFiles.from_json(data, PAGE, "demo")
        self.assertEqual({version: list(files[version]) for version in files}, whole)

    def test_only_one_version_keeps_its_files_and_lists_the_others(self) -> None:
        for files in (ProjectFiles.from_html(self.PAGES[0], PAGE, "demo", only=Version("1.0")),
                      ProjectFiles.from_json(JSONTests.FILES, PAGE, "demo", only=Version("1.0"))):
            with self.subTest(files=type(files)):
                self.assertEqual(list(files)[:2], [Version("1.0"), Version("0.9")])
                self.assertEqual([file.version for file in files[Version("1.0")]], [Version("1.0")] * 2)
                self.assertEqual(files[Version("0.9")], [])


class JSONTests(unittest.TestCase):
    FILES = json.dumps({"meta": {"api-version": "1.1"}, "name": "demo", "files": [
        {"filename": "demo-1.0-py3-none-any.whl", "url": "demo-1.0-py3-none-any.whl",
         "hashes": {"sha256": "abc"}, "core-metadata": {"sha256": "def"}},
        {"filename": "demo-0.9.tar.gz", "url": "demo-0.9.tar.gz", "yanked": "bad", "core-metadata": {}},
        {"filename": "demo-1.0.tar.gz", "url": "demo-1.0.tar.gz#sha256=fff", "requires-python": ">=3"},
        {"url": "https://cdn.example/demo-0.8.zip", "hashes": {"md5": "x"}, "dist-info-metadata": True},
    ]}).encode()

    def page(self, *files: dict[str, object]) -> bytes:
        return json.dumps({"meta": {"api-version": "1.1"}, "name": "demo",
                           "files": list(files)}).encode()

    def test_files(self) -> None:
        data = self.page(
            {"filename": "demo-1.0-py3-none-any.whl", "url": "../../f/demo-1.0-py3-none-any.whl",
             "hashes": {"sha256": "abc", "md5": "x"}, "requires-python": ">=3.9",
             "core-metadata": {"sha256": "def"}},
            {"filename": "demo-0.9.tar.gz", "url": "https://cdn.example/x/y?download=1",
             "hashes": {}, "yanked": "security hole", "dist-info-metadata": True},
            {"filename": "demo-0.8.tar.gz", "url": "demo-0.8.tar.gz", "hashes": {},
             "yanked": True, "requires-python": None},
            {"filename": "demo-0.7.tar.gz", "url": "demo-0.7.tar.gz", "yanked": False},
            {"filename": "junk.txt", "url": "junk.txt"},
            {"filename": "demo-0.6.tar.gz"},
        )
        files = parse_json(data, PAGE, "demo")
        self.assertEqual([f.version for f in files], [Version(v) for v in ("1.0", "0.9", "0.8", "0.7")])
        wheel, cdn, yanked, plain = files
        self.assertEqual(wheel.url, "https://index.example/f/demo-1.0-py3-none-any.whl")
        self.assertEqual((wheel.sha256, wheel.metadata_sha256), ("abc", "def"))
        self.assertEqual(wheel.requires_python, ">=3.9")
        # The file name comes from the page, not from the URL.
        self.assertEqual(cdn.filename, "demo-0.9.tar.gz")
        self.assertEqual(cdn.url, "https://cdn.example/x/y?download=1")
        self.assertEqual(cdn.yanked, "security hole")
        self.assertEqual(cdn.metadata_url, cdn.url + ".metadata")
        self.assertEqual(yanked.yanked, "")
        self.assertIsNone(yanked.requires_python)
        self.assertIsNone(plain.yanked)
        self.assertIsNone(plain.metadata_url)

    def test_not_a_project_page(self) -> None:
        for data in (b"[]", b'{"files": {}}', b'{"name": "x"', b"<html>"):
            with self.subTest(data=data):
                with self.assertRaises(ValueError):
                    parse_json(data, PAGE)
