"""Reading a remote wheel's metadata with range requests, against the loopback fake index:
small and big wheels, big central directories, stored and deflated members, ZIP64, servers
without ranges, and faults (each falling back to a whole download, or failing as one does)."""

from __future__ import annotations

import http
import logging
import os
import struct
import tempfile
import unittest
import zipfile
import zlib
from unittest import mock

from zc.buildout.dists.find.index import Finder
from zc.buildout.dists.find.remote_wheel import TAIL_SIZE, RemoteMetadata, RemoteWheels, local_headers
from zc.buildout.dists.metadata import Metadata, headers_of_wheel, parse_headers
from zc.buildout.dists.settings import InstallerSettings
from zc.buildout.errors import UserError
from zc.buildout.net.httpclient import HTTPClient
from zc.buildout.testing import packages
from zc.buildout.testing.index import FakeIndex

_TAIL = f"bytes=-{TAIL_SIZE}"


def _recompressed(path: str, method: int) -> None:
    """Rewrite the wheel at ``path`` with every member compressed with ``method``."""
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, data in members:
            archive.writestr(name, data)


def _zip64_wheel(path: str, members: dict[str, bytes]) -> None:
    """Write a zip archive of stored ``members`` in the ZIP64 format, whatever their size.

    Every central directory entry gives its sizes and offset in a ZIP64 extra
    field, and the archive ends with the ZIP64 end records (PKWARE APPNOTE 4.3.14,
    4.3.15, 4.5.3), as archives too big for plain zip do.
    """
    body, directory = b"", b""
    for name, data in members.items():
        encoded, crc = name.encode(), zlib.crc32(data)
        local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 45, 0, 0, 0, 33, crc,
                            len(data), len(data), len(encoded), 0)
        extra = struct.pack("<2H3Q", 1, 24, len(data), len(data), len(body))
        directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 45, 45, 0, 0, 0, 33, crc,
                                 0xFFFFFFFF, 0xFFFFFFFF, len(encoded), len(extra), 0, 0, 0, 0,
                                 0xFFFFFFFF) + encoded + extra
        body += local + encoded + data
    count, end64_at = len(members), len(body) + len(directory)
    end64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count,
                        len(directory), len(body))
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, end64_at, 1)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    with open(path, "wb") as file:
        file.write(body + directory + end64 + locator + end)


class _IndexTestCase(unittest.TestCase):
    def setUp(self) -> None:
        temporary = tempfile.TemporaryDirectory()
        self.addCleanup(temporary.cleanup)
        self.root = temporary.name
        self.dists = os.path.join(self.root, "dists")
        os.mkdir(self.dists)
        self.index = FakeIndex(self.dists).start()
        self.addCleanup(self.index.stop)
        self.client = HTTPClient(timeout=5)

    def wheel(self, name: str, modules: dict[str, str] | None = None) -> str:
        """A wheel made by the testing builders, with a requirement to read back."""
        return packages.wheel(self.dists, name, "1.0", requires=["needed>=2"], modules=modules)

    def big_wheel(self, name: str) -> str:
        """A wheel of some 300 kB (its members are stored, not compressed)."""
        return self.wheel(name, {f"{name}.py": "# padding\n" * 30_000})

    def url(self, path: str) -> str:
        return f"{self.index.url}files/{os.path.basename(path)}"

    def requests(self, path: str) -> list[str]:
        """The requests for the file at ``path`` since the last call: the range asked, or "whole"."""
        prefix = f"GET /files/{os.path.basename(path)}"
        return [request[len(prefix):].strip() or "whole"
                for request in self.index.take_requests() if request.startswith(prefix)]

    def read(self, path: str) -> RemoteMetadata:
        found = RemoteWheels(self.client).metadata(self.url(path))
        assert found is not None
        return found

    def assertMetadataOf(self, path: str, metadata: Metadata) -> None:
        """``metadata`` is the wheel's own, as read from the local file."""
        expected = headers_of_wheel(path, os.path.basename(path))
        for field in ("Name", "Version"):
            self.assertEqual(metadata.get(field), expected.get(field))
        self.assertEqual(metadata.get_all("Requires-Dist"), expected.get_all("Requires-Dist"))
        self.assertEqual(metadata.get_all("Requires-Dist"), ["needed>=2"])

    def download_error(self, path: str) -> str:
        """What downloading the file at ``path`` whole fails with."""
        with self.assertRaises(UserError) as caught:
            self.client.download(self.url(path), os.path.join(self.root, "whole.whl"))
        self.index.take_requests()
        return str(caught.exception)

    def finder(self) -> Finder:
        self.index.metadata = False
        settings = InstallerSettings(self.root, self.root, index=self.index.simple)
        finder = Finder(settings, self.client)
        self.addCleanup(finder.close)
        return finder


