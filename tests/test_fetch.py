"""Materialising picked files: downloads, checksums, the download cache, sdist builds, progress."""

from __future__ import annotations

import io
import logging
import os
import shutil

from tests.builder_fixtures import ScratchTestCase
from zc.buildout.dists.build.sdist_metadata import sdist_metadata
from zc.buildout.dists.install.fetch import PickedFile, materialise
from zc.buildout.dists.install.progress import Progress, terminal_progress
from zc.buildout.dists.store.archive_cache import sha256_of
from zc.buildout.dists.store.state import download_cache_state, eggs_state
from zc.buildout.errors import UserError
from zc.buildout.net.httpclient import HTTPClient
from zc.buildout.testing import packages
from zc.buildout.testing.server import FileServer


def picked(path: str, url: str | None = None, *, checked: bool = True, requirement: str | None = None
           ) -> PickedFile:
    filename = os.path.basename(path)
    name, version = filename.split("-")[:2]
    version = version.removesuffix(".tar.gz")
    return PickedFile(name, version, filename, url or f"file://{path}",
                      sha256_of(path) if checked else None, requirement)


class FetchTests(ScratchTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.log = io.StringIO()
        handler = logging.StreamHandler(self.log)
        logger = logging.getLogger("zc.buildout")
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)
        old_level = logger.level
        logger.setLevel(logging.INFO)
        self.addCleanup(logger.setLevel, old_level)
        self.dist = self.path("dist")

    def materialise(self, files: list[PickedFile], **changes: object) -> list[str]:
        settings = self.settings._replace(**changes)  # type: ignore[arg-type]
        return [os.path.basename(d.location) for d in materialise(files, settings, HTTPClient())]

    def test_wheels_and_sdists_from_local_files(self) -> None:
        files = [picked(packages.wheel(self.dist, "a", "1.0"), requirement="a>=1"),
                 picked(packages.sdist(self.dist, "b", "2.0")),
                 picked(packages.wheel(self.dist, "c", "3.0"), checked=False)]
        names = self.materialise(files)
        self.assertEqual([n.split("-py")[0] for n in names], ["a-1.0", "b-2.0", "c-3.0"])
        self.assertEqual(self.log.getvalue(), (
            "Getting distribution for 'a>=1'.\nGot a 1.0.\n"
            "Getting distribution for 'b'.\nGot b 2.0.\n"
            "Getting distribution for 'c'.\nGot c 3.0.\n"))
        self.log.truncate(0)
        self.log.seek(0)
        self.assertEqual(self.materialise(files), names)
        self.assertEqual(self.log.getvalue(), "")

    def test_checksum_mismatch(self) -> None:
        wheel = packages.wheel(self.dist, "a", "1.0")
        bad = PickedFile("a", "1.0", os.path.basename(wheel), wheel, "0" * 64)
        with self.assertRaises(UserError) as caught:
            self.materialise([bad])
        self.assertIn("SHA256 checksum mismatch", str(caught.exception))
        self.assertEqual(os.listdir(self.settings.eggs_directory) if os.path.isdir(
            self.settings.eggs_directory) else [], [])

    def test_over_http_into_the_download_cache(self) -> None:
        wheels = [packages.wheel(self.dist, f"d{i}", "1.0") for i in range(5)]
        sdist = packages.sdist(self.dist, "s", "1.0")
        with FileServer(self.dist).start() as server:
            files = [picked(p, server.url + os.path.basename(p)) for p in [*wheels, sdist]]
            self.materialise(files, download_cache=self.path("cache"))
            self.assertEqual(len(server.requests), 6)
        self.assertEqual(sorted(os.listdir(self.path("cache", "dist"))),
                         sorted(os.path.basename(p) for p in [*wheels, sdist]))
        # With install-from-cache, the server is not needed any more.
        shutil.rmtree(self.settings.eggs_directory)
        self.materialise(files, download_cache=self.path("cache"), install_from_cache=True)
        self.assertEqual(len(os.listdir(self.settings.eggs_directory)), 6)  # eggs only

    def test_install_from_cache_uses_only_the_cache(self) -> None:
        wheel = packages.wheel(self.dist, "a", "1.0")
        with self.assertRaises(UserError) as caught:
            self.materialise([picked(wheel)], download_cache=self.path("cache"), install_from_cache=True)
        self.assertEqual(str(caught.exception), (
            f"Couldn't find a-1.0-py3-none-any.whl in the download cache {self.path('cache', 'dist')}.\n"
            "install-from-cache is on: buildout installs only what the cache holds."))
        with self.assertRaises(UserError) as caught:
            self.materialise([picked(wheel)], install_from_cache=True)
        self.assertIn("install-from-cache is on, but there is no download-cache.", str(caught.exception))

    def test_built_wheels_are_kept_in_the_download_cache(self) -> None:
        sdist = picked(packages.sdist(self.dist, "s", "1.0"))
        self.materialise([sdist], download_cache=self.path("cache"))
        built = download_cache_state(self.path("cache"), "built", sdist.sha256 or "")
        self.assertEqual(os.listdir(self.path("cache", "dist")), ["s-1.0.tar.gz"])  # archives only
        (wheel,) = os.listdir(built)
        self.assertEqual(wheel, "s-1.0-py3-none-any.whl")
        stamp = os.stat(os.path.join(built, wheel)).st_mtime_ns
        shutil.rmtree(self.settings.eggs_directory)
        self.materialise([sdist], download_cache=self.path("cache"))
        self.assertEqual(os.stat(os.path.join(built, wheel)).st_mtime_ns, stamp)

    def test_build_failures_name_the_distribution(self) -> None:
        sdist = picked(packages.sdist(self.dist, "s", "1.0", fail="no compiler"))
        with self.assertRaises(UserError) as caught:
            self.materialise([sdist])
        self.assertEqual(str(caught.exception), (
            "Couldn't build s 1.0: the build backend 'tiny_backend' failed:\n"
            "  tiny_backend: refusing to build: no compiler"))
        self.assertEqual(self.log.getvalue(), "Getting distribution for 's'.\n")

    def test_sdist_metadata(self) -> None:
        reliable = packages.sdist(self.dist, "r", "1.0", requires=["x"])
        self.assertEqual(sdist_metadata(reliable, self.environments).get_all("Requires-Dist"), ["x"])
        self.assertFalse(os.path.exists(eggs_state(self.path("eggs"), "metadata", create=False)))
        for version, options in [("2.0", {"metadata_version": "2.1"}),
                                 ("3.0", {"dynamic": ["Requires-Dist"]})]:
            with self.subTest(version=version):
                sdist = packages.sdist(self.dist, "p", version, requires=["y>1"], **options)  # type: ignore[arg-type]
                metadata = sdist_metadata(sdist, self.environments)
                self.assertEqual((metadata["Version"], metadata.get_all("Requires-Dist")), (version, ["y>1"]))
        self.assertEqual(len(os.listdir(eggs_state(self.path("eggs"), "metadata"))), 2)
        self.assertFalse(os.path.exists(self.path("eggs")))  # the eggs directory holds eggs only


class ProgressTests(ScratchTestCase):
    def test_the_line(self) -> None:
        stream = io.StringIO()
        progress = Progress(3, stream, interval=3600)
        progress.add_bytes(1_500_000)
        progress.file_done()
        progress.add_bytes(10)  # not drawn: too soon
        progress.clear()
        self.assertEqual(stream.getvalue(), (
            "\r\x1b[KInstalling distributions: 0/3, 1.5 MB downloaded"
            "\r\x1b[KInstalling distributions: 1/3, 1.5 MB downloaded\r\x1b[K"))

    def test_nothing_when_output_is_not_a_terminal(self) -> None:
        progress = terminal_progress(3)
        progress.file_done()
        progress.clear()
        self.assertIsNone(progress._stream)
