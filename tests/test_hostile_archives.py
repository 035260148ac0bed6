"""Hostile archives: wheels and sdists that try to write outside the eggs directory, or fill the disk.

Each is refused with one ``UserError`` naming the archive and what is wrong
with it, and nothing is written anywhere: not outside the eggs directory
(the scratch tree holds only what the test made), not in it (no egg, no
staging directory left).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import stat
import struct
import tarfile
import zipfile
import zlib
from unittest import mock

from tests.builder_fixtures import ScratchTestCase, tree
from zc.buildout.dists.build.frontend import unpack_sdist
from zc.buildout.dists.install.unpack import install_into
from zc.buildout.dists.install.wheel import install_wheel
from zc.buildout.errors import UserError
from zc.buildout.testing import Sandbox

INFO = "evil-1.0.dist-info"
METADATA = b"Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n"
WHEEL = b"Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}\n"


def evil_wheel(directory: str, members: dict[str, bytes], *, record_extra: str = "",
               links: dict[str, str] | None = None, tampered: dict[str, bytes] | None = None,
               compression: int = zipfile.ZIP_DEFLATED) -> str:
    """A wheel of ``evil`` 1.0 holding ``members`` (and symbolic links ``links``: name -> target).

    RECORD lists every member with its digest, then ``record_extra``;
    ``tampered`` members are written with other contents than RECORD says.
    """
    os.makedirs(directory, exist_ok=True)
    files = {**members, f"{INFO}/METADATA": METADATA, f"{INFO}/WHEEL": WHEEL}
    record = "".join(record_line(path, data) for path, data in files.items())
    record += "".join(record_line(name, target.encode()) for name, target in (links or {}).items())
    record += record_extra + f"{INFO}/RECORD,,\n"
    path = os.path.join(directory, "evil-1.0-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in {**files, **(tampered or {})}.items():
            archive.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
        archive.writestr(f"{INFO}/RECORD", record)
    return path


def bomb_wheel(directory: str, gibibytes: int = 1) -> str:
    """A wheel of about 1 MB whose one module unpacks to ``gibibytes`` GiB of zeros.

    zipfile cannot write data compressed beforehand, so the archive is laid
    out here; the deflate stream repeats one independently compressed MiB.
    """
    mebibyte = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = compressor.compress(mebibyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = gibibytes << 10
    data = chunk * count + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(mebibyte, crc)
    # RECORD gives no digest for the module (allowed): hashing a GiB would take the test a second.
    record = ("evil/zeros.py,,\n" + record_line(f"{INFO}/METADATA", METADATA)
              + record_line(f"{INFO}/WHEEL", WHEEL) + f"{INFO}/RECORD,,\n").encode()
    members = [("evil/zeros.py", 8, data, crc, count << 20)]
    for name, content in ((f"{INFO}/METADATA", METADATA), (f"{INFO}/WHEEL", WHEEL), (f"{INFO}/RECORD", record)):
        members.append((name, 0, content, zlib.crc32(content), len(content)))
    return laid_out_wheel(directory, members)


def padded_wheel(directory: str, members: dict[str, bytes]) -> str:
    """A sound wheel of ``evil`` 1.0 whose local headers carry an extra field its central directory
    does not (as zip writers that align members pad them)."""
    files = {**members, f"{INFO}/METADATA": METADATA, f"{INFO}/WHEEL": WHEEL}
    record = "".join(record_line(path, data) for path, data in files.items()) + f"{INFO}/RECORD,,\n"
    laid_out = []
    for name, content in {**files, f"{INFO}/RECORD": record.encode()}.items():
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        laid_out.append((name, 8, compressor.compress(content) + compressor.flush(), zlib.crc32(content),
                         len(content)))
    return laid_out_wheel(directory, laid_out, local_extra=struct.pack("<HH", 0xCAFE, 12) + bytes(12))


def laid_out_wheel(directory: str, members: list[tuple[str, int, bytes, int, int]], *,
                   local_extra: bytes = b"") -> str:
    """The wheel of ``evil`` 1.0 holding ``members`` (name, method, data as stored, CRC-32, size),
    laid out here; ``local_extra`` is in each local header, not in the central directory."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "evil-1.0-py3-none-any.whl")
    with open(path, "wb") as file:
        central = b""
        for name, method, content, crc32, size in members:
            offset = file.tell()
            encoded = name.encode()
            fields = (20, 0, method, 0, 0x21, crc32, len(content), size, len(encoded))
            file.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, len(local_extra)) + encoded
                       + local_extra + content)
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0o644 << 16,
                                   offset) + encoded
        start = file.tell()
        file.write(central)
        file.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central),
                               start, 0))
    return path