def _infos(path: str) -> list[zipfile.ZipInfo]:
    """The members of the archive at ``path``, in the order they are stored."""
    with zipfile.ZipFile(path) as archive:
        return sorted(archive.infolist(), key=lambda info: info.header_offset)


def _member_range(path: str, name: str) -> str:
    """The range of bytes from the local header of member ``name`` to the next member."""
    infos = _infos(path)
    at = next(number for number, info in enumerate(infos) if info.filename == name)
    with zipfile.ZipFile(path) as archive:
        end = infos[at + 1].header_offset if at + 1 < len(infos) else archive.start_dir
    return f"bytes={infos[at].header_offset}-{end - 1}"


def _metadata_name(path: str) -> str:
    return next(info.filename for info in _infos(path) if info.filename.endswith(".dist-info/METADATA"))


class RangeReadTests(_IndexTestCase):
    def test_a_small_wheel_comes_whole_in_one_answer(self) -> None:
        path = self.wheel("small")
        read = self.read(path)
        self.assertMetadataOf(path, parse_headers(read.metadata))
        with open(path, "rb") as file:
            self.assertEqual(read.archive, file.read())
        self.assertEqual(self.requests(path), [_TAIL])

    def test_a_big_wheel_is_read_at_its_end(self) -> None:
        path = self.big_wheel("big")
        size = os.path.getsize(path)
        self.assertGreater(size, 4 * TAIL_SIZE)
        read = self.read(path)
        self.assertMetadataOf(path, parse_headers(read.metadata))
        self.assertIsNone(read.archive)
        self.assertEqual(self.requests(path), [_TAIL])

    def test_a_central_directory_bigger_than_the_first_answer(self) -> None:
        modules = {f"many/a_module_with_a_rather_long_name_{number:05}.py": ""
                   for number in range(2000)}
        path = self.wheel("many", modules)
        size = os.path.getsize(path)
        with zipfile.ZipFile(path) as archive:
            directory_start = archive.start_dir
        self.assertLess(directory_start, size - TAIL_SIZE)
        read = self.read(path)
        self.assertMetadataOf(path, parse_headers(read.metadata))
        # The rest of the directory, then the METADATA member, just before it.
        self.assertEqual(self.requests(path), [
            _TAIL, f"bytes={directory_start}-{size - TAIL_SIZE - 1}",
            _member_range(path, _metadata_name(path))])

    def test_metadata_far_from_the_end(self) -> None:
        built = self.wheel("first")
        with zipfile.ZipFile(built) as archive:
            members = {info.filename: archive.read(info) for info in archive.infolist()}
        path = os.path.join(self.dists, "first-2.0-py3-none-any.whl")
        with zipfile.ZipFile(path, "w") as archive:
            name = _metadata_name(built)
            archive.writestr(name, members.pop(name))
            archive.writestr("padding.txt", b"-" * 200_000)
            for name, data in members.items():
                archive.writestr(name, data)
        self.assertMetadataOf(path, parse_headers(self.read(path).metadata))
        self.assertEqual(self.requests(path), [_TAIL, _member_range(path, _metadata_name(path))])

    def test_stored_and_deflated_members(self) -> None:
        path = self.wheel("packed")
        for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            _recompressed(path, method)
            self.assertEqual({info.compress_type for info in _infos(path)}, {method})
            self.assertMetadataOf(path, parse_headers(self.read(path).metadata))

    def test_zip64(self) -> None:
        built = self.wheel("huge")
        with zipfile.ZipFile(built) as archive:
            members = {info.filename: archive.read(info) for info in archive.infolist()}
        os.remove(built)
        path = os.path.join(self.dists, os.path.basename(built))
        _zip64_wheel(path, members)
        self.assertMetadataOf(path, headers_of_wheel(path, "zipfile reads it too"))
        read = self.read(path)
        self.assertMetadataOf(path, parse_headers(read.metadata))
        self.assertEqual(self.requests(path), [_TAIL])

    def test_a_server_that_ignores_ranges_is_asked_once(self) -> None:
        self.index.ranges = False
        first, second = self.big_wheel("first"), self.big_wheel("second")
        wheels = RemoteWheels(self.client)
        with self.assertLogs("zc.buildout", logging.DEBUG) as logged:
            self.assertIsNone(wheels.metadata(self.url(first)))
        self.assertIn("the server ignores ranges", logged.output[0])
        self.assertIsNone(wheels.metadata(self.url(second)))
        self.assertEqual(self.requests(first), [_TAIL])
        self.assertEqual(self.requests(second), [])
        self.assertIsNone(RemoteWheels(self.client).metadata(self.url(second)))  # another run
        self.assertEqual(self.requests(second), [_TAIL])

    def test_odd_archives_are_left_to_a_whole_download(self) -> None:
        two = self.wheel("two")
        with zipfile.ZipFile(two, "a") as archive:
            archive.writestr("other-1.0.dist-info/METADATA", "Name: other\n")
        none = self.wheel("none")
        _recompressed(none, zipfile.ZIP_STORED)
        with zipfile.ZipFile(none) as archive:
            kept = {i.filename: archive.read(i) for i in archive.infolist() if "METADATA" not in i.filename}
        with zipfile.ZipFile(none, "w") as archive:
            for name, data in kept.items():
                archive.writestr(name, data)
        garbage = os.path.join(self.dists, "garbage-1.0-py3-none-any.whl")
        with open(garbage, "wb") as file:
            file.write(b"not a zip file" * 10)
        empty = os.path.join(self.dists, "empty-1.0-py3-none-any.whl")
        open(empty, "wb").close()
        corrupt = self.wheel("corrupt")
        with open(corrupt, "r+b") as file:
            data = file.read()
            file.seek(data.index(b"Name: corrupt"))
            file.write(b"Name: CORRUPT")
        wheels = RemoteWheels(self.client)
        for path, reason in [(two, "2 .dist-info directories"), (none, "no none-1.0.dist-info/METADATA"),
                             (corrupt, "does not match its size and CRC"),
                             (garbage, "no end of central directory record"),
                             (empty, f"416 {http.HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE.phrase}")]:
            with self.assertLogs("zc.buildout", logging.DEBUG) as logged:
                self.assertIsNone(wheels.metadata(self.url(path)))
            self.assertIn(reason, logged.output[0])
            self.assertEqual(self.requests(path), [_TAIL])

    def test_failures_a_whole_download_meets_too(self) -> None:
        path = self.big_wheel("failing")
        for switch, value in [("fail_status", 404), ("fail_status", 401), ("truncate", True)]:
            setattr(self.index, switch, value)
            expected = self.download_error(path)
            with self.assertRaises(UserError) as caught:
                RemoteWheels(self.client).metadata(self.url(path))
            self.assertEqual(str(caught.exception), expected)
            self.assertEqual(self.requests(path), [_TAIL])
            setattr(self.index, switch, None if switch == "fail_status" else False)
        self.assertIn("the connection broke off", expected)

    def test_other_failures_leave_it_to_a_whole_download(self) -> None:
        path = self.big_wheel("failing")
        self.index.fail_status = 500
        with self.assertLogs("zc.buildout", logging.DEBUG) as logged:
            self.assertIsNone(RemoteWheels(self.client).metadata(self.url(path)))
        self.assertIn("500 Internal Server Error", logged.output[0])


