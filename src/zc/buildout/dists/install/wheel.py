"""One wheel to one egg directory, with pypa/installer.

The wheel is checked (:mod:`~zc.buildout.dists.install.wheel_checks`) and
installed into a staging directory inside the eggs directory,
byte-compiled (by a :class:`~zc.buildout.dists.install.compiler.Compiler`, naming
the final paths) unless ``byte-compile = false``, and renamed into place,
under a per-distribution file lock: an interrupted run never leaves half an
egg, and a staging directory left by a killed run is removed by the next
one. With an egg cache, the staged egg is linked from the cache entry
instead (made the same way, once).
Legacy namespace ``__init__.py`` files are dropped (the packages become
native namespaces); console scripts are not written (buildout generates
scripts itself); ``.data`` files other than code stay inside the egg, under
``<name>-<version>.data/``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.parser
import functools
import logging
import os
import posixpath
import secrets
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, BinaryIO

from installer.destinations import SchemeDictionaryDestination
from packaging.utils import canonicalize_name, parse_wheel_filename

from zc.buildout.dists.install.compiler import Compiler
from zc.buildout.dists.install.wheel_checks import CheckedWheelFile, check_wheel
from zc.buildout.dists.metadata import headers_of_wheel
from zc.buildout.dists.store.egg_cache import EggCache, link_tree
from zc.buildout.dists.store.eggs import (
    ARCHIVE_RECORD,
    InstalledDistribution,
    egg_directory_name,
    filename_component,
)
from zc.buildout.dists.store.state import eggs_state, staging_prefix
from zc.buildout.errors import UserError

if TYPE_CHECKING:
    from installer.records import RecordEntry
    from installer.scripts import LauncherKind
    from installer.utils import Scheme

__all__ = [
    "cached_egg", "install_into", "install_wheel", "is_namespace_declaration", "locked", "namespace_inits",
    "place_egg", "renamed_path", "wheel_metadata",
]

logger = logging.getLogger("zc.buildout")

INSTALLER_NAME = b"zc.buildout\n"


def is_namespace_declaration(text: str) -> bool:
    """A pkg_resources or pkgutil style namespace ``__init__.py``."""
    meaningful = [
        line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")
    ]
    joined = "\n".join(meaningful)
    return len(meaningful) <= 6 and (
        ("pkg_resources" in joined and "declare_namespace" in joined)
        or ("pkgutil" in joined and "extend_path" in joined)
    )


def namespace_inits(names: Iterable[str], read: Callable[[str], str]) -> set[str]:
    """Archive paths of legacy namespace ``__init__.py`` files and ``-nspkg.pth`` files.

    A namespace ``__init__.py`` is dropped only when its directory holds no
    other module.
    """
    modules: dict[str, list[str]] = {}
    found = set()
    for name in names:
        if name.endswith(".py"):
            modules.setdefault(posixpath.dirname(name), []).append(posixpath.basename(name))
        elif "/" not in name and name.endswith("-nspkg.pth"):
            found.add(name)
    for directory, files in modules.items():
        init = f"{directory}/__init__.py"
        if directory and files == ["__init__.py"] and is_namespace_declaration(read(init)):
            found.add(init)
    return found


def dist_info_name(wheel_dist_info: str, name: str) -> str:
    """The ``.dist-info`` directory name in an egg: the project's name as its metadata spells it.

    ``Products.CMFPlone-6.2.2.dist-info`` for a wheel's
    ``products_cmfplone-6.2.2.dist-info``, as upstream lays eggs out:
    ``pkg_resources`` releases before setuptools 67 find a distribution under
    the name in its metadata directory's name only, so
    ``get_distribution('Products.CMFPlone')`` needs the dots.
    """
    version = wheel_dist_info[: -len(".dist-info")].rpartition("-")[2]
    return f"{filename_component(name)}-{version}.dist-info"


def renamed_path(path: str, old: str, new: str) -> str:
    """``path`` (relative, as ``RECORD`` has it) with a leading directory ``old`` renamed ``new``."""
    if path.startswith(old) and path[len(old):len(old) + 1] in ("/", os.sep):
        return new + path[len(old):]
    return path


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


def wheel_metadata(wheel_path: str) -> tuple[str, str]:
    """The project name (as its metadata spells it) and version of a wheel."""
    filename = os.path.basename(wheel_path)
    headers = headers_of_wheel(wheel_path, filename)
    name, version = headers.get("Name"), headers.get("Version")
    if not name or not version:
        raise UserError(f"The wheel {filename} has no Name or Version in its METADATA file.")
    return name, version


@contextmanager
def locked(eggs_directory: str, name: str) -> Iterator[None]:
    """Hold the lock that guards installing ``name`` into ``eggs_directory``."""
    from filelock import FileLock, Timeout  # start-up: only installing takes locks

    locks = eggs_state(eggs_directory, "locks")
    lock = FileLock(os.path.join(locks, f"{name}.lock"))
    try:
        lock.acquire(timeout=2)
    except Timeout:
        logger.info("Waiting for another buildout installing %s.", name)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def _holds(directory: str, name: str, version: str) -> bool:
    """Whether the egg directory ``directory`` is one of ``name`` ``version`` (its metadata says so)."""
    try:
        headers = InstalledDistribution(name, version, directory, False).metadata.metadata
    except FileNotFoundError:
        return False
    return canonicalize_name(headers.get("Name") or "") == canonicalize_name(name) and (
        headers.get("Version") == version)


def install_wheel(
    wheel_path: str,
    eggs_directory: str,
    *,
    compiler: Compiler | None = None,
    egg_cache: EggCache | None = None,
    sha256: str | None = None,
    archive_sha256: str | None = None,
    byte_compile: bool = True,
) -> InstalledDistribution:
    """Install a wheel as one egg directory (reusing one already there); return it.

    ``compiler`` unpacks and, with ``byte_compile``, compiles (a private one
    when not given). With an ``egg_cache`` and the wheel's ``sha256``, the
    egg is made in the cache (once) and linked from there. ``archive_sha256`` is the digest of the
    archive the wheel came from (the wheel itself, or the sdist it was
    built from), recorded in the egg (:data:`~zc.buildout.dists.store.eggs.ARCHIVE_RECORD`).
    """
    name, version, egg_name = _egg_of(wheel_path)
    target = os.path.join(eggs_directory, egg_name)
    result = InstalledDistribution(name, version, target, False)
    if os.path.isdir(target):
        return result
    fill: Callable[[str], None] = functools.partial(_make_egg, wheel_path, target, compiler,
                                                    archive_sha256, byte_compile)
    if egg_cache is not None and sha256 is not None:
        try:
            entry = egg_cache.entry(egg_name, sha256, fill)
        except OSError as error:  # a read-only shared cache, say: install without it
            logger.debug("Not keeping %s in the egg cache: %s", egg_name, error)
        else:
            fill = functools.partial(egg_cache.link, entry, link=functools.partial(
                _link_entry, archive_sha256=archive_sha256, compiler=compiler), make=fill)
    place_egg(eggs_directory, result, fill)
    return result


def place_egg(eggs_directory: str, dist: InstalledDistribution, fill: Callable[[str], None]) -> None:
    """Make the egg directory of ``dist`` (in ``eggs_directory``) unless it is there.

    ``fill`` makes it at a hidden temporary path in ``eggs_directory`` (for
    an atomic rename), renamed into place when complete, under the lock for
    that egg: a run killed meanwhile leaves no half egg, and its leftovers
    are removed by the next.
    """
    egg_name = os.path.basename(dist.location)
    prefix = staging_prefix(egg_name)
    with _writing(eggs_directory, dist):
        os.makedirs(eggs_directory, exist_ok=True)
    with locked(eggs_directory, egg_name):
        for stale in os.listdir(eggs_directory):
            if stale.startswith(prefix):  # left by a killed run; we hold the lock
                shutil.rmtree(os.path.join(eggs_directory, stale), ignore_errors=True)
        if os.path.isdir(dist.location):
            return
        # The prefix is ours alone while we hold the lock; once renamed, nothing of it is left.
        staged = os.path.join(eggs_directory, prefix + secrets.token_hex(4))
        with _writing(eggs_directory, dist):  # an eggs directory that cannot be written fails here, clearly
            os.mkdir(staged)
        os.rmdir(staged)
        try:
            fill(staged)
            _rename(staged, dist.location, dist.name, dist.version)
        finally:
            shutil.rmtree(staged, ignore_errors=True)


@contextmanager
def _writing(eggs_directory: str, dist: InstalledDistribution) -> Iterator[None]:
    """Report an eggs directory that cannot be written (read-only, say) as a user's error."""
    try:
        yield
    except OSError as error:
        raise UserError(f"Couldn't install {dist.name} {dist.version} into {eggs_directory}: {error.strerror}.",
                        hint="Buildout installs what the eggs directory lacks: it must be writable.") from None


