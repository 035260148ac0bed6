"""Installer settings: pins, flags read from [buildout], the default index."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import unittest

from packaging.version import Version

from zc.buildout.dists.settings import InstallerSettings, default_index, parse_pin
from zc.buildout.errors import Location, UserError
from zc.buildout.run.state import installer_settings


class PinTests(unittest.TestCase):
    def test_forms(self) -> None:
        cases = {
            "1.2": "==1.2", "==1.2": "==1.2", " 1.2 ": "==1.2", "1.0b1": "==1.0b1",
            ">=1,<2": ">=1,<2", "<2": "<2", "~=1.2": "~=1.2", "!=1.3": "!=1.3",
            "===odd": "===odd", "==1.*": "==1.*", "2026.10.18": "==2026.10.18", "01.2": "==01.2",
        }
        for value, specifier in cases.items():
            with self.subTest(value=value):
                pin = parse_pin("Demo", value)
                self.assertEqual(pin and pin.specifier, specifier)

    def test_empty_value_unpins(self) -> None:
        self.assertIsNone(parse_pin("demo", ""))
        self.assertIsNone(parse_pin("demo", "  "))

    def test_exact(self) -> None:
        self.assertEqual(parse_pin("d", "1.2").exact, Version("1.2"))  # type: ignore[union-attr]
        for value in (">=1", "==1.*", "~=1.2", "!=1.3"):
            self.assertIsNone(parse_pin("d", value).exact)  # type: ignore[union-attr]

    def test_allows_as_the_specifier_set_does(self) -> None:
        # Plain ``==V`` and ``>=V`` pins are checked without the specifier parser: same answers.
        versions = ("1.0", "1.0.0", "1.0+local", "1.0.post1", "1.0a1", "0.9", "2.0", "1!1.0", "odd")
        for value in ("1.0", "1.0+local", ">=1.0", ">=1.0a1", "==1.0.0", ">=1,<2", "~=1.0", "==1.*"):
            pin = parse_pin("demo", value)
            assert pin is not None
            for version in versions:
                with self.subTest(pin=value, version=version):
                    self.assertEqual(pin.allows(version), pin.specifier_set.contains(version, prereleases=True))

    def test_invalid_pins_name_their_place(self) -> None:
        for value in ("=1.0", ">>1", "1.0 2.0", "1.0_1", ">=1.0+local", "==1.0+*", "1..0", "1.", "1.\u00b2"):
            with self.subTest(value=value):
                with self.assertRaises(UserError) as caught:
                    parse_pin("demo", value, Location("buildout.cfg", 7))
                message = str(caught.exception)
                self.assertTrue(message.startswith(
                    f"buildout.cfg:7: Invalid version pin for 'demo': '{value}'\n"), message)


class FromBuildoutTests(unittest.TestCase):
    def buildout(self, **options: str) -> dict[str, dict[str, str]]:
        return {
            "buildout": {"eggs-directory": "/e", "develop-eggs-directory": "/d", **options},
            "versions": {"Demo_Pkg": "1.0", "other": "", "ranged": ">=2"},
        }

    def test_defaults(self) -> None:
        settings = installer_settings(self.buildout())
        self.assertEqual(settings, InstallerSettings(
            eggs_directory="/e", develop_eggs_directory="/d",
            pins=settings.pins))
        self.assertEqual(sorted(settings.pins), ["demo-pkg", "ranged"])
        self.assertEqual(settings.pins["demo-pkg"].specifier, "==1.0")

    def test_options(self) -> None:
        settings = installer_settings(self.buildout(**{
            "index": "http://i/simple", "find-links": "a\n  b", "allow-hosts": "*.x\nlocalhost",
            "newest": "false", "prefer-final": "false", "allow-picked-versions": "false",
            "allow-unknown-extras": "true", "download-cache": "/c", "install-from-cache": "true",
            "socket-timeout": "5", "show-picked-versions": "true",
            "update-versions-file": "/v.cfg", "versions": "",
        }))
        self.assertEqual(settings.index, "http://i/simple")
        self.assertEqual(settings.find_links, ("a", "b"))
        self.assertEqual(settings.allow_hosts, ("*.x", "localhost"))
        self.assertEqual(settings.pins, {})
        self.assertFalse(settings.newest or settings.prefer_final or settings.allow_picked_versions)
        self.assertTrue(settings.allow_unknown_extras and settings.install_from_cache)
        self.assertEqual((settings.download_cache, settings.socket_timeout), ("/c", 5.0))
        self.assertTrue(settings.show_picked_versions)
        self.assertEqual(settings.update_versions_file, "/v.cfg")

    def test_offline_means_not_newest(self) -> None:
        settings = installer_settings(self.buildout(offline="true"))
        self.assertTrue(settings.offline)
        self.assertFalse(settings.newest)

    def test_other_versions_section_and_locations(self) -> None:
        location = Location("/b/versions.cfg", 4)

        class Section(dict):  # type: ignore[type-arg]
            def location(self, key: str) -> Location | None:
                return location if key == "x" else None

        sections = {**self.buildout(versions="pins"), "pins": Section(x="3")}
        settings = installer_settings(sections)
        self.assertEqual(list(settings.pins), ["x"])
        self.assertEqual(settings.pins["x"].location, location)
        self.assertEqual(str(settings.pins["x"]), "x ==3 (/b/versions.cfg:4)")

    def test_bad_flag(self) -> None:
        with self.assertRaises(UserError) as caught:
            installer_settings(self.buildout(newest="yes"))
        self.assertEqual(str(caught.exception), "Invalid value for 'newest' option: 'yes'")


class DefaultIndexTests(unittest.TestCase):
    def setUp(self) -> None:
        self.directory = tempfile.TemporaryDirectory()
        self.addCleanup(self.directory.cleanup)

    def config(self, text: str) -> str:
        path = os.path.join(self.directory.name, "pip.conf")
        with open(path, "w") as file:
            file.write(text)
        return path

    def environ(self, **extra: str) -> dict[str, str]:
        # Only the files named here (and the system ones, which name no index) count.
        return {"XDG_CONFIG_DIRS": self.directory.name,
                "XDG_CONFIG_HOME": self.directory.name, **extra}

    def test_environment_first(self) -> None:
        path = self.config("[global]\nindex-url = http://from-file/\n")
        environ = self.environ(PIP_INDEX_URL="http://from-env/", PIP_CONFIG_FILE=path)
        self.assertEqual(default_index(environ), "http://from-env/")

    def test_pip_configuration(self) -> None:
        path = self.config("[global]\nindex-url = http://global/\n"
                           "[install]\nindex-url = http://install/\n")
        self.assertEqual(default_index(self.environ(PIP_CONFIG_FILE=path)), "http://install/")

    def test_pip_default(self) -> None:
        # With no configuration, the installed pip's own default is used.
        index = default_index(self.environ(PIP_CONFIG_FILE=os.devnull))
        self.assertTrue(index.startswith("https://") and index.endswith("/simple"), index)

    def test_pip_is_asked_in_a_process_of_its_own(self) -> None:
        # pip imported into buildout's process would keep setuptools from loading there.
        script = (
            "import os, sys\n"
            "from zc.buildout.dists.settings import default_index\n"
            "default_index({'PIP_CONFIG_FILE': os.devnull})\n"
            "print('pip' in sys.modules)\n"
            "import setuptools.archive_util\n"
            "print(setuptools.archive_util.unpack_archive.__name__)\n"
        )
        completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                   env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
        self.assertEqual((completed.stdout, completed.returncode), ("False\nunpack_archive\n", 0),
                         completed.stderr)
