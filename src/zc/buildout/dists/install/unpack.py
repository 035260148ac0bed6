"""Unpacking one wheel into an egg directory, with pypa/installer (in the installer's worker processes).

The wheel is checked first (:mod:`~zc.buildout.dists.install.wheel_checks`).
Legacy namespace ``__init__.py`` files are dropped (the packages become
native namespaces); console scripts are not written (buildout generates
scripts itself); ``.data`` files other than code stay inside the egg, under
``<name>-<version>.data/``; the ``.dist-info`` directory takes the name an
egg's has.
"""

from __future__ import annotations

import dataclasses
import email.parser
import os
import shutil
import sys
import zipfile
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, BinaryIO

from installer.destinations import SchemeDictionaryDestination

from zc.buildout.dists.install.namespaces import namespace_inits
from zc.buildout.dists.install.wheel_checks import CheckedStream, CheckedWheelFile, check_wheel
from zc.buildout.dists.store.eggs import dist_info_name, renamed_path

if TYPE_CHECKING:
    from installer.records import RecordEntry
    from installer.scripts import LauncherKind
    from installer.utils import Scheme

__all__ = ["install_into"]

INSTALLER_NAME = b"zc.buildout\n"


@dataclasses.dataclass
class _EggDestination(SchemeDictionaryDestination):
    """Writes code into the egg, skipping dropped files and console scripts.

    The ``.dist-info`` directory is written under the name ``dist_info``
    gives it (wheel's name to egg's), in ``RECORD`` too.
    """

    dropped: frozenset[str] = frozenset()
    dist_info: tuple[str, str] = ("", "")
    skipped: set[tuple[str, str]] = dataclasses.field(default_factory=set)
    made: set[str] = dataclasses.field(default_factory=set)
    """Directories known to exist: a wheel puts many files into each."""

    def _renamed(self, path: str) -> str:
        return renamed_path(path, *self.dist_info)

    def write_file(self, scheme: Scheme, path: str | os.PathLike[str], stream: BinaryIO,
                   is_executable: bool) -> RecordEntry:
        from installer.records import RecordEntry  # start-up: only when installing

        if scheme in ("purelib", "platlib") and os.fspath(path) in self.dropped:
            self.skipped.add((scheme, os.fspath(path)))
            return RecordEntry(os.fspath(path), None, None)
        return super().write_file(scheme, self._renamed(os.fspath(path)), stream, is_executable)

    def write_to_fs(self, scheme: Scheme, path: str, stream: BinaryIO,
                    is_executable: bool) -> RecordEntry:
        """Write one file, as the base class does with fewer system calls and no pathlib.

        No path leads out of the scheme's directory (:func:`check_wheel` saw
        to it); an existing file is never overwritten (the egg is made in a
        fresh directory).
        """
        from installer.records import (  # start-up: only when installing
            Hash,
            RecordEntry,
        )
        from installer.utils import copyfileobj_with_hashing  # start-up: only when installing

        root = os.path.abspath(self.scheme_dict[scheme])
        target = os.path.normpath(os.path.join(root, path))
        directory = os.path.dirname(target)
        if directory not in self.made:
            os.makedirs(directory, exist_ok=True)
            self.made.add(directory)
        with open(target, "xb") as file:
            if isinstance(stream, CheckedStream) and stream.algorithm == self.hash_algorithm:
                shutil.copyfileobj(stream, file)  # it hashes what it reads: no need to hash again
                assert stream.checked is not None
                _, digest, size = stream.checked
            else:
                digest, size = copyfileobj_with_hashing(stream, file, self.hash_algorithm)
        if is_executable:
            os.chmod(target, os.stat(target).st_mode | 0o111)
        return RecordEntry(path, Hash(self.hash_algorithm, digest), size)

    def write_script(self, name: str, module: str, attr: str, section: str) -> RecordEntry:
        from installer.records import RecordEntry  # start-up: only when installing

        self.skipped.add(("scripts", name))
        return RecordEntry(name, None, None)

    def finalize_installation(self, scheme: Scheme, record_file_path: str,
                              records: Iterable[tuple[Scheme, RecordEntry]]) -> None:
        kept = [(s, dataclasses.replace(record, path=self._renamed(record.path)))
                for s, record in records if (s, record.path) not in self.skipped]
        super().finalize_installation(scheme, self._renamed(record_file_path), kept)


def _launcher_kind() -> LauncherKind:
    return "posix" if os.name != "nt" else "win-amd64"


def install_into(wheel_path: str, code_directory: str, *,
                 metadata: Mapping[str, str] | None = None, hidden: bool = True) -> None:
    """Install a wheel's code and ``.dist-info`` into ``code_directory`` (not byte-compiled).

    ``metadata`` adds files (name to text) to the ``.dist-info``, listed in
    its ``RECORD``. With ``hidden`` false, files at the top of the wheel
    whose names start with a dot are left out (and out of ``RECORD``).
    """
    from installer import install  # start-up: only when installing

    with zipfile.ZipFile(wheel_path) as archive:
        check_wheel(archive, os.path.basename(wheel_path), os.path.getsize(wheel_path))
        names = [name for name in archive.namelist() if not name.endswith("/")]
        dropped = namespace_inits(names, lambda name: archive.read(name).decode("utf-8", "replace"))
        if not hidden:
            dropped |= {name for name in names if name.startswith(".") and "/" not in name}
        source = CheckedWheelFile(archive)
        base = source.dist_info_dir[: -len(".dist-info")]
        name = email.parser.BytesHeaderParser().parsebytes(
            archive.read(f"{source.dist_info_dir}/METADATA")).get("Name", "")
        data = os.path.join(code_directory, f"{base}.data")
        destination = _EggDestination(
            scheme_dict={
                "purelib": code_directory, "platlib": code_directory,
                "headers": os.path.join(data, "headers"), "data": os.path.join(data, "data"),
                "scripts": os.path.join(data, "scripts"),
            },
            interpreter=sys.executable,
            script_kind=_launcher_kind(),
            dropped=frozenset(dropped),
            dist_info=(source.dist_info_dir, dist_info_name(source.dist_info_dir, name) if name
                       else source.dist_info_dir),
        )
        additional: dict[str, bytes] = {"INSTALLER": INSTALLER_NAME}
        additional.update({name: text.encode("utf-8") for name, text in (metadata or {}).items()})
        install(source, destination, additional)