class LocalWheelTests(_IndexTestCase):
    """A local wheel's metadata is read as a remote one's, without zipfile, unless the archive is odd."""

    def test_read_as_zipfile_reads_them(self) -> None:
        many = self.wheel("many", {f"many/m{number}.py": "" for number in range(3000)})
        stored = self.wheel("stored")
        _recompressed(stored, zipfile.ZIP_STORED)
        huge = self.wheel("huge")
        with zipfile.ZipFile(huge) as archive:
            members = {info.filename: archive.read(info) for info in archive.infolist()}
        _zip64_wheel(huge, members)
        for path in (self.wheel("small"), self.big_wheel("big"), many, stored, huge):
            with self.subTest(os.path.basename(path)), mock.patch(
                    "zc.buildout.dists.find.remote_wheel.headers_of_wheel", side_effect=AssertionError):
                self.assertMetadataOf(path, local_headers(path, os.path.basename(path)))

    def test_odd_archives_are_left_to_zipfile(self) -> None:
        two = self.wheel("two")
        with zipfile.ZipFile(two, "a") as archive:
            archive.writestr("other-1.0.dist-info/METADATA", "Name: other\n")
        self.assertEqual(local_headers(two, "two.whl").get("Name"), headers_of_wheel(two, "two.whl").get("Name"))
        garbage = os.path.join(self.dists, "garbage-1.0-py3-none-any.whl")
        with open(garbage, "wb") as file:
            file.write(b"not a zip file" * 10)
        with self.assertRaises(UserError) as caught:
            local_headers(garbage, "garbage-1.0-py3-none-any.whl")
        self.assertEqual(str(caught.exception), "The wheel garbage-1.0-py3-none-any.whl is not a valid zip file.")


