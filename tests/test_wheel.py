"""Installing one wheel as one egg directory: layout, namespaces, data, races."""

from __future__ import annotations

import base64
import csv
import hashlib
import os
import pathlib
import subprocess
import sys
import unittest
from unittest import mock

from tests.builder_fixtures import ScratchTestCase, tree
from zc.buildout.dists.install.namespaces import namespace_inits
from zc.buildout.dists.install.wheel import install_wheel
from zc.buildout.dists.store.state import STAGING_PREFIX, staging_name
from zc.buildout.testing import packages

PY = f"py{sys.version_info[0]}.{sys.version_info[1]}"
DECLARE = "__import__('pkg_resources').declare_namespace(__name__)\n"
PKGUTIL = "from pkgutil import extend_path\n__path__ = extend_path(__path__, __name__)\n"


class WheelInstallTests(ScratchTestCase):
    def test_layout(self) -> None:
        wheel = packages.wheel(
            self.path("dist"), "Tiny-Pkg", "1.0",
            modules={"tiny/__init__.py": "def main():\n    return 42\n"},
            entry_points={"console_scripts": {"tiny": "tiny:main"}},
            data={"scripts/legacy-tool": "#!python\nprint(1)\n", "headers/tiny.h": "int tiny;\n",
                  "purelib/tiny_extra.py": "extra = True\n", "data/share/tiny.txt": "hello\n"},
        )
        dist = install_wheel(wheel, self.settings.eggs_directory)
        egg = self.path("eggs", f"Tiny_Pkg-1.0-{PY}.egg")
        self.assertEqual((dist.name, dist.version, dist.location, dist.develop),
                         ("Tiny-Pkg", "1.0", egg, False))
        self.assertEqual(tree(egg), [
            # named as the metadata spells the project, for old pkg_resources
            "Tiny_Pkg-1.0.dist-info/INSTALLER",
            "Tiny_Pkg-1.0.dist-info/METADATA",
            "Tiny_Pkg-1.0.dist-info/RECORD",
            "Tiny_Pkg-1.0.dist-info/WHEEL",
            "Tiny_Pkg-1.0.dist-info/entry_points.txt",
            "tiny/__init__.py",
            "tiny_extra.py",
            "tiny_pkg-1.0.data/data/share/tiny.txt",
            "tiny_pkg-1.0.data/headers/tiny.h",
            "tiny_pkg-1.0.data/scripts/legacy-tool",
        ])
        self.assertTrue(os.listdir(os.path.join(egg, "tiny", "__pycache__")))
        record = pathlib.Path(egg, "Tiny_Pkg-1.0.dist-info", "RECORD").read_text()
        self.assertNotIn("bin/", record)
        self.assertIn("Tiny_Pkg-1.0.dist-info/RECORD,,", record)
        self.assertNotIn("tiny_pkg-1.0.dist-info", record)
        self.assertIn("tiny_pkg-1.0.data/headers/tiny.h,sha256=", record)
        # The compiled file names the final location, not the staging directory.
        pyc = os.path.join(egg, "tiny", "__pycache__", os.listdir(os.path.join(egg, "tiny", "__pycache__"))[0])
        self.assertIn(os.path.join(egg, "tiny", "__init__.py").encode(), pathlib.Path(pyc).read_bytes())
        self.assertEqual(os.listdir(self.settings.eggs_directory), [os.path.basename(egg)])

    def test_modules_that_do_not_compile_are_installed_quietly(self) -> None:
        # Zope products ship "skin scripts": Python bodies with a top-level return.
        import contextlib
        import io

        wheel = packages.wheel(self.path("dist"), "skins", "1.0", modules={
            "skins/__init__.py": "ok = True\n", "skins/script.py": "return context.title\n"})
        output = io.StringIO()
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            dist = install_wheel(wheel, self.settings.eggs_directory)
        self.assertEqual(output.getvalue(), "")
        compiled = os.listdir(os.path.join(dist.location, "skins", "__pycache__"))
        self.assertEqual([name.split(".")[0] for name in compiled], ["__init__"])
        self.assertTrue(os.path.isfile(os.path.join(dist.location, "skins", "script.py")))

    def test_legacy_namespace_inits_are_dropped(self) -> None:
        wheel = packages.wheel(self.path("dist"), "zope.demo", "1.0", modules={
            "zope/__init__.py": DECLARE,
            "zope/demo/__init__.py": "value = 1\n",
            "zope_demo-1.0-nspkg.pth": "import sys\n",
        })
        dist = install_wheel(wheel, self.settings.eggs_directory)
        self.assertEqual([p for p in tree(dist.location) if not p.startswith("zope.demo-1.0.dist-info")],
                         ["zope/demo/__init__.py"])
        other = packages.wheel(self.path("dist"), "zope.other", "1.0", modules={
            "zope/__init__.py": PKGUTIL, "zope/other.py": "value = 2\n"})
        second = install_wheel(other, self.settings.eggs_directory)
        result = subprocess.run(
            [sys.executable, "-S", "-c", "import zope.demo, zope.other; print(zope.demo.value, zope.other.value)"],
            env=dict(os.environ, PYTHONPATH=os.pathsep.join([dist.location, second.location])),
            capture_output=True, text=True)
        self.assertEqual(result.stdout, "1 2\n", result.stderr)

    def test_namespace_detection(self) -> None:
        files = {
            "a/__init__.py": DECLARE, "a/b/__init__.py": DECLARE, "a/b/c.py": "",
            "d/__init__.py": PKGUTIL, "d/helpers.py": "",
            "e/__init__.py": "# real code\n" + DECLARE + "x = 1\n" * 6,
            "__init__.py": DECLARE, "f/__init__.py": "import os\n",
            "g-nspkg.pth": "", "h/i-nspkg.pth": "",
        }
        self.assertEqual(namespace_inits(files, files.__getitem__), {"a/__init__.py", "g-nspkg.pth"})

    def test_an_installed_egg_is_reused(self) -> None:
        wheel = packages.wheel(self.path("dist"), "demo", "1.0")
        first = install_wheel(wheel, self.settings.eggs_directory)
        marker = os.path.join(first.location, "marker")
        open(marker, "w").close()
        self.assertEqual(install_wheel(wheel, self.settings.eggs_directory), first)
        self.assertTrue(os.path.exists(marker))

    def test_a_staging_directory_left_by_a_killed_run_is_removed(self) -> None:
        wheel = packages.wheel(self.path("dist"), "demo", "1.0")
        stale = self.path("eggs", staging_name(f"demo-1.0-{PY}.egg"))
        os.makedirs(os.path.join(stale, "half"))
        # Another user's buildout, which holds its own lock, may still be making it.
        others = f"{STAGING_PREFIX}demo-1.0-{PY}.egg-{os.getuid() + 1}"
        os.makedirs(self.path("eggs", others, "half"))
        install_wheel(wheel, self.settings.eggs_directory)
        self.assertEqual(sorted(os.listdir(self.settings.eggs_directory)), [others, f"demo-1.0-{PY}.egg"])

    def test_a_wheel_whose_metadata_lacks_its_version(self) -> None:
        import zipfile

        from zc.buildout.errors import UserError

        path = self.path("dist", "demo-1.0-py3-none-any.whl")
        os.makedirs(os.path.dirname(path))
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("demo/__init__.py", "")
            archive.writestr("demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo\n")
        with self.assertRaises(UserError) as caught:
            install_wheel(path, self.settings.eggs_directory)
        self.assertEqual(str(caught.exception),
                         "The wheel demo-1.0-py3-none-any.whl has no Name or Version in its METADATA file.")
        self.assertFalse(os.path.exists(self.path("eggs", f"demo-1.0-{PY}.egg")))

    def _rewrite(self, wheel: str, renamed: dict[str, str], executable: frozenset[str] = frozenset(),
                 contents: dict[str, str] | None = None) -> None:
        """Rename members of ``wheel`` (in its RECORD too), give some the executable bit, and
        other ``contents`` (not in its RECORD)."""
        import zipfile

        with zipfile.ZipFile(wheel) as archive:
            members = [(info, archive.read(info)) for info in archive.infolist()]
        with zipfile.ZipFile(wheel, "w") as archive:
            for info, data in members:
                if info.filename.endswith("/RECORD"):
                    for old, new in renamed.items():
                        data = data.replace(f"{old},".encode(), f"{new},".encode())
                name = renamed.get(info.filename, info.filename)
                if contents and info.filename in contents:
                    data = contents[info.filename].encode()
                copy = zipfile.ZipInfo(name, info.date_time)
                copy.external_attr = (0o100755 if name in executable else 0o100644) << 16
                archive.writestr(copy, data)

    def test_executable_files_stay_executable(self) -> None:
        wheel = packages.wheel(self.path("dist"), "demo", "1.0", modules={
            "demo/__init__.py": "", "demo/tool.sh": "#!/bin/sh\necho hi\n"})
        self._rewrite(wheel, {}, executable=frozenset({"demo/tool.sh"}))
        dist = install_wheel(wheel, self.settings.eggs_directory)
        self.assertTrue(os.access(os.path.join(dist.location, "demo", "tool.sh"), os.X_OK))
        self.assertFalse(os.access(os.path.join(dist.location, "demo", "__init__.py"), os.X_OK))

    def test_scripts_name_this_python_and_record_lists_what_was_written(self) -> None:
        wheel = packages.wheel(self.path("dist"), "demo", "1.0", modules={"demo/__init__.py": ""},
                               data={"scripts/tool": "#!python\nprint(1)\n"})
        dist = install_wheel(wheel, self.settings.eggs_directory, byte_compile=False)
        script = pathlib.Path(dist.location, "demo-1.0.data", "scripts", "tool").read_bytes()
        self.assertEqual(script, f"#!{sys.executable}\nprint(1)\n".encode())
        rows = {row[0]: row for row in csv.reader(
            pathlib.Path(dist.location, "demo-1.0.dist-info", "RECORD").read_text().splitlines())}
        for path, digest, size in rows.values():
            if digest:
                data = pathlib.Path(dist.location, path).read_bytes()
                self.assertEqual(digest, "sha256=" + base64.urlsafe_b64encode(
                    hashlib.sha256(data).digest()).rstrip(b"=").decode(), path)
                self.assertEqual(int(size), len(data), path)
        self.assertEqual(rows["demo-1.0.dist-info/RECORD"], ["demo-1.0.dist-info/RECORD", "", ""])
        self.assertEqual(sorted(rows), sorted(tree(dist.location)))

    def test_big_members_are_written_in_pieces_and_checked_too(self) -> None:
        from zc.buildout.dists.install import unpack
        from zc.buildout.errors import UserError

        big = "x = 1\n" * 1000
        wheel = packages.wheel(self.path("dist"), "demo", "1.0", modules={"demo/__init__.py": big})
        with mock.patch.object(unpack, "_WHOLE", 1000):
            unpack.install_into(wheel, self.path("egg"))
            self.assertEqual(pathlib.Path(self.path("egg"), "demo", "__init__.py").read_text(), big)
            self._rewrite(wheel, {}, contents={"demo/__init__.py": big.replace("1", "2")})
            with self.assertRaises(UserError) as caught:
                unpack.install_into(wheel, self.path("egg2"))
        self.assertIn("holds 'demo/__init__.py', whose digest does not match its RECORD", str(caught.exception))

    def test_a_file_outside_the_egg_is_refused(self) -> None:
        from zc.buildout.errors import UserError

        wheel = packages.wheel(self.path("dist"), "demo", "1.0", modules={
            "demo/__init__.py": "", "demo/evil.py": "x = 1\n"})
        self._rewrite(wheel, {"demo/evil.py": "../evil.py"})
        with self.assertRaises(UserError) as caught:
            install_wheel(wheel, self.settings.eggs_directory)
        self.assertEqual(str(caught.exception), "The wheel demo-1.0-py3-none-any.whl holds '../evil.py',"
                         " a path outside its egg directory.\n"
                         "The wheel is malformed or was tampered with: nothing of it was installed.")
        written = [name for _, _, names in os.walk(self.root) for name in names if name == "evil.py"]
        self.assertEqual(written, [])
        self.assertEqual(os.listdir(self.settings.eggs_directory), [])


class ShareTests(unittest.TestCase):
    def test_shares_hold_every_member_once_in_the_archive_s_order_and_are_alike(self) -> None:
        import zipfile

        from zc.buildout.dists.install.unpack import _PER_FILE, _share

        sizes = [900_000, 10, 250_000, 40_000, *range(0, 60_000, 700), 300_000, 5]
        members = []
        for number, size in enumerate(sizes):
            info = zipfile.ZipInfo(f"pkg/m{number}.py")
            info.compress_size = size
            members.append(info)
        shares = [_share(members, share, 3) for share in range(3)]
        names = [info.filename for share in shares for info in share]
        self.assertEqual(sorted(names), sorted(info.filename for info in members))
        self.assertEqual(len(names), len(set(names)))
        for share in shares:
            self.assertEqual(share, sorted(share, key=members.index))
        loads = [sum(info.compress_size + _PER_FILE for info in share) for share in shares]
        self.assertLessEqual(max(loads) - min(loads), max(sizes) + _PER_FILE)
        self.assertIs(_share(members, 0, 1), members)