class HostileWheelTests(ScratchTestCase):
    def files(self) -> list[str]:
        """The files of the scratch tree, but for the locks buildout keeps in the user's cache."""
        return [path for path in tree(self.root) if not path.startswith("user-cache/")]

    def refused(self, wheel: str) -> str:
        """The error installing ``wheel`` gives; checks that nothing was written anywhere."""
        before = self.files()
        with self.assertRaises(UserError) as caught:
            install_wheel(wheel, self.settings.eggs_directory)
        eggs = self.settings.eggs_directory
        self.assertEqual([name for name in os.listdir(eggs)] if os.path.isdir(eggs) else [], [])
        self.assertEqual(self.files(), before)
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(self.root), "outside.py")))
        message, hint = str(caught.exception).split("\n")
        self.assertEqual(hint, "The wheel is malformed or was tampered with: nothing of it was installed.")
        return message

    def test_a_member_climbing_out(self) -> None:
        wheel = evil_wheel(self.path("dist"), {"../outside.py": b"x = 1\n", "evil.py": b""})
        self.assertEqual(self.refused(wheel), "The wheel evil-1.0-py3-none-any.whl holds '../outside.py', "
                                              "a path outside its egg directory.")

    def test_an_absolute_member(self) -> None:
        wheel = evil_wheel(self.path("dist"), {"/tmp/outside.py": b"x = 1\n"})
        self.assertIn("holds '/tmp/outside.py', a path outside its egg directory.", self.refused(wheel))

    def test_record_listing_a_path_climbing_out(self) -> None:
        wheel = evil_wheel(self.path("dist"), {"evil.py": b""}, record_extra=record_line("../../x.py", b""))
        self.assertEqual(self.refused(wheel), "The RECORD of the wheel evil-1.0-py3-none-any.whl lists "
                                              "'../../x.py', a path outside its egg directory.")

    def test_record_listing_an_absolute_path(self) -> None:
        wheel = evil_wheel(self.path("dist"), {"evil.py": b""}, record_extra=record_line("/etc/x", b""))
        self.assertIn("lists '/etc/x', a path outside its egg directory.", self.refused(wheel))

    def test_a_link_pointing_out_of_the_egg(self) -> None:
        wheel = evil_wheel(self.path("dist"), {"evil/__init__.py": b""},
                           links={"evil/data": "../../../../etc/passwd"})
        self.assertEqual(self.refused(wheel), "The wheel evil-1.0-py3-none-any.whl holds 'evil/data', "
                                              "a link to '../../../../etc/passwd', outside its egg directory.")
        wheel = evil_wheel(self.path("dist"), {"evil/__init__.py": b""}, links={"evil/data": "/etc/passwd"})
        self.assertIn("a link to '/etc/passwd', outside its egg directory.", self.refused(wheel))

    def test_a_file_that_is_not_what_record_says(self) -> None:
        wheel = evil_wheel(self.path("dist"), {"evil.py": b"print('good')\n"},
                           tampered={"evil.py": b"print('evil')\n"})
        self.assertEqual(self.refused(wheel), "The wheel evil-1.0-py3-none-any.whl holds 'evil.py', "
                                              "whose digest does not match its RECORD.")

    def test_an_absurd_compression_ratio(self) -> None:
        wheel = bomb_wheel(self.path("dist"))
        self.assertLess(os.path.getsize(wheel), 2 << 20)
        with zipfile.ZipFile(wheel) as archive:
            self.assertEqual(archive.getinfo("evil/zeros.py").file_size, 1 << 30)
        message = self.refused(wheel)
        self.assertRegex(message, r"^The wheel evil-1.0-py3-none-any.whl would unpack to 1,073,74\d,\d{3} bytes, "
                                  r"more than 268,435,456 \(100 times its size\)\.$")

    def test_malformed_wheels(self) -> None:
        cases = {
            "two .dist-info directories": (
                {"members": {"evil.py": b"", "other-1.0.dist-info/METADATA": METADATA}},
                "The wheel evil-1.0-py3-none-any.whl holds 2 .dist-info directories"
                " (evil-1.0.dist-info, other-1.0.dist-info), not one."),
            "another wheel version": (
                {"members": {"evil.py": b""}, "tampered": {f"{INFO}/WHEEL": b"Wheel-Version: 2.0\n"}},
                "The wheel evil-1.0-py3-none-any.whl is of Wheel-Version 2.0; buildout installs wheels of version 1."),
            "a RECORD row of two fields": (
                {"members": {"evil.py": b""}, "record_extra": "evil/other.py,sha256=x\n"},
                "The RECORD of the wheel evil-1.0-py3-none-any.whl has 2 fields on line 4, not 3"
                " (path, digest, size)."),
            "an unknown .data directory": (
                {"members": {"evil-1.0.data/elsewhere/evil.py": b""}},
                "The wheel evil-1.0-py3-none-any.whl holds 'evil-1.0.data/elsewhere/evil.py', which is in no"
                " directory of evil-1.0.data that an installer knows (purelib, platlib, headers, scripts, data)."),
        }
        for number, (case, (options, message)) in enumerate(cases.items()):
            with self.subTest(case):
                wheel = evil_wheel(self.path(f"dist{number}"), **options)  # type: ignore[arg-type]
                self.assertEqual(self.refused(wheel), message)

    def test_damaged_archives(self) -> None:
        damaged = "The wheel evil-1.0-py3-none-any.whl is damaged:"
        cases = {
            # A member RECORD gives a digest for is checked against the digest, its CRC-32 left out.
            "a recorded member's content": (b"print('good')", b"print('evil')", True,
                                            "The wheel evil-1.0-py3-none-any.whl holds 'evil.py', whose digest"
                                            " does not match its RECORD."),
            "an unrecorded member's content": (b"print('good')", b"print('evil')", False,
                                               f"{damaged} 'evil.py' is not what its CRC-32 says."),
            "a member's name in its local header": (b"evil.py", b"evil.pz", True,
                                                    f"{damaged} 'evil.py' is named otherwise in its local header."),
        }
        for number, (case, (old, new, recorded, message)) in enumerate(cases.items()):
            with self.subTest(case):
                members = {"evil.py": b"print('good')\n"}
                wheel = evil_wheel(self.path(f"dist{number}"), members if recorded else {},
                                   tampered=None if recorded else members, compression=zipfile.ZIP_STORED)
                with open(wheel, "rb") as file:
                    data = file.read()
                with open(wheel, "wb") as file:
                    file.write(data.replace(old, new, 1))  # the first is in the member's local header
                self.assertEqual(self.refused(wheel), message)

    def test_a_local_header_with_more_extra_data_than_the_central_directory_says(self) -> None:
        content = b"print('good')\n" * 50
        wheel = padded_wheel(self.path("dist"), {"evil/__init__.py": content})
        dist = install_wheel(wheel, self.settings.eggs_directory)
        with open(os.path.join(dist.location, "evil", "__init__.py"), "rb") as file:
            self.assertEqual(file.read(), content)

    def test_members_are_read_alike_where_the_system_has_no_pread(self) -> None:
        # Windows has no os.pread: the wheel's file object is read instead, with the same checks.
        content = b"print('good')\n" * 50
        sound = padded_wheel(self.path("sound"), {"evil/__init__.py": content})
        damaged = evil_wheel(self.path("damaged"), {}, tampered={"evil.py": b"print('good')\n"},
                             compression=zipfile.ZIP_STORED)  # not in RECORD: its CRC-32 is checked
        with open(damaged, "rb") as file:
            data = file.read()
        with open(damaged, "wb") as file:
            file.write(data.replace(b"print('good')", b"print('evil')", 1))
        with mock.patch.object(os, "pread", None):
            install_into(sound, self.path("egg"))
            with self.assertRaises(UserError) as caught:
                install_into(damaged, self.path("other"))
        with open(self.path("egg", "evil", "__init__.py"), "rb") as file:
            self.assertEqual(file.read(), content)
        self.assertIn("is damaged: 'evil.py' is not what its CRC-32 says", str(caught.exception))

    def test_a_sound_link_inside_the_egg_is_kept_as_a_file(self) -> None:
        wheel = evil_wheel(self.path("dist"), {"evil/__init__.py": b""}, links={"evil/data": "__init__.py"})
        egg = install_wheel(wheel, self.settings.eggs_directory)
        self.assertIn("evil/data", tree(egg.location))


