"""Zipped eggs: their metadata, which fit, and installing one as an egg directory."""

from __future__ import annotations

import concurrent.futures
import os
import sys
import sysconfig
import zipfile

from tests.builder_fixtures import ScratchTestCase, tree
from zc.buildout.dists.find.pages import distribution_file
from zc.buildout.dists.find.usable import Usability
from zc.buildout.dists.install.egg import install_egg
from zc.buildout.dists.install.fetch import PickedFile, materialise
from zc.buildout.dists.installer import Installer
from zc.buildout.dists.metadata import headers_of_egg
from zc.buildout.dists.store.archive_cache import sha256_of
from zc.buildout.dists.store.eggs import ARCHIVE_RECORD, InstalledEggs
from zc.buildout.errors import UserError
from zc.buildout.net.httpclient import HTTPClient
from zc.buildout.testing import packages

PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"
DECLARE = "__import__('pkg_resources').declare_namespace(__name__)\n"


class EggMetadataTests(ScratchTestCase):
    def test_requirements_come_from_requires_txt(self) -> None:
        egg = packages.egg(self.path("dist"), "Demo.Pkg", "1.0",
                           requires=["needed>=1", 'windows-only; sys_platform == "win32"'],
                           extras={"test": ["checker"]})
        headers = headers_of_egg(egg, os.path.basename(egg))
        self.assertEqual((headers["Name"], headers["Version"]), ("Demo.Pkg", "1.0"))
        self.assertEqual(headers.get_all("Requires-Dist"), [
            "needed>=1", 'windows-only; sys_platform == "win32"', 'checker; extra == "test"'])

    def test_a_broken_egg_is_named(self) -> None:
        empty = self.path("empty-1.0-py3.11.egg")
        zipfile.ZipFile(empty, "w").close()
        with self.assertRaises(UserError) as caught:
            headers_of_egg(empty, "empty-1.0-py3.11.egg")
        self.assertEqual(str(caught.exception), "The egg empty-1.0-py3.11.egg has no EGG-INFO/PKG-INFO file.")
        with open(empty, "w") as file:
            file.write("not a zip file")
        with self.assertRaises(UserError) as caught:
            headers_of_egg(empty, "empty-1.0-py3.11.egg")
        self.assertEqual(str(caught.exception), "The egg empty-1.0-py3.11.egg is not a valid zip file.")


class EggChoiceTests(ScratchTestCase):
    def choose(self, *filenames: str) -> str:
        files = [distribution_file(f"file:///dist/{name}") for name in filenames]
        chosen = Usability(["*"]).choose(file for file in files if file is not None)
        return chosen if isinstance(chosen, str) else chosen.filename

    def test_an_egg_for_this_python_comes_after_wheels_and_before_sdists(self) -> None:
        egg = f"demo-1.0-py{PYTHON}.egg"
        self.assertEqual(self.choose("demo-1.0.tar.gz", egg), egg)
        self.assertEqual(self.choose(egg, "demo-1.0-py3-none-any.whl"), "demo-1.0-py3-none-any.whl")
        platform = f"demo-1.0-py{PYTHON}-{sysconfig.get_platform()}.egg"
        self.assertEqual(self.choose("demo-1.0.tar.gz", platform), platform)

    def test_an_egg_for_another_python_or_platform_is_not_usable(self) -> None:
        self.assertEqual(self.choose("demo-1.0-py2.7.egg"), "no egg for this Python and platform")
        self.assertEqual(self.choose(f"demo-1.0-py{PYTHON}-nowhere-arm.egg"),
                         "no egg for this Python and platform")
        self.assertEqual(self.choose("demo-1.0-py2.7.egg", "demo-1.0.tar.gz"), "demo-1.0.tar.gz")


class TagsTests(ScratchTestCase):
    def test_the_interpreters_tags_are_listed_once_a_process(self) -> None:
        # Each installation of a run (a part, a build's requirements) has its own Usability.
        from unittest import mock

        from zc.buildout.dists.find import usable

        usable._tag_ranks.cache_clear()
        self.addCleanup(usable._tag_ranks.cache_clear)
        wheel = distribution_file("file:///dist/demo-1.0-py3-none-any.whl")
        assert wheel is not None
        with mock.patch.object(usable, "sys_tags", wraps=usable.sys_tags) as listed:
            judges = [Usability(["*"]) for _ in range(3)]
            # The threads reading an installation's index pages judge files at once.
            with concurrent.futures.ThreadPoolExecutor(6) as threads:
                chosen = list(threads.map(lambda judge: judge.choose([wheel]), judges * 2))
        self.assertEqual(chosen, [wheel] * 6)
        self.assertEqual(listed.call_count, 1)


