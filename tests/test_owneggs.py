"""Buildout's own distributions copied out of a shared installation directory."""

from __future__ import annotations

import compileall
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import unittest

from zc.buildout.dists.install.compiler import Compiler
from zc.buildout.dists.install.own_eggs import own_egg
from zc.buildout.dists.install.unpack import install_into
from zc.buildout.dists.store.eggs import InstalledDistribution
from zc.buildout.testing import packages


class OwnEggTests(unittest.TestCase):
    def setUp(self) -> None:
        temporary = tempfile.TemporaryDirectory()
        self.addCleanup(temporary.cleanup)
        self.root = temporary.name
        self.site = os.path.join(self.root, "site-packages")
        self.eggs = os.path.join(self.root, "eggs")
        os.makedirs(self.eggs)
        self.compiler = Compiler()
        self.addCleanup(self.compiler.close)
        self.install("own", "value = 1\n")
        self.install("neighbour", "value = 2\n")
        self.dist = InstalledDistribution("own", "1.0", self.site, False,
                                          metadata_path=os.path.join(self.site, "own-1.0.dist-info"))

    def install(self, name: str, code: str) -> None:
        """Install ``name`` 1.0 into the shared directory, as pip would (RECORD, WHEEL).

        pip keeps the wheel's metadata directory name (``zc_own-1.0.dist-info``).
        """
        wheels = tempfile.mkdtemp(dir=self.root)
        install_into(packages.wheel(wheels, name, modules={f"{name}/__init__.py": code}), self.site)
        ours, pips = f"{name}-1.0.dist-info", f"{name.replace('.', '_')}-1.0.dist-info"
        if ours != pips:
            os.rename(os.path.join(self.site, ours), os.path.join(self.site, pips))
            record = os.path.join(self.site, pips, "RECORD")
            with open(record) as file:
                text = file.read()
            with open(record, "w") as file:
                file.write(text.replace(f"{ours}/", f"{pips}/"))

    def test_copied_alone_into_an_egg_directory_and_compiled(self) -> None:
        egg = own_egg(self.dist, self.eggs, self.compiler)
        self.assertEqual(os.path.dirname(egg.location), self.eggs)
        self.assertTrue(os.path.basename(egg.location).startswith("own-1.0-py3."))
        self.assertEqual(sorted(os.listdir(egg.location)), ["own", "own-1.0.dist-info"])
        self.assertEqual([name.split(".")[0] for name in os.listdir(
            os.path.join(egg.location, "own", "__pycache__"))], ["__init__"])
        self.assertEqual(egg.metadata.version, "1.0")
        self.assertFalse(egg.develop)

    def test_a_platform_wheel_s_copy_is_named_for_the_platform(self) -> None:
        wheel_file = os.path.join(self.site, "own-1.0.dist-info", "WHEEL")
        with open(wheel_file, "w") as file:
            file.write("Wheel-Version: 1.0\nRoot-Is-Purelib: false\n"
                       "Tag: cp311-cp311-linux_x86_64\nTag: cp312-cp312-linux_x86_64\n")
        egg = own_egg(self.dist, self.eggs, self.compiler)
        self.assertTrue(os.path.basename(egg.location).endswith(f"-{sysconfig.get_platform()}.egg"),
                        egg.location)

    def test_made_once_per_version(self) -> None:
        first = own_egg(self.dist, self.eggs, self.compiler)
        marker = os.path.join(first.location, "kept")
        open(marker, "w").close()
        self.assertEqual(own_egg(self.dist, self.eggs, self.compiler), first)
        self.assertTrue(os.path.exists(marker))

    def test_another_build_of_the_version_replaces_the_copy(self) -> None:
        first = own_egg(self.dist, self.eggs, self.compiler)
        for installed in ("own", "own-1.0.dist-info"):  # uninstalled, as pip would
            shutil.rmtree(os.path.join(self.site, installed))
        self.install("own", "value = 'rebuilt'\n")
        with self.assertLogs("zc.buildout", "INFO") as logs:
            second = own_egg(self.dist, self.eggs, self.compiler)
        self.assertEqual(second.location, first.location)
        with open(os.path.join(second.location, "own", "__init__.py")) as file:
            self.assertEqual(file.read(), "value = 'rebuilt'\n")
        self.assertEqual(logs.output, [
            f"INFO:zc.buildout:Replacing {first.location}: the running environment has another"
            " build of own 1.0."])

    def test_used_where_it_is_without_a_record(self) -> None:
        os.remove(os.path.join(self.site, "own-1.0.dist-info", "RECORD"))
        self.assertIs(own_egg(self.dist, self.eggs, self.compiler), self.dist)
        self.assertEqual(os.listdir(self.eggs), [])

    def test_editable_installs_are_used_where_they_are(self) -> None:
        source = os.path.join(self.root, "src")
        editable = InstalledDistribution("own", "1.0", source, False,
                                         metadata_path=os.path.join(self.site, "own-1.0.dist-info"))
        self.assertIs(own_egg(editable, self.eggs, self.compiler), editable)
        self.assertEqual(os.listdir(self.eggs), [])

    def test_metadata_directory_named_as_the_metadata_spells_the_project(self) -> None:
        self.install("zc.own", "value = 3\n")  # the wheel's zc_own-1.0.dist-info
        dotted = InstalledDistribution("zc.own", "1.0", self.site, False,
                                       metadata_path=os.path.join(self.site, "zc_own-1.0.dist-info"))
        egg = own_egg(dotted, self.eggs, self.compiler)
        self.assertEqual(os.path.dirname(egg.location), self.eggs)
        self.assertEqual(sorted(os.listdir(egg.location)), ["zc.own", "zc.own-1.0.dist-info"])
        with open(os.path.join(egg.location, "zc.own-1.0.dist-info", "RECORD")) as file:
            self.assertIn("zc.own-1.0.dist-info/METADATA,sha256=", file.read())
        with self.assertNoLogs("zc.buildout", "INFO"):
            self.assertEqual(own_egg(dotted, self.eggs, self.compiler), egg)  # recognised as the same copy

    def test_compiled_files_of_the_installation_are_copied(self) -> None:
        self.install("comp", "def where():\n    return where.__code__.co_filename\n")
        compileall.compile_dir(os.path.join(self.site, "comp"), quiet=1)
        installed = InstalledDistribution("comp", "1.0", self.site, False,
                                          metadata_path=os.path.join(self.site, "comp-1.0.dist-info"))
        egg = own_egg(installed, self.eggs, self.compiler)
        source = importlib.util.cache_from_source(os.path.join(self.site, "comp", "__init__.py"))
        copied = importlib.util.cache_from_source(os.path.join(egg.location, "comp", "__init__.py"))
        with open(source, "rb") as original, open(copied, "rb") as copy:
            data = copy.read()
            self.assertEqual(data, original.read())
        # Still valid: it records the copied source's modification time and size.
        copied_source = os.stat(os.path.join(egg.location, "comp", "__init__.py"))
        self.assertEqual((int.from_bytes(data[8:12], "little"), int.from_bytes(data[12:16], "little")),
                         (int(copied_source.st_mtime) & 0xFFFFFFFF, copied_source.st_size))
        # Loaded from the copied file, the code names the module where it now is.
        result = subprocess.run([sys.executable, "-S", "-c", "import comp; print(comp.where())"],
                                env=dict(os.environ, PYTHONPATH=egg.location, PYTHONDONTWRITEBYTECODE="1"),
                                capture_output=True, text=True)
        self.assertEqual(result.stdout, os.path.join(egg.location, "comp", "__init__.py") + "\n",
                         result.stderr)