def _link_entry(entry: str, path: str, *, archive_sha256: str | None, compiler: Compiler | None) -> None:
    """Link the egg cache ``entry`` at ``path`` (on ``compiler``'s workers, when given).

    Adds the archive record older entries lack.
    """
    if compiler is None:
        link_tree(entry, path)
    else:
        compiler.link(entry, path)
    if archive_sha256 is None:
        return
    for name in os.listdir(path):
        record = os.path.join(path, name, ARCHIVE_RECORD)
        if name.endswith(".dist-info") and not os.path.exists(record):
            with open(record, "x", encoding="ascii") as file:
                file.write(f"{archive_sha256.lower()}\n")


def cached_egg(wheel_path: str, eggs_directory: str, egg_cache: EggCache, sha256: str,
               compiler: Compiler | None = None, byte_compile: bool = True) -> str:
    """The egg cache entry of a wheel with digest ``sha256``, made when missing.

    A new entry is compiled (with ``byte_compile``) for the wheel's egg
    directory in ``eggs_directory``.
    """
    egg_name = _egg_of(wheel_path)[2]
    target = os.path.join(eggs_directory, egg_name)
    make = functools.partial(_make_egg, wheel_path, target, compiler, sha256, byte_compile)
    return egg_cache.entry(egg_name, sha256, make)


def _egg_of(wheel_path: str) -> tuple[str, str, str]:
    """Name, version and egg directory name of a wheel."""
    name, version = wheel_metadata(wheel_path)
    tags = parse_wheel_filename(os.path.basename(wheel_path))[3]
    return name, version, egg_directory_name(name, version, tags)


def _make_egg(wheel_path: str, target: str, compiler: Compiler | None, archive_sha256: str | None,
              byte_compile: bool, path: str) -> None:
    """Install the wheel at ``path`` on ``compiler``'s workers, compiled as if it were at ``target``."""
    record = {} if archive_sha256 is None else {ARCHIVE_RECORD: f"{archive_sha256.lower()}\n"}
    with contextlib.ExitStack() as stack:
        workers = compiler or stack.enter_context(Compiler())
        workers.unpack(wheel_path, path, record)
        if byte_compile:
            workers.compile_tree(path, target)


def _rename(staged: str, target: str, name: str, version: str) -> None:
    try:
        os.rename(staged, target)
    except OSError:
        if not _holds(target, name, version):
            raise UserError(
                f"Couldn't install {name} {version}: {target} exists and holds something else.",
                hint="Remove that directory and run buildout again.",
            ) from None
        logger.warning("%s was installed by another buildout meanwhile; using it.", target)

