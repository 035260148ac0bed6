"""The Download API's edge cases and the archive unpacker's defences."""

from __future__ import annotations

import io
import logging
import os
import pathlib
import shutil
import tarfile
import tempfile
import unittest
import zipfile
from unittest import mock

from zc.buildout.errors import UserError
from zc.buildout.files.archives import UnrecognizedFormat, unpack_archive
from zc.buildout.net.download import ChecksumError, Download, DownloadError
from zc.buildout.testing.server import FileServer


class _Case(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = pathlib.Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.scratch = self.tmp / "scratch"
        self.scratch.mkdir()
        patcher = mock.patch.object(tempfile, "tempdir", str(self.scratch))
        patcher.start()
        self.addCleanup(patcher.stop)
        (self.tmp / "files").mkdir()
        (self.tmp / "files" / "data.txt").write_text("data\n")
        (self.tmp / "cache").mkdir()


class DownloadTests(_Case):
    def serve(self) -> str:
        server = FileServer(str(self.tmp / "files")).start()
        self.addCleanup(server.stop)
        return server.url

    def test_temporary_files_are_cleaned_up_on_every_failure(self) -> None:
        url = self.serve()
        download = Download({})
        for call in (
            lambda: download(url + "data.txt", md5sum="0" * 32),
            lambda: download(url + "data.txt", sha256="0" * 64),
            lambda: download(url + "nothing-here"),
        ):
            with self.assertRaises(DownloadError):
                call()
        self.assertEqual(os.listdir(self.scratch), [])
        path, is_temp = download(url + "data.txt")
        self.assertTrue(is_temp)
        self.assertEqual(os.listdir(self.scratch), [os.path.basename(path)])

    def test_bad_files_never_enter_the_cache(self) -> None:
        url = self.serve()
        download = Download({"download-cache": str(self.tmp / "cache")})
        with self.assertRaises(ChecksumError):
            download(url + "data.txt", md5sum="0" * 32)
        self.assertEqual(os.listdir(self.tmp / "cache"), [])

    def test_fallback_does_not_hide_checksum_errors(self) -> None:
        url = self.serve()
        download = Download({"download-cache": str(self.tmp / "cache")}, fallback=True)
        download(url + "data.txt")
        (self.tmp / "files" / "data.txt").write_text("changed\n")
        with self.assertRaises(ChecksumError):
            download(url + "data.txt", md5sum="0" * 32)
        self.assertEqual((self.tmp / "cache" / "data.txt").read_text(), "data\n")

    def test_fallback_offline_uses_the_cached_copy(self) -> None:
        url = self.serve()
        Download({"download-cache": str(self.tmp / "cache")})(url + "data.txt")
        offline = Download({"download-cache": str(self.tmp / "cache"), "offline": "true"}, fallback=True)
        path, is_temp = offline(url + "data.txt")
        self.assertEqual((path, is_temp), (str(self.tmp / "cache" / "data.txt"), False))

    def test_cache_steps_are_logged_as_upstream(self) -> None:
        url = self.serve()
        logger = logging.getLogger("foo")
        download = Download({"download-cache": str(self.tmp / "cache")}, namespace="cmmi", logger=logger)
        with self.assertLogs(logger, "DEBUG") as logged:
            download(url + "data.txt")
            download(url + "data.txt")
        cache = str(self.tmp / "cache" / "cmmi")
        self.assertEqual([line.split(":", 2)[2] for line in logged.output], [
            f"Searching cache at {cache}",
            f"Cache miss; will cache {url}data.txt as {cache}/data.txt",
            f"Downloading {url}data.txt",
            f"Searching cache at {cache}",
            f"Using cache file {cache}/data.txt",
        ])

    def test_directories_are_cached_once(self) -> None:
        source = self.tmp / "tree"
        (source / "sub").mkdir(parents=True)
        (source / "sub" / "f").write_text("1")
        download = Download({"download-cache": str(self.tmp / "cache")})
        path, _ = download(str(source))
        self.assertEqual((pathlib.Path(path) / "sub" / "f").read_text(), "1")
        (source / "sub" / "f").write_text("2")
        path, _ = download(str(source), path=str(self.tmp / "copy"))
        self.assertEqual((self.tmp / "copy" / "sub" / "f").read_text(), "1")

    def test_settings_from_options_and_arguments(self) -> None:
        options = {"download-cache": "c", "directory": str(self.tmp), "install-from-cache": "true"}
        self.assertTrue(Download(options).offline)
        self.assertFalse(Download(options, offline=False).offline)
        self.assertEqual(Download(options).download_cache, str(self.tmp / "c"))
        self.assertIsNone(Download(options, cache=None).download_cache)
        self.assertIsNone(Download(options, cache=None).cache_dir)
        self.assertEqual(Download(options, namespace="cmmi").cache_dir, str(self.tmp / "c" / "cmmi"))
        self.assertEqual(Download(options).cache_dir, os.path.join(self.tmp, "c", ""))
        self.assertEqual(Download({"socket-timeout": "2.5"}).client._timeout, 2.5)

    def test_filename(self) -> None:
        filename = Download({}).filename
        self.assertEqual(filename("http://host/a/b/"), "b")
        self.assertEqual(filename("http://host:8080/"), "host:8080")
        self.assertEqual(filename("http://joe:pw@host:8080"), "host:8080")
        self.assertEqual(filename("http://host/a.tgz?x=1"), "a.tgz")
        self.assertEqual(filename("/some/dir/"), "dir")
        self.assertEqual(filename("file:///some/file.txt"), "file.txt")

    def test_missing_local_resource(self) -> None:
        with self.assertRaises(UserError) as caught:
            Download({})(str(self.tmp / "nope"))
        self.assertEqual(str(caught.exception), f"Couldn't find the local resource '{self.tmp / 'nope'}'.")


def _tar(path: pathlib.Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> str:
    with tarfile.open(path, "w:gz") as archive:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return str(path)


def _file(name: str, mode: int = 0o644) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mode = mode
    return info


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


class ArchiveTests(_Case):
    def unpacked(self) -> list[str]:
        root = self.tmp / "out"
        return sorted(str(p.relative_to(root)) for p in root.rglob("*"))

    def test_traversal_attempts_are_skipped(self) -> None:
        archive = _tar(self.tmp / "a.tgz", [
            (_file("pkg/ok.txt"), b"ok"),
            (_file("../evil.txt"), b"x"),
            (_file("pkg/../../evil2.txt"), b"x"),
            (_file("/tmp/evil3.txt"), b"x"),
            (_link("pkg/passwd", "/etc/passwd"), None),
            (_link("pkg/up", "../../evil.txt"), None),
            (_link("pkg/hard", "pkg/ok.txt", tarfile.LNKTYPE), None),
        ])
        with self.assertLogs("zc.buildout", "WARNING") as logged:
            unpack_archive(archive, str(self.tmp / "out"))
        self.assertEqual(self.unpacked(), ["pkg", "pkg/hard", "pkg/ok.txt"])
        self.assertEqual((self.tmp / "out" / "pkg" / "hard").read_bytes(), b"ok")
        self.assertFalse((self.tmp / "evil.txt").exists())
        self.assertEqual(len(logged.output), 5)

    def test_symlink_inside_the_archive_becomes_a_copy(self) -> None:
        archive = _tar(self.tmp / "a.tgz", [(_file("pkg/real", 0o755), b"#!"), (_link("pkg/alias", "real"), None)])
        unpack_archive(archive, str(self.tmp / "out"))
        alias = self.tmp / "out" / "pkg" / "alias"
        self.assertFalse(alias.is_symlink())
        self.assertEqual(alias.read_bytes(), b"#!")
        self.assertEqual(alias.stat().st_mode & 0o777, 0o755)

    def test_never_writes_through_an_existing_link(self) -> None:
        (self.tmp / "out").mkdir()
        (self.tmp / "victim").write_text("keep")
        os.symlink(self.tmp / "victim", self.tmp / "out" / "f")
        unpack_archive(_tar(self.tmp / "a.tgz", [(_file("f"), b"new")]), str(self.tmp / "out"))
        self.assertEqual((self.tmp / "victim").read_text(), "keep")
        self.assertEqual((self.tmp / "out" / "f").read_text(), "new")

    def test_zip_with_filter_and_traversal(self) -> None:
        path = self.tmp / "a.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("top/bin/run", "#!")
            archive.writestr("top/data.txt", "d")
            archive.writestr("../evil.txt", "x")
            archive.getinfo("top/bin/run").external_attr = 0o755 << 16
        with zipfile.ZipFile(path, "a") as archive:
            info = zipfile.ZipInfo("top/bin/tool")
            info.external_attr = 0o755 << 16
            archive.writestr(info, "#!")

        def strip_top(name: str, target: str) -> str | None:
            if name.endswith(".txt"):
                return None
            return str(self.tmp / "out" / name.split("/", 1)[1])

        with self.assertLogs("zc.buildout", "WARNING"):
            unpack_archive(str(path), str(self.tmp / "out"), strip_top)
        self.assertEqual(self.unpacked(), ["bin", "bin/run", "bin/tool"])
        self.assertEqual((self.tmp / "out" / "bin" / "tool").stat().st_mode & 0o777, 0o755)

    def test_unrecognized_and_corrupt(self) -> None:
        (self.tmp / "plain.txt").write_text("not an archive")
        with self.assertRaises(UnrecognizedFormat) as caught:
            unpack_archive(str(self.tmp / "plain.txt"), str(self.tmp / "out"))
        self.assertEqual(str(caught.exception), f"Not a recognized archive type: {self.tmp / 'plain.txt'}")
        good = pathlib.Path(_tar(self.tmp / "a.tgz", [(_file("f"), os.urandom(100000))]))
        (self.tmp / "cut.tgz").write_bytes(good.read_bytes()[:200])
        with self.assertRaises(UserError) as caught:
            unpack_archive(str(self.tmp / "cut.tgz"), str(self.tmp / "out"))
        self.assertTrue(str(caught.exception).startswith(f"Couldn't unpack {self.tmp / 'cut.tgz'}:"))

    def test_directory_is_copied(self) -> None:
        (self.tmp / "tree" / "a").mkdir(parents=True)
        (self.tmp / "tree" / "a" / "f").write_text("1")
        unpack_archive(str(self.tmp / "tree"), str(self.tmp / "out"))
        self.assertEqual(self.unpacked(), ["a", "a/f"])
