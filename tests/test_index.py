"""The finder against the loopback fake index: JSON and HTML pages, PEP 658 metadata,
find-links, local indexes, allowed hosts, and faults (500s, truncation, slowness)."""

from __future__ import annotations

import concurrent.futures
import logging
import os
import tempfile
import threading
import unittest
import zipfile
from collections.abc import Sequence
from unittest import mock

from zc.buildout.dists.find.index import Finder
from zc.buildout.dists.find.remote_wheel import TAIL_SIZE, RemoteWheels
from zc.buildout.dists.settings import InstallerSettings
from zc.buildout.errors import UserError
from zc.buildout.net.file_urls import file_url
from zc.buildout.net.httpclient import HTTPClient
from zc.buildout.testing.index import FakeIndex


def wheel(directory: str, name: str, version: str, requires: Sequence[str] = (),
          requires_python: str | None = None, tag: str = "py3-none-any") -> str:
    """A minimal wheel holding one empty module and its metadata."""
    stem = f"{name.replace('-', '_')}-{version}"
    path = os.path.join(directory, f"{stem}-{tag}.whl")
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {requirement}\n" for requirement in requires)
    if requires_python:
        metadata += f"Requires-Python: {requires_python}\n"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{name.replace('-', '_')}.py", "")
        archive.writestr(f"{stem}.dist-info/METADATA", metadata)
        archive.writestr(f"{stem}.dist-info/WHEEL", f"Wheel-Version: 1.0\nTag: {tag}\n")
        archive.writestr(f"{stem}.dist-info/RECORD", "")
    return path


def sdist(directory: str, name: str, version: str) -> str:
    path = os.path.join(directory, f"{name}-{version}.tar.gz")
    with open(path, "wb") as file:
        file.write(b"not needed by these tests")
    return path


class FinderTestCase(unittest.TestCase):
    def setUp(self) -> None:
        temporary = tempfile.TemporaryDirectory()
        self.addCleanup(temporary.cleanup)
        self.root = temporary.name
        self.dists = os.path.join(self.root, "dists")
        os.mkdir(self.dists)
        wheel(self.dists, "demo", "1.0", ["needed>=1"])
        wheel(self.dists, "demo", "2.0", ["needed>=2"], requires_python=">=3.99")
        wheel(self.dists, "demo", "1.1", tag="cp27-cp27m-win32")
        sdist(self.dists, "demo", "1.0")
        wheel(self.dists, "Needed_Pkg", "1.0")
        self.index = FakeIndex(self.dists).start()
        self.addCleanup(self.index.stop)

    def finder(self, timeout: float | None = None, **settings: object) -> Finder:
        options: dict[str, object] = {"index": self.index.simple, **settings}
        finder = Finder(InstallerSettings(self.root, self.root, **options),  # type: ignore[arg-type]
                        HTTPClient(timeout=timeout))
        self.addCleanup(finder.close)
        return finder

    def describe(self, finder: Finder, name: str) -> list[str]:
        return sorted(f"{f.filename} {f.url.rsplit('/', 2)[-2]}" for f in finder.files(name))