class FinderTests(_IndexTestCase):
    """The finder reads metadata with ranges when the index has no metadata files."""

    def test_the_same_metadata_with_or_without_ranges(self) -> None:
        path = self.big_wheel("big")
        finder = self.finder()
        file = finder.files("big")[0]
        self.assertMetadataOf(path, finder.metadata(file))
        self.assertEqual(self.requests(path), [_TAIL])
        self.assertIsNone(finder.downloaded(file))
        self.index.ranges = False
        finder = self.finder()
        file = finder.files("big")[0]
        self.assertMetadataOf(path, finder.metadata(file))
        self.assertEqual(self.requests(path), [_TAIL, "whole"])
        self.assertIsNotNone(finder.downloaded(file))

    def test_a_download_asked_for_while_reading_waits_for_the_read(self) -> None:
        # The small wheel comes whole with the read of its end. The big one,
        # which the index says is bigger than that read, is downloaded beside
        # it: the two requests go at once, in either order.
        small, big = self.wheel("small"), self.big_wheel("big")
        finder = self.finder()
        for path, expected in [(small, [_TAIL]), (big, [_TAIL, "whole"])]:
            file = finder.files(os.path.basename(path).split("-")[0])[0]
            finder.prefetch_metadata(file)
            finder.prefetch_archive(file)
            local = finder.downloaded(file)
            assert local is not None
            with open(local, "rb") as got, open(path, "rb") as original:
                self.assertEqual(got.read(), original.read())
            self.assertMetadataOf(path, finder.metadata(file))
            self.assertEqual(sorted(self.requests(path)), expected)

    def test_a_download_under_way_gives_the_metadata(self) -> None:
        # Of a wheel whose size the index does not give (HTML pages do not).
        self.index.json = False
        path = self.big_wheel("big")
        finder = self.finder()
        file = finder.files("big")[0]
        self.assertIsNone(file.size)
        finder.prefetch_archive(file)
        self.assertMetadataOf(path, finder.metadata(file))
        self.assertEqual(self.requests(path), ["whole"])

    def test_a_wheel_known_to_be_big_has_its_metadata_read_beside_its_download(self) -> None:
        # Reading the end of the wheel is quicker than waiting for all of it.
        path = self.big_wheel("big")
        finder = self.finder()
        file = finder.files("big")[0]
        self.assertEqual(file.size, os.path.getsize(path))
        finder.prefetch_archive(file)
        self.assertMetadataOf(path, finder.metadata(file))
        self.assertIsNotNone(finder.downloaded(file))
        self.assertEqual(sorted(self.requests(path)), [_TAIL, "whole"])

    def test_a_whole_wheel_that_does_not_match_its_checksum_is_not_kept(self) -> None:
        path = self.wheel("changed")
        finder = self.finder()
        file = finder.files("changed")[0]
        packages.wheel(self.dists, "changed", "1.0", requires=["needed>=2"],
                       modules={"changed.py": "# not what the index page said\n"})
        self.assertMetadataOf(path, finder.metadata(file))
        self.assertIsNone(finder.downloaded(file))
        with self.assertRaises(UserError) as caught:
            finder.archive(file)
        self.assertIn("SHA256 checksum mismatch", str(caught.exception))

    def test_failures_as_without_ranges(self) -> None:
        path = self.big_wheel("failing")
        for status, expected in [(500, [_TAIL, "whole"]), (404, [_TAIL])]:
            finder = self.finder()
            file = finder.files("failing")[0]
            self.index.fail_status = status
            message = self.download_error(path)
            with self.assertRaises(UserError) as caught:
                finder.metadata(file)
            self.assertEqual(str(caught.exception), message)
            self.assertEqual(self.requests(path), expected)
            self.index.fail_status = None