class EggInstallTests(ScratchTestCase):
    def test_unpacked_as_it_is(self) -> None:
        egg = packages.egg(self.path("dist"), "Tiny-Pkg", "1.0", requires=["needed"], modules={
            "tiny/__init__.py": "def main():\n    return 42\n", "tiny/tool.sh": "#!/bin/sh\n"},
            entry_points={"console_scripts": {"tiny": "tiny:main"}})
        with zipfile.ZipFile(egg, "a") as archive:  # as bdist_egg keeps a script's mode
            info = zipfile.ZipInfo("EGG-INFO/scripts/tiny-tool")
            info.external_attr = 0o100755 << 16
            archive.writestr(info, "#!/bin/sh\n")
        dist = install_egg(egg, self.settings.eggs_directory, archive_sha256=sha256_of(egg))
        location = self.path("eggs", f"Tiny_Pkg-1.0-py{PYTHON}.egg")
        self.assertEqual((dist.name, dist.version, dist.location), ("Tiny-Pkg", "1.0", location))
        self.assertEqual(tree(location), [
            "EGG-INFO/BUILDOUT_ARCHIVE_SHA256", "EGG-INFO/PKG-INFO", "EGG-INFO/entry_points.txt",
            "EGG-INFO/not-zip-safe", "EGG-INFO/requires.txt", "EGG-INFO/scripts/tiny-tool",
            "EGG-INFO/top_level.txt", "tiny/__init__.py", "tiny/tool.sh"])
        self.assertTrue(os.access(os.path.join(location, "EGG-INFO", "scripts", "tiny-tool"), os.X_OK))
        self.assertFalse(os.access(os.path.join(location, "tiny", "tool.sh"), os.X_OK))
        self.assertTrue(os.listdir(os.path.join(location, "tiny", "__pycache__")))
        with open(os.path.join(location, "EGG-INFO", ARCHIVE_RECORD)) as record:
            self.assertEqual(record.read(), f"{sha256_of(egg)}\n")
        (found,) = InstalledEggs(self.settings.eggs_directory, self.settings.develop_eggs_directory)
        self.assertEqual((found.key, found.version, found.location), ("tiny-pkg", "1.0", location))
        self.assertEqual([str(r) for r in found.requires()], ["needed"])
        self.assertEqual([point.name for point in found.metadata.entry_points], ["tiny"])
        # Installed already: left as it is.
        self.assertEqual(install_egg(egg, self.settings.eggs_directory), dist)

    def test_legacy_namespace_inits_are_dropped(self) -> None:
        egg = packages.egg(self.path("dist"), "ns.part", "1.0", modules={
            "ns/__init__.py": DECLARE, "ns/part/__init__.py": "value = 1\n"})
        dist = install_egg(egg, self.settings.eggs_directory, byte_compile=False)
        self.assertEqual([name for name in tree(dist.location) if not name.startswith("EGG-INFO")],
                         ["ns/part/__init__.py"])

    def test_a_path_outside_the_egg_is_refused(self) -> None:
        egg = packages.egg(self.path("dist"), "evil", "1.0", modules={"../evil.py": "x = 1\n"})
        with self.assertRaises(UserError) as caught:
            install_egg(egg, self.settings.eggs_directory)
        self.assertEqual(str(caught.exception), f"The egg evil-1.0-py{PYTHON}.egg holds ../evil.py, a path"
                         " outside its egg directory.\nThe egg is malformed: nothing of it was installed.")
        self.assertEqual(os.listdir(self.settings.eggs_directory), [])
        self.assertFalse(os.path.exists(self.path("evil.py")))

    def test_installed_by_another_buildout_meanwhile(self) -> None:
        egg = packages.egg(self.path("dist"), "demo", "1.0")
        install_egg(egg, self.path("other"))
        target = self.path("eggs", f"demo-1.0-py{PYTHON}.egg")

        def fill_racing(path: str) -> None:
            os.rename(self.path("other", os.path.basename(target)), target)  # the other one wins
            os.makedirs(path)

        from zc.buildout.dists.install import wheel
        from zc.buildout.dists.store.eggs import InstalledDistribution

        with self.assertLogs("zc.buildout", "WARNING") as logged:
            wheel.place_egg(self.settings.eggs_directory,
                            InstalledDistribution("demo", "1.0", target, False), fill_racing)
        self.assertEqual(logged.output, [
            f"WARNING:zc.buildout:{target} was installed by another buildout meanwhile; using it."])

    def test_from_find_links_with_its_requirements(self) -> None:
        packages.egg(self.path("links"), "demo", "1.0", requires=["needed"])
        packages.wheel(self.path("links"), "needed", "2.0")
        packages.sdist(self.path("links"), "demo", "1.0")
        settings = self.settings.__class__(self.settings.eggs_directory, self.settings.develop_eggs_directory,
                                           index=None, find_links=(self.path("links"),))
        found = Installer(settings).install(["demo"])
        self.assertEqual(sorted((dist.name, dist.version, os.path.basename(dist.location)) for dist in found),
                         [("demo", "1.0", f"demo-1.0-py{PYTHON}.egg"), ("needed", "2.0", f"needed-2.0-py{PYTHON}.egg")])

    def test_through_the_download_cache(self) -> None:
        egg = packages.egg(self.path("dist"), "demo", "1.0")
        picked = PickedFile("demo", "1.0", os.path.basename(egg), f"file://{egg}", sha256_of(egg))
        settings = self.settings.__class__(self.settings.eggs_directory, self.settings.develop_eggs_directory,
                                           download_cache=self.path("cache"))
        (dist,) = materialise([picked], settings, HTTPClient())
        self.assertEqual(os.listdir(self.path("cache", "dist")), [os.path.basename(egg)])
        self.assertTrue(os.path.isfile(os.path.join(dist.location, "demo.py")))