class HostileSdistTests(ScratchTestCase):
    def test_members_climbing_out_are_refused(self) -> None:
        os.makedirs(self.path("dist"))
        sdist = self.path("dist", "evil-1.0.tar.gz")
        with tarfile.open(sdist, "w:gz") as archive:
            for name in ("evil-1.0/PKG-INFO", "evil-1.0/../../outside.py"):
                info = tarfile.TarInfo(name)
                info.size = 6
                archive.addfile(info, io.BytesIO(b"x = 1\n"))
        os.makedirs(self.path("build"))
        with self.assertRaises(UserError) as caught:
            unpack_sdist(sdist, self.path("build"))
        self.assertIn(f"Couldn't unpack {sdist}: ", str(caught.exception))
        self.assertIn("outside.py", str(caught.exception))
        self.assertFalse(os.path.exists(self.path("outside.py")))
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(self.root), "outside.py")))


class HostileWheelRunTests(ScratchTestCase):
    """Through a buildout run: one line of error, with its hint, and no traceback."""

    def test_refused_in_a_run(self) -> None:
        sandbox = Sandbox()
        self.addCleanup(sandbox.close)
        evil_wheel("dists", {"../outside.py": b"x = 1\n"})
        index = sandbox.start_index("dists")
        with open("buildout.cfg", "w") as file:
            file.write(f"[buildout]\nindex = {index.simple}\nparts = p\n\n"
                       "[p]\nrecipe = zc.recipe.egg:eggs\neggs = evil\n")
        output = sandbox.run("buildout")
        self.assertNotIn("Traceback", output)
        self.assertIn("Error: The wheel evil-1.0-py3-none-any.whl holds '../outside.py', "
                      "a path outside its egg directory.\n", output)
        self.assertIn("nothing of it was installed", output)
        self.assertTrue(output.endswith("(exit status 1)\n"), output)
        self.assertFalse(os.path.exists(os.path.join(sandbox.root, "outside.py")))
        self.assertEqual([name for name in os.listdir("eggs/v5") if "evil" in name], [])