class IndexTests(FinderTestCase):
    def test_json_page_and_core_metadata(self) -> None:
        finder = self.finder()
        files = finder.files("demo")
        self.assertEqual(sorted(f.filename for f in files), [
            "demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz", "demo-1.1-cp27-cp27m-win32.whl",
            "demo-2.0-py3-none-any.whl"])
        by_version = {str(v): [f for f in files if str(f.version) == v] for v in ("1.0", "1.1", "2.0")}
        # The wheel before the sdist; 1.1 is for another platform; 2.0 needs a newer Python.
        chosen = finder.choose(by_version["1.0"])
        assert not isinstance(chosen, str)
        self.assertEqual(chosen.filename, "demo-1.0-py3-none-any.whl")
        self.assertEqual(finder.choose(by_version["1.1"]), "no wheel for this platform")
        self.assertEqual(finder.choose(by_version["2.0"]), "requires Python >=3.99")
        self.assertEqual(len(chosen.sha256 or ""), 64)
        metadata = finder.metadata(chosen)
        self.assertEqual(metadata.get_all("Requires-Dist"), ["needed>=1"])
        self.assertEqual(self.index.take_requests(), [
            "GET /simple/demo/", "GET /files/demo-1.0-py3-none-any.whl.metadata"])
        self.assertIsNone(finder.downloaded(chosen))

    def test_each_page_once(self) -> None:
        finder = self.finder()
        for name in ("Demo", "demo", "DEMO"):
            finder.prefetch(name)
        finder.files("demo")
        finder.files("Demo")
        self.assertEqual(self.index.take_requests(), ["GET /simple/demo/"])

    def test_html_page(self) -> None:
        self.index.json = False
        finder = self.finder()
        files = finder.files("demo")
        self.assertEqual(len(files), 4)
        self.assertEqual({f.requires_python for f in files}, {None, ">=3.99"})

    def test_metadata_from_the_wheel_when_the_index_has_none(self) -> None:
        # Read with a range request; a wheel this small comes whole, and is kept.
        self.index.metadata = False
        finder = self.finder()
        file = finder.files("needed-pkg")[0]
        self.assertIsNone(file.metadata_url)
        self.assertEqual(finder.metadata(file).get("Name"), "Needed_Pkg")
        self.assertEqual(self.index.take_requests(), [
            "GET /simple/needed-pkg/", "GET /files/Needed_Pkg-1.0-py3-none-any.whl bytes=-65536"])
        local = finder.downloaded(file)
        self.assertTrue(local and os.path.isfile(local))
        finder.close()
        self.assertFalse(os.path.exists(local or ""))

    def test_a_wheel_bigger_than_a_range_read_is_downloaded_beside_it(self) -> None:
        # The index gives its size: the download need not wait for the read of its end.
        self.index.metadata = False
        big = os.path.join(self.dists, "big-1.0-py3-none-any.whl")
        with zipfile.ZipFile(big, "w") as archive:
            archive.writestr("big.py", os.urandom(2 * TAIL_SIZE).hex())
            archive.writestr("big-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: big\nVersion: 1.0\n")
            archive.writestr("big-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nTag: py3-none-any\n")
            archive.writestr("big-1.0.dist-info/RECORD", "")
        finder = self.finder()
        self.addCleanup(finder.close)
        [file] = finder.files("big")
        self.assertEqual(file.size, os.path.getsize(big))
        reading = threading.Event()
        with mock.patch.object(RemoteWheels, "metadata", lambda wheels, url: reading.wait(30) and None):
            finder.prefetch_metadata(file)
            finder.prefetch_archive(file)
            with concurrent.futures.ThreadPoolExecutor(1) as waiting:
                downloaded = waiting.submit(finder.downloaded, file)
                try:
                    self.assertTrue(os.path.isfile(downloaded.result(timeout=20) or ""))
                finally:
                    reading.set()
        self.assertEqual(finder.metadata(file).get("Name"), "big")

    def test_archives_go_into_the_download_cache(self) -> None:
        # Kept whole from a range read, or downloaded ahead: into <cache>/dist, left by close.
        self.index.metadata = False
        cache = os.path.join(self.root, "cache")
        finder = self.finder(download_cache=cache)
        needed = finder.files("needed-pkg")[0]
        finder.metadata(needed)
        demo = next(f for f in finder.files("demo") if f.filename == "demo-1.0-py3-none-any.whl")
        finder.prefetch_archive(demo)
        dist = os.path.join(cache, "dist")
        self.assertEqual(finder.downloaded(needed), os.path.join(dist, needed.filename))
        self.assertEqual(finder.downloaded(demo), os.path.join(dist, demo.filename))
        finder.close()
        self.assertEqual(sorted(os.listdir(dist)),
                         ["Needed_Pkg-1.0-py3-none-any.whl", "demo-1.0-py3-none-any.whl"])

    def test_an_archive_in_the_download_cache_is_not_downloaded_again(self) -> None:
        cache = os.path.join(self.root, "cache")
        finder = self.finder(download_cache=cache)
        demo = next(f for f in finder.files("demo") if f.filename == "demo-1.0-py3-none-any.whl")
        finder.prefetch_archive(demo)
        self.assertIsNotNone(finder.downloaded(demo))
        finder.close()
        self.index.take_requests()
        again = self.finder(download_cache=cache)
        demo = next(f for f in again.files("demo") if f.url.startswith("http") and f.filename == demo.filename)
        again.prefetch_archive(demo)
        self.assertEqual(again.downloaded(demo), os.path.join(cache, "dist", demo.filename))
        self.assertEqual(self.index.take_requests(), ["GET /simple/demo/"])

    def test_a_damaged_archive_in_the_download_cache_is_replaced(self) -> None:
        cache = os.path.join(self.root, "cache")
        os.makedirs(os.path.join(cache, "dist"))
        damaged = os.path.join(cache, "dist", "demo-1.0-py3-none-any.whl")
        with open(damaged, "wb") as file:
            file.write(b"half a wheel")
        finder = self.finder(download_cache=cache)
        demo = next(f for f in finder.files("demo")
                    if f.url.startswith("http") and f.filename == "demo-1.0-py3-none-any.whl")
        finder.prefetch_archive(demo)
        self.assertEqual(finder.downloaded(demo), damaged)
        with zipfile.ZipFile(damaged) as archive:
            self.assertIn("demo.py", archive.namelist())

    def test_many_archives_read_at_once(self) -> None:
        # More metadata reads than worker threads, each downloading a wheel:
        # the downloads must not wait for a worker (that would never come).
        self.index.metadata = self.index.ranges = False
        for number in range(25):
            wheel(self.dists, f"p{number}", "1.0")
        finder = self.finder()
        files = [finder.files(f"p{number}")[0] for number in range(25)]
        for file in files:
            finder.prefetch_metadata(file)
        self.assertEqual({finder.metadata(file).get("Version") for file in files}, {"1.0"})

    def test_close_forgets_only_what_was_not_read(self) -> None:
        self.index.delay = 0.3
        finder = self.finder()
        for number in range(12):  # more than the workers: some never start
            finder.prefetch(f"p{number}")
        finder.close()
        self.index.delay = 0
        self.assertEqual(finder.files("demo")[0].name, "demo")  # a new pool after close
        self.assertEqual(finder.files("p11"), [])  # cancelled before, read now

    def test_unknown_project(self) -> None:
        self.assertEqual(self.finder().files("nope"), [])

    def test_allow_hosts(self) -> None:
        self.assertEqual(self.finder(allow_hosts=("*.example.com",)).files("demo"), [])
        self.assertEqual(self.index.take_requests(), [])
        self.assertEqual(len(self.finder(allow_hosts=("127.0.0.*",)).files("demo")), 4)
        # A page on an allowed host may link to files on other hosts.
        tree = os.path.join(self.root, "tree", "demo")
        os.makedirs(tree)
        with open(os.path.join(tree, "index.html"), "w") as page:
            page.write('<a href="https://files.example.org/demo-9.0.tar.gz">x</a>')
        finder = self.finder(allow_hosts=("*.example.com",), index=os.path.dirname(tree))
        (remote,) = finder.files("demo")
        self.assertEqual(finder.choose([remote]), "its host is not in allow-hosts")


