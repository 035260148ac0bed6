"""A tiny PEP 517/660 build backend for sample sdists and projects, and the wheel writer.

Sample sdists built by :mod:`zc.buildout.testing.packages` carry a copy of this
file as an in-tree backend (``backend-path``), so building them needs no
backend installed. The tree it builds holds ``PKG-INFO`` (the core metadata),
optionally ``entry_points.txt``, and the importable code under ``src/``.
Only the standard library is used: the file runs inside build subprocesses.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import zipfile
from collections.abc import Mapping

__all__ = [
    "build_editable",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_wheel",
    "wheel_name",
    "write_wheel",
]


def wheel_name(name: str) -> str:
    """The distribution part of wheel and ``.dist-info`` names (``zope_interface``)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _base(metadata: str) -> str:
    """``name-1.0`` from the ``Name`` and ``Version`` fields of core metadata."""
    fields = dict(line.split(": ", 1) for line in metadata.splitlines() if ": " in line)
    return f"{wheel_name(fields['Name'])}-{fields['Version']}"


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}\n"


def write_wheel(
    directory: str,
    metadata: str,
    files: Mapping[str, bytes],
    *,
    tag: str = "py3-none-any",
    dist_info: Mapping[str, bytes] | None = None,
) -> str:
    """Write a wheel holding ``files`` (archive path -> bytes); return its file name.

    ``metadata`` is the core metadata text (``Name`` and ``Version`` are read
    from it); ``dist_info`` adds files such as ``entry_points.txt``.
    """
    base = _base(metadata)
    info = f"{base}.dist-info"
    purelib = "true" if tag.endswith("-none-any") else "false"
    wheel_text = (
        f"Wheel-Version: 1.0\nGenerator: zc.buildout.testing\n"
        f"Root-Is-Purelib: {purelib}\nTag: {tag}\n"
    )
    members = dict(files)
    members[f"{info}/METADATA"] = metadata.encode()
    members[f"{info}/WHEEL"] = wheel_text.encode()
    for name, data in (dist_info or {}).items():
        members[f"{info}/{name}"] = data
    filename = f"{base}-{tag}.whl"
    record = "".join(_record_line(path, data) for path, data in members.items())
    record += f"{info}/RECORD,,\n"
    with zipfile.ZipFile(os.path.join(directory, filename), "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in members.items():
            archive.writestr(zipfile.ZipInfo(path, (2020, 1, 1, 0, 0, 0)), data)
        archive.writestr(zipfile.ZipInfo(f"{info}/RECORD", (2020, 1, 1, 0, 0, 0)), record)
    return filename


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def _metadata() -> str:
    return _read("PKG-INFO").decode()


def _extra_dist_info() -> dict[str, bytes]:
    if os.path.exists("entry_points.txt"):
        return {"entry_points.txt": _read("entry_points.txt")}
    return {}


def _code_files() -> dict[str, bytes]:
    files = {}
    for root, directories, names in os.walk("src"):
        directories[:] = sorted(d for d in directories if d != "__pycache__")
        for name in sorted(names):
            path = os.path.join(root, name)
            files[os.path.relpath(path, "src").replace(os.sep, "/")] = _read(path)
    return files


def get_requires_for_build_wheel(config_settings: object = None) -> list[str]:
    return []


get_requires_for_build_editable = get_requires_for_build_wheel


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: object = None
) -> str:
    metadata = _metadata()
    info = f"{_base(metadata)}.dist-info"
    os.mkdir(os.path.join(metadata_directory, info))
    for name, data in {"METADATA": metadata.encode(), **_extra_dist_info()}.items():
        with open(os.path.join(metadata_directory, info, name), "wb") as file:
            file.write(data)
    return info


def build_wheel(
    wheel_directory: str, config_settings: object = None, metadata_directory: object = None
) -> str:
    if os.path.exists("FAIL"):
        print("tiny_backend: refusing to build:", _read("FAIL").decode().strip())
        raise SystemExit(1)
    return write_wheel(
        wheel_directory, _metadata(), _code_files(), dist_info=_extra_dist_info()
    )


def build_editable(
    wheel_directory: str, config_settings: object = None, metadata_directory: object = None
) -> str:
    metadata = _metadata()
    pth = f"__editable__.{_base(metadata)}.pth"
    source = os.path.abspath("src") + "\n"
    return write_wheel(
        wheel_directory, metadata, {pth: source.encode()}, dist_info=_extra_dist_info()
    )
