"""One zipped egg to one egg directory: unpacked as it is, as upstream Buildout does.

An ``.egg`` file (``Name-1.0-py3.11[-platform].egg``, from find-links or an
index, or made by ``bdist_egg``) becomes the egg directory of the same
name: the code at its top, the metadata in ``EGG-INFO``. It is unpacked
into a staging directory, byte-compiled unless ``byte-compile = false``, and
renamed into place as a wheel's egg is
(:func:`~zc.buildout.dists.install.wheel.place_egg`). Legacy namespace
``__init__.py`` files are dropped, as they are from wheels, so that the
egg's part of a namespace package joins the others.
"""

from __future__ import annotations

import contextlib
import functools
import os
import zipfile

from zc.buildout.dists.install.compiler import Compiler
from zc.buildout.dists.install.namespaces import namespace_inits
from zc.buildout.dists.install.wheel import place_egg
from zc.buildout.dists.metadata import headers_of_egg
from zc.buildout.dists.store.eggs import ARCHIVE_RECORD, EggName, InstalledDistribution
from zc.buildout.errors import UserError

__all__ = ["install_egg"]


def install_egg(
    egg_path: str,
    eggs_directory: str,
    *,
    compiler: Compiler | None = None,
    archive_sha256: str | None = None,
    byte_compile: bool = True,
) -> InstalledDistribution:
    """Install a zipped egg as the egg directory of its name (reusing one already there); return it.

    ``archive_sha256`` is the digest of the egg file, recorded in
    ``EGG-INFO`` (:data:`~zc.buildout.dists.store.eggs.ARCHIVE_RECORD`).
    """
    filename = os.path.basename(egg_path)
    egg = EggName.parse(filename)
    if egg is None:
        raise UserError(f"{filename} is not named as an egg is (Name-1.0-py3.11.egg).")
    headers = headers_of_egg(egg_path, filename)
    target = os.path.join(eggs_directory, filename)
    result = InstalledDistribution(headers.get("Name") or egg.name, headers.get("Version") or egg.version,
                                   target, False)
    if not os.path.isdir(target):
        place_egg(eggs_directory, result, functools.partial(
            _unpack, egg_path, target, compiler, archive_sha256, byte_compile))
    return result


def _unpack(egg_path: str, target: str, compiler: Compiler | None, archive_sha256: str | None,
            byte_compile: bool, path: str) -> None:
    """Unpack the egg at ``path``, compiled as if it were at ``target``."""
    filename = os.path.basename(egg_path)
    with zipfile.ZipFile(egg_path) as archive:
        members = [member for member in archive.infolist() if not member.is_dir()]
        names = [member.filename for member in members]
        dropped = namespace_inits(names, lambda name: archive.read(name).decode("utf-8", "replace"))
        for member in members:
            if member.filename in dropped:
                continue
            destination = os.path.normpath(os.path.join(path, member.filename))
            if not destination.startswith(path + os.sep):
                raise UserError(f"The egg {filename} holds {member.filename}, a path outside its egg"
                                " directory.\nThe egg is malformed: nothing of it was installed.")
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            with archive.open(member) as source, open(destination, "xb") as written:
                written.write(source.read())
            mode = member.external_attr >> 16
            if mode & 0o111:
                os.chmod(destination, 0o755)
    if archive_sha256 is not None:
        with open(os.path.join(path, "EGG-INFO", ARCHIVE_RECORD), "w", encoding="utf-8") as record:
            record.write(f"{archive_sha256.lower()}\n")
    if byte_compile:
        with contextlib.ExitStack() as stack:
            workers = compiler or stack.enter_context(Compiler())
            workers.compile_tree(path, target)