class FaultTests(FinderTestCase):
    def test_server_error(self) -> None:
        self.index.fail_status = 500
        with self.assertRaises(UserError) as caught:
            self.finder().files("demo")
        self.assertEqual(str(caught.exception),
                         f"Couldn't download '{self.index.simple}demo/': 500 Internal Server Error")

    def test_truncated_page(self) -> None:
        self.index.truncate = True
        with self.assertRaises(UserError) as caught:
            self.finder().files("demo")
        self.assertEqual(str(caught.exception),
                         f"Couldn't download '{self.index.simple}demo/': the connection broke off")

    def test_truncated_metadata(self) -> None:
        finder = self.finder()
        file = finder.files("demo")[0]
        self.index.truncate = True
        with self.assertRaises(UserError) as caught:
            finder.metadata(file)
        self.assertIn("the connection broke off", str(caught.exception))

    def test_slow_index(self) -> None:
        self.index.delay = 1.0
        with self.assertRaises(UserError) as caught:
            self.finder(timeout=0.2).files("demo")
        self.assertEqual(str(caught.exception),
                         f"Couldn't download '{self.index.simple}demo/': timed out after 0.2 seconds")


class FindLinksTests(FinderTestCase):
    def test_locations(self) -> None:
        other = os.path.join(self.root, "other")
        os.mkdir(other)
        wheel(other, "demo", "3.0")
        single = wheel(self.root, "demo", "4.0")
        finder = self.finder(index=os.path.join(self.root, "empty"),
                             find_links=(other, single, self.index.links,
                                         self.index.url + "files/demo-1.0.tar.gz"))
        self.assertEqual(self.describe(finder, "demo"), [
            "demo-1.0-py3-none-any.whl files",
            "demo-1.0.tar.gz files",             # listed twice, found once
            "demo-1.1-cp27-cp27m-win32.whl files",
            "demo-2.0-py3-none-any.whl files",
            "demo-3.0-py3-none-any.whl other",
            f"demo-4.0-py3-none-any.whl {os.path.basename(self.root)}",
        ])

    def test_broken_find_links_page_is_a_warning(self) -> None:
        finder = self.finder(find_links=(self.index.url + "missing/",))
        self.index.fail_status = 503
        self.index.faulty = "/missing/"
        with self.assertLogs("zc.buildout", logging.WARNING) as logged:
            self.assertEqual(finder.find_links(), {})
        self.assertIn("503", logged.output[0])

    def test_local_indexes(self) -> None:
        tree = os.path.join(self.root, "tree")
        os.makedirs(os.path.join(tree, "Demo"))       # a directory name that is not canonical
        wheel(os.path.join(tree, "Demo"), "demo", "5.0")
        os.makedirs(os.path.join(tree, "needed-pkg"))
        with open(os.path.join(tree, "needed-pkg", "index.html"), "w") as page:
            page.write(f'<a href="{file_url(os.path.join(self.dists, "Needed_Pkg-1.0-py3-none-any.whl"))}">x</a>')
        for index in (tree, file_url(tree)):
            finder = self.finder(index=index)
            self.assertEqual([f.filename for f in finder.files("demo")], ["demo-5.0-py3-none-any.whl"])
            self.assertEqual(len(finder.files("needed-pkg")), 1)
        flat = self.finder(index=self.dists)
        self.assertEqual(len(flat.files("demo")), 4)
