"""Remembered resolutions: reused only while nothing they depend on changed."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from unittest import mock

from tests.builder_fixtures import ScratchTestCase
from zc.buildout.dists.install.wheel import install_wheel
from zc.buildout.dists.installer import Installer
from zc.buildout.dists.resolve import resolver
from zc.buildout.dists.settings import Pin
from zc.buildout.dists.store.distinfo import DistInfo
from zc.buildout.dists.store.state import eggs_state
from zc.buildout.errors import UserError
from zc.buildout.testing import packages
from zc.buildout.testing.index import FakeIndex


class RememberedTests(ScratchTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.install("demo", "1.0", requires=["needed"])
        self.install("needed", "1.0")
        self.settings = self.settings._replace(pins=pins(demo="1.0", needed="1.0"))
        resolving = mock.patch.object(resolver, "resolve", wraps=resolver.resolve)
        self.resolve = resolving.start()
        self.addCleanup(resolving.stop)

    def install(self, name: str, version: str, **options: object) -> None:
        wheel = packages.wheel(self.path("dists"), name, version, **options)  # type: ignore[arg-type]
        install_wheel(wheel, self.settings.eggs_directory)

    def resolved(self, requirements: Sequence[str] = ("demo",), **changes: object) -> list[tuple[str, str]]:
        """What an installer with these settings gives, and whether it resolved (else: remembered)."""
        settings = self.settings._replace(**changes)  # type: ignore[arg-type]
        calls = self.resolve.call_count
        found = Installer(settings).install(requirements)
        self.resolved_again = self.resolve.call_count > calls
        return [(dist.name, dist.version) for dist in found]

    def remembered(self) -> list[str]:
        directory = eggs_state(self.settings.eggs_directory, "resolutions", create=False)
        return sorted(os.listdir(directory)) if os.path.isdir(directory) else []

    def test_remembered_again_once_the_working_state_was_removed(self) -> None:
        self.resolved()
        shutil.rmtree(eggs_state(self.settings.eggs_directory))
        self.resolved()
        self.assertTrue(self.resolved_again)
        self.assertEqual(len(self.remembered()), 1)
        self.resolved()
        self.assertFalse(self.resolved_again)

    def test_recalling_them_loads_no_openssl_nor_version_parser(self) -> None:
        code = ("import sys\n"
                "from zc.buildout.dists.installer import Installer\n"
                "from zc.buildout.dists.settings import InstallerSettings\n"
                "settings = InstallerSettings(*sys.argv[1:], newest=False, offline=True)\n"
                "Installer(settings).install(['demo'])\n"
                "print('resolvelib' in sys.modules, '_hashlib' in sys.modules,"
                " 'packaging.version' in sys.modules)\n")
        for resolved in (True, False):
            completed = subprocess.run([sys.executable, "-c", code, *self.settings[:2]],
                                       capture_output=True, text=True, check=True)
            self.assertEqual(completed.stdout, f"{resolved} False {resolved}\n")

    def test_a_resolution_from_installed_distributions_is_reused(self) -> None:
        first = self.resolved()
        self.assertTrue(self.resolved_again)
        self.assertEqual(len(self.remembered()), 1)
        self.assertEqual(self.resolved(), first)
        self.assertFalse(self.resolved_again)
        self.assertEqual(first, [("demo", "1.0"), ("needed", "1.0")])

    def test_the_same_distributions_as_resolving_gives(self) -> None:
        first = Installer(self.settings).install(["demo"])
        again = Installer(self.settings).install(["demo"])
        self.assertEqual(again, first)
        self.assertEqual([dist.metadata.path for dist in again], [dist.metadata.path for dist in first])

    def test_a_remembered_resolution_reads_no_metadata(self) -> None:
        # It keeps the headers it was made from: their files are only checked unchanged.
        first = Installer(self.settings).install(["demo"])
        with mock.patch.object(DistInfo, "_headers_text", side_effect=AssertionError("read")):
            again = Installer(self.settings).install(["demo"])
            self.assertEqual([list(dist.metadata.metadata) for dist in again],
                             [list(dist.metadata.metadata) for dist in first])
            self.assertEqual(again[0].metadata.requires, ["needed"])

    def test_other_requirements_pins_or_settings_resolve_again(self) -> None:
        self.resolved()
        for requirements, changes in (
            (["needed"], {}),
            (["demo", "needed"], {}),
            (["demo"], {"pins": pins(demo="1.0", needed="1.0", other="2.0")}),
            (["demo"], {"prefer_final": False}),
            (["demo"], {"develop_eggs_directory": self.path("other-develop-eggs")}),
        ):
            self.resolved(requirements, **changes)
            self.assertTrue(self.resolved_again, (requirements, changes))
            self.resolved(requirements, **changes)
            self.assertFalse(self.resolved_again, (requirements, changes))

    def test_a_changed_eggs_directory_resolves_again(self) -> None:
        self.assertEqual(self.resolved(newest=False, pins={}), [("demo", "1.0"), ("needed", "1.0")])
        self.install("needed", "2.0")
        self.assertEqual(self.resolved(newest=False, pins={}), [("demo", "1.0"), ("needed", "2.0")])
        self.assertTrue(self.resolved_again)

    def test_an_egg_changed_in_place_resolves_again(self) -> None:
        self.resolved()
        demo = next(dist for dist in Installer(self.settings).install(["demo"]) if dist.name == "demo")
        metadata = os.path.join(demo.metadata.path, "METADATA")
        with open(metadata, encoding="utf-8") as file:
            text = file.read()
        with open(metadata, "w", encoding="utf-8") as file:
            file.write(text.replace("Requires-Dist: needed\n", ""))
        self.assertEqual(self.resolved(), [("demo", "1.0")])
        self.assertTrue(self.resolved_again)

    def test_a_changed_develop_project_resolves_again(self) -> None:
        from zc.buildout.dists.install.editable import install_editable

        self.install("extra", "1.0")
        project = packages.project(self.path("demo-project"), "demo", "3.0")
        install_editable(project, self.environments)
        self.assertEqual(self.resolved(pins=pins(extra="1.0")), [("demo", "3.0")])
        self.resolved(pins=pins(extra="1.0"))
        self.assertFalse(self.resolved_again)
        packages.project(project, "demo", "3.0", requires=["extra"])
        install_editable(project, self.environments)
        self.assertEqual(self.resolved(pins=pins(extra="1.0")), [("demo", "3.0"), ("extra", "1.0")])
        self.assertTrue(self.resolved_again)

    def test_another_python_or_environment_resolves_again(self) -> None:
        self.resolved()
        with mock.patch.object(sys, "version", sys.version + " (another build)"):
            self.resolved()
        self.assertTrue(self.resolved_again)
        if hasattr(os, "uname"):  # another machine (the markers' platform_machine)
            uname = os.uname()
            other = os.uname_result((uname.sysname, uname.nodename, uname.release, uname.version, "other"))
            with mock.patch.object(os, "uname", return_value=other):
                self.resolved()
            self.assertTrue(self.resolved_again)
        os.makedirs(self.path("on-the-path"))
        with mock.patch.object(sys, "path", [*sys.path, self.path("on-the-path")]):
            self.resolved()
            self.assertTrue(self.resolved_again)
            self.resolved()
            self.assertFalse(self.resolved_again)
            with open(self.path("on-the-path", "unrelated.txt"), "w", encoding="utf-8") as file:
                file.write("\n")
            self.resolved()
            self.assertFalse(self.resolved_again)
            os.makedirs(self.path("on-the-path", "new-1.0.dist-info"))
            self.resolved()
            self.assertTrue(self.resolved_again)
            self.resolved()
            self.assertFalse(self.resolved_again)
            with open(self.path("on-the-path", "new-1.0.dist-info", "METADATA"), "w", encoding="utf-8") as file:
                file.write("Name: new\nVersion: 1.0\n")
            self.resolved()
            self.assertTrue(self.resolved_again)

    def test_with_warnings_hidden_a_resolution_is_kept_apart(self) -> None:
        self.resolved()
        with mock.patch.object(logging.getLogger("zc.buildout"), "level", logging.ERROR):
            self.resolved()
            self.assertTrue(self.resolved_again)

    def test_not_remembered_when_something_was_warned_about(self) -> None:
        with self.assertLogs("zc.buildout", logging.WARNING):
            self.resolved(["demo[nothing]"], allow_unknown_extras=True)
        self.assertEqual(self.remembered(), [])

    def test_pinned_and_installed_from_the_index_is_remembered_once_installed(self) -> None:
        index = FakeIndex(self.path("dists")).start()
        self.addCleanup(index.stop)
        packages.wheel(self.path("dists"), "other", "2.0", requires=["needed"])
        settings = {"index": index.simple, "pins": pins(demo="1.0", needed="1.0", other="2.0")}
        self.assertEqual(self.resolved(["other"], **settings), [("other", "2.0"), ("needed", "1.0")])
        self.assertTrue(self.resolved_again)
        self.assertEqual(len(self.remembered()), 1)
        index.take_requests()
        self.assertEqual(self.resolved(["other"], **settings), [("other", "2.0"), ("needed", "1.0")])
        self.assertFalse(self.resolved_again)
        self.assertEqual(index.take_requests(), [])

    def pinned_from_the_index(self, **changes: object) -> tuple[FakeIndex, dict[str, object]]:
        """An index offering ``other 2.0``, and settings pinning all: ``other`` is installed from it."""
        index = FakeIndex(self.path("dists")).start()
        self.addCleanup(index.stop)
        packages.wheel(self.path("dists"), "other", "2.0", requires=["needed"])
        shutil.rmtree(self.settings.eggs_directory)
        settings = {"index": index.simple, "pins": pins(demo="1.0", needed="1.0", other="2.0"), **changes}
        self.assertEqual(self.resolved(["other"], **settings), [("other", "2.0"), ("needed", "1.0")])
        self.assertTrue(self.resolved_again)
        index.take_requests()
        return index, settings

    def test_an_emptied_eggs_directory_installs_the_pinned_plan_again_without_the_index(self) -> None:
        index, settings = self.pinned_from_the_index(download_cache=self.path("cache"))
        shutil.rmtree(self.settings.eggs_directory)
        # The eggs made again from the same files have the metadata the plan keeps: none is read.
        with mock.patch.object(DistInfo, "_headers_text", side_effect=AssertionError("read")):
            self.assertEqual(self.resolved(["other"], **settings), [("other", "2.0"), ("needed", "1.0")])
        self.assertFalse(self.resolved_again)
        self.assertEqual(index.take_requests(), [])  # the files came from the download cache
        self.assertEqual([name.split("-py")[0] for name in sorted(os.listdir(self.settings.eggs_directory))],
                         ["needed-1.0", "other-2.0"])
        self.assertEqual(self.resolved(["other"], **settings), [("other", "2.0"), ("needed", "1.0")])
        self.assertFalse(self.resolved_again)

    def test_without_a_download_cache_the_plan_downloads_its_files_alone(self) -> None:
        index, settings = self.pinned_from_the_index()
        [needed] = [name for name in os.listdir(self.settings.eggs_directory) if name.startswith("needed-")]
        shutil.rmtree(os.path.join(self.settings.eggs_directory, needed))
        self.assertEqual(self.resolved(["other"], **settings), [("other", "2.0"), ("needed", "1.0")])
        self.assertFalse(self.resolved_again)
        [request] = index.take_requests()
        self.assertEqual(request, "GET /files/needed-1.0-py3-none-any.whl")

    def test_a_plan_of_files_from_the_download_cache_keeps_the_digests_their_eggs_record(self) -> None:
        index, settings = self.pinned_from_the_index(download_cache=self.path("cache"))
        # Other requirements: resolved again, from the files the download cache has (no digest given).
        shutil.rmtree(self.settings.eggs_directory)
        self.assertEqual(self.resolved(["other", "needed"], **settings), [("other", "2.0"), ("needed", "1.0")])
        self.assertTrue(self.resolved_again)
        self.assertEqual(index.take_requests(), [])
        # With the digests, the next run links the eggs the egg cache keeps: the files are not needed.
        shutil.rmtree(self.settings.eggs_directory)
        shutil.rmtree(self.path("cache", "dist"))
        self.assertEqual(self.resolved(["other", "needed"], **settings), [("other", "2.0"), ("needed", "1.0")])
        self.assertFalse(self.resolved_again)
        self.assertEqual(index.take_requests(), [])

    def test_a_plan_is_not_used_once_a_pin_changes(self) -> None:
        index, settings = self.pinned_from_the_index(download_cache=self.path("cache"))
        packages.wheel(self.path("dists"), "needed", "1.1")
        shutil.rmtree(self.settings.eggs_directory)
        settings["pins"] = pins(demo="1.0", needed="1.1", other="2.0")
        self.assertEqual(self.resolved(["other"], **settings), [("other", "2.0"), ("needed", "1.1")])
        self.assertTrue(self.resolved_again)

    def test_the_index_password_is_not_stored(self) -> None:
        index = FakeIndex(self.path("dists")).start()
        self.addCleanup(index.stop)
        index.credentials = ("joe", "s3cret")
        secret_index = index.simple.replace("http://", "http://joe:s3cret@")
        self.assertEqual(self.resolved(index=secret_index), [("demo", "1.0"), ("needed", "1.0")])
        [name] = self.remembered()
        directory = eggs_state(self.settings.eggs_directory, "resolutions", create=False)
        with open(os.path.join(directory, name), "rb") as file:
            self.assertNotIn(b"s3cret", file.read())
        self.resolved(index=secret_index)
        self.assertFalse(self.resolved_again)

    def test_not_remembered_when_the_index_picked_versions(self) -> None:
        index = FakeIndex(self.path("dists")).start()
        self.addCleanup(index.stop)
        self.assertEqual(self.resolved(index=index.simple, pins={}), [("demo", "1.0"), ("needed", "1.0")])
        self.assertEqual(self.remembered(), [])
        self.resolved(index=index.simple, pins={})
        self.assertTrue(self.resolved_again)

    def test_unreadable_or_unwritable_means_resolving(self) -> None:
        self.resolved()
        [name] = self.remembered()
        path = eggs_state(self.settings.eggs_directory, "resolutions", name, create=False)
        with open(path, "w", encoding="utf-8") as file:
            file.write("{not json")
        self.resolved()
        self.assertTrue(self.resolved_again)
        self.resolved()
        self.assertFalse(self.resolved_again)
        shutil.rmtree(os.path.dirname(path))
        with open(os.path.dirname(path), "w", encoding="utf-8") as file:
            file.write("not a directory: nothing can be remembered")
        for _ in range(2):
            self.assertEqual(self.resolved(), [("demo", "1.0"), ("needed", "1.0")])
            self.assertTrue(self.resolved_again)

    def test_picked_versions_are_told_as_when_resolving(self) -> None:
        settings = self.settings._replace(pins=pins(demo="1.0"), newest=False)
        for resolving in (True, False):
            installer = Installer(settings)
            installer.install(["demo"])
            self.assertEqual(self.resolve.called, resolving)
            self.assertEqual(installer.picked_versions.versions, {"needed": "1.0"})
            self.assertEqual(installer.picked_versions.required_by, {"needed": {"demo==1.0"}})
            self.resolve.reset_mock()
        strict = settings._replace(allow_picked_versions=False)
        for _ in range(2):
            with self.assertRaisesRegex(UserError, "Picked: needed = 1.0"):
                Installer(strict).install(["demo"])
        # A resolution refused for its picked versions is never installed, so never remembered.
        self.assertEqual(self.resolve.call_count, 2)

    def test_only_the_newest_are_kept(self) -> None:
        from zc.buildout.dists.resolve import remembered

        with mock.patch.object(remembered, "_KEPT", 2):
            for version in ("1.0", "1.1", "1.2"):
                self.resolved(pins=pins(demo="1.0", needed="1.0", other=version))
        self.assertEqual(len(self.remembered()), 2)


def pins(**versions: str) -> dict[str, Pin]:
    return {name: Pin(name, f"=={version}") for name, version in versions.items()}
