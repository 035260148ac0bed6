"""The installer as a whole: buildout's own distributions, markers, requirements, order."""

from __future__ import annotations

import importlib.metadata
import os
import tempfile
import threading
import unittest
from unittest import mock

from zc.buildout.dists.installer import Installer
from zc.buildout.dists.settings import InstallerSettings
from zc.buildout.errors import UserError
from zc.buildout.testing import packages
from zc.buildout.testing.index import FakeIndex


class InstallerTests(unittest.TestCase):
    def setUp(self) -> None:
        temporary = tempfile.TemporaryDirectory()
        self.addCleanup(temporary.cleanup)
        self.root = temporary.name
        dists = os.path.join(self.root, "dists")
        packages.wheel(dists, "packaging", "99.0")
        packages.wheel(dists, "demo", "1.0", requires=["packaging", "needed"])
        packages.wheel(dists, "needed", "1.0")
        self.index = FakeIndex(dists).start()
        self.addCleanup(self.index.stop)

    def installer(self, **options: object) -> Installer:
        settings = InstallerSettings(os.path.join(self.root, "eggs"),
                                     os.path.join(self.root, "develop-eggs"),
                                     index=self.index.simple, **options)  # type: ignore[arg-type]
        return Installer(settings)

    def test_own_distributions_come_from_the_running_environment(self) -> None:
        dists = self.installer().install(["demo"])
        self.assertEqual([(d.name, d.version) for d in dists], [
            ("demo", "1.0"),
            ("packaging", importlib.metadata.version("packaging")),
            ("needed", "1.0"),
        ])
        self.assertNotIn("GET /simple/packaging/", self.index.take_requests())
        packaging = dists[1]
        self.assertTrue(os.path.isfile(os.path.join(packaging.location, "packaging", "version.py")))
        # A copy of its own in the eggs directory, not the environment's site-packages.
        self.assertEqual(os.path.dirname(packaging.location), os.path.join(self.root, "eggs"))
        self.assertEqual(packaging.metadata.version, packaging.version)

    def test_own_distributions_are_copied_while_the_others_are_installed(self) -> None:
        from zc.buildout.dists.install import own_eggs
        from zc.buildout.dists.install.fetch import Fetcher

        copying = threading.Event()
        copy, materialise = own_eggs.own_egg, Fetcher.materialise

        def copied(*args: object, **keywords: object) -> object:
            copying.set()
            return copy(*args, **keywords)  # type: ignore[arg-type]

        def installing(*args: object, **keywords: object) -> object:
            # Installing the others waits for the copy to start: after them, it never would.
            self.assertTrue(copying.wait(timeout=30), "the copy waited for the others")
            return materialise(*args, **keywords)  # type: ignore[arg-type]

        with mock.patch.object(own_eggs, "own_egg", copied), \
                mock.patch.object(Fetcher, "materialise", installing):
            dists = self.installer().install(["demo"])
        self.assertEqual([d.name for d in dists], ["demo", "packaging", "needed"])
        self.assertEqual(os.path.dirname(dists[1].location), os.path.join(self.root, "eggs"))

    def test_each_file_is_downloaded_once(self) -> None:
        # Reading ahead starts the downloads while resolving; installing uses them.
        self.installer().install(["demo"])
        requests = self.index.take_requests()
        for wheel in ("demo-1.0-py3-none-any.whl", "needed-1.0-py3-none-any.whl"):
            self.assertEqual(requests.count(f"GET /files/{wheel}"), 1, requests)

    def test_installed_code_is_byte_compiled(self) -> None:
        demo = self.installer().install(["demo"])[0]
        self.assertEqual([name.split(".")[0] for name in os.listdir(
            os.path.join(demo.location, "__pycache__"))], ["demo"])

    def test_own_distributions_are_never_picked(self) -> None:
        installer = self.installer()
        installer.install(["demo"])
        self.assertEqual(installer.picked_versions.versions, {"demo": "1.0", "needed": "1.0"})

    def test_zc_buildout_itself(self) -> None:
        dist, *requirements = self.installer().install(["zc.buildout"])
        self.assertEqual(dist.name, "zc.buildout")
        self.assertIn("packaging", [r.name for r in requirements])
        self.assertEqual(self.index.take_requests(), [])
        self.assertTrue(os.path.isfile(os.path.join(dist.location, "zc", "buildout", "cli.py")))

    def test_requirements_with_false_markers_are_left_out(self) -> None:
        self.assertEqual(self.installer().install(['demo; python_version < "3"']), [])
        self.assertEqual(self.index.take_requests(), [])

    def test_invalid_requirement(self) -> None:
        with self.assertRaises(UserError) as caught:
            self.installer().install(["demo >> 1"])
        self.assertTrue(str(caught.exception).startswith("Invalid requirement 'demo >> 1': "))

    def test_pinned_downloads_in_the_cache_need_no_index(self) -> None:
        from zc.buildout.dists.settings import parse_pin

        pins = {name: parse_pin(name, "1.0") for name in ("demo", "needed")}
        installer = self.installer(download_cache=os.path.join(self.root, "cache"), pins=pins)
        installer.install(["demo"])
        self.assertIn("GET /simple/demo/", self.index.take_requests())
        import shutil

        shutil.rmtree(os.path.join(self.root, "eggs"))
        again = self.installer(download_cache=os.path.join(self.root, "cache"), pins=pins)
        dists = again.install(["demo"])
        self.assertEqual([d.name for d in dists], ["demo", "packaging", "needed"])
        self.assertEqual(self.index.take_requests(), [])

    def test_eggs_made_while_resolving_are_named_from_the_metadata_read(self) -> None:
        # Without metadata files on the index, a small wheel comes whole with the
        # read of its end: the egg made of it at once waits for that read to name it.
        self.index.metadata = False
        with mock.patch("zc.buildout.dists.install.wheel.wheel_metadata") as opened:
            dists = self.installer(download_cache=os.path.join(self.root, "cache")).install(["demo"])
        self.assertEqual([d.name for d in dists], ["demo", "packaging", "needed"])
        self.assertEqual(opened.call_count, 0)
        requests = self.index.take_requests()
        self.assertNotIn("GET /files/demo-1.0-py3-none-any.whl", requests)  # ranges only
        self.assertIn("GET /files/demo-1.0-py3-none-any.whl bytes=-65536", requests)

    def test_a_pinned_egg_made_while_resolving_is_linked_ahead(self) -> None:
        # Its egg is linked into the eggs directory (under a hidden name) as soon as the egg cache
        # has it; unpinned, the version read ahead may not be the one chosen, so it waits.
        import logging

        from zc.buildout.dists.install.fetch import Fetcher
        from zc.buildout.dists.settings import parse_pin

        asked: dict[str, bool] = {}
        prepare = Fetcher.prepare

        def preparing(fetcher: Fetcher, filename: str, *args: object, pinned: bool = False) -> None:
            asked[filename.split("-")[0]] = pinned
            prepare(fetcher, filename, *args, pinned=pinned)  # type: ignore[arg-type]

        installer = self.installer(download_cache=os.path.join(self.root, "cache"),
                                   pins={"demo": parse_pin("demo", "1.0")})
        with mock.patch.object(Fetcher, "prepare", preparing), \
                self.assertLogs("zc.buildout", logging.INFO) as said:
            dists = installer.install(["demo"])
        self.assertEqual(asked, {"demo": True, "needed": False})
        self.assertEqual([d.name for d in dists], ["demo", "packaging", "needed"])
        self.assertEqual(sorted(os.listdir(os.path.join(self.root, "eggs"))),
                         sorted(os.path.basename(dist.location) for dist in dists))  # nothing hidden left
        # Installing still says what it got.
        got = [record.getMessage() for record in said.records if record.getMessage().startswith("Got ")]
        self.assertEqual(got, ["Got demo 1.0.", "Got needed 1.0."])

    def test_one_installer_reads_each_page_once(self) -> None:
        installer = self.installer()
        installer.install(["needed"])
        installer.install(["demo"])
        requests = self.index.take_requests()
        self.assertEqual(requests.count("GET /simple/needed/"), 1)
