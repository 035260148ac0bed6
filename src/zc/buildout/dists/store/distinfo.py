"""Installed distributions' metadata directories: found by name on ``sys.path``, read fast.

A :class:`DistInfo` answers what a run asks of an installed distribution
(its headers, requirements, entry points and other metadata files) the way
``importlib.metadata`` would, without importing it: that module and the
``email`` package it brings cost a no-op run more than all its reading.
Anything else (``files``, say) is asked of ``importlib.metadata`` itself.
:func:`find` looks distributions up on ``sys.path`` as
``importlib.metadata.distribution`` does, and hands over to it where the
path holds more than directories.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
from importlib.machinery import PathFinder
from typing import TYPE_CHECKING, Any, Union

from zc.buildout.dists.metadata import Headers

if TYPE_CHECKING:
    import importlib.metadata
    import pathlib

__all__ = [
    "DistInfo", "Distribution", "MetadataEntryPoint", "MetadataEntryPoints", "SysPath", "editable_project",
    "find", "location",
]

Distribution = Union["DistInfo", "importlib.metadata.Distribution"]
"""What :func:`find` returns: almost always a :class:`DistInfo`."""

_OBJECT_REFERENCE = re.compile(r"(?P<module>[\w.]+)\s*(?::\s*(?P<attr>[\w.]+)\s*)?(?P<extras>\[.*\])?\s*$")
"""An entry point's value: ``module.name:attr.name [extra, ...]`` (the entry points specification)."""


class MetadataEntryPoint:
    """One entry point, with the attributes ``importlib.metadata.EntryPoint`` has."""

    def __init__(self, name: str, value: str, group: str) -> None:
        self.name = name
        self.value = value
        self.group = group

    @property
    def module(self) -> str:
        match = _OBJECT_REFERENCE.match(self.value)
        return match["module"] if match else self.value

    @property
    def attr(self) -> str:
        match = _OBJECT_REFERENCE.match(self.value)
        return match["attr"] if match and match["attr"] else ""

    @property
    def extras(self) -> list[str]:
        match = _OBJECT_REFERENCE.match(self.value)
        return re.findall(r"\w+", match["extras"] or "") if match else []

    def load(self) -> Any:
        """Import the module and return the object the entry point names."""
        target: Any = importlib.import_module(self.module)
        for name in filter(None, self.attr.split(".")):
            target = getattr(target, name)
        return target

    def __repr__(self) -> str:
        return f"MetadataEntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r})"


class MetadataEntryPoints(tuple[MetadataEntryPoint, ...]):
    """A distribution's entry points, in the order its ``entry_points.txt`` gives them."""

    def select(self, *, group: str | None = None, name: str | None = None) -> MetadataEntryPoints:
        """Those in ``group`` and named ``name`` (each when given)."""
        return MetadataEntryPoints(point for point in self
                           if (group is None or point.group == group) and (name is None or point.name == name))

    @classmethod
    def parse(cls, text: str) -> MetadataEntryPoints:
        """The entries of an ``entry_points.txt``: ``[group]`` lines, then ``name = value`` lines."""
        points = []
        group = None
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                group = line[1:-1].strip()
            elif group is not None:
                name, _, value = line.partition("=")
                points.append(MetadataEntryPoint(name.strip(), value.strip(), group))
        return cls(points)


class DistInfo:
    """The metadata directory (``.dist-info``) of one installed distribution.

    Its headers are read once. A legacy ``.egg-info`` or ``EGG-INFO``
    directory, whose requirements live in another file, is read through
    ``importlib.metadata``.
    """

    _packed: bytes | None = None
    """The headers as an earlier run read them (:meth:`Headers.pack`), for :meth:`remembered` ones."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        """The metadata directory."""

    @classmethod
    def remembered(cls, path: str, name: str, version: str, packed: bytes) -> DistInfo:
        """Metadata an earlier run read (a remembered resolution keeps it), not read again.

        Its name and version are known; its headers are unpacked when first
        asked for: a run that needs the headers of only a few distributions
        leaves the others packed.
        """
        info = cls(path)
        info._packed = packed
        info.__dict__.update(name=name, version=version)
        return info

    def read_text(self, filename: str) -> str | None:
        """The text of a file in the metadata directory, ``None`` if there is no such file."""
        try:
            with open(os.path.join(self.path, filename), encoding="utf-8") as file:
                return file.read()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            return None

    def locate_file(self, path: str | os.PathLike[str]) -> pathlib.Path:
        """``path`` relative to the directory holding the metadata directory."""
        import pathlib  # start-up: see the module docstring

        return pathlib.Path(os.path.dirname(self.path), path)

    @functools.cached_property
    def metadata(self) -> Headers:
        if self._packed is not None:
            return Headers.unpack(self._packed)
        return Headers.parse(self._headers_text("METADATA") or self._headers_text("PKG-INFO") or "")

    def _headers_text(self, filename: str) -> str | None:
        """The start of a core metadata file, up to the end of its headers (the body is not read)."""
        try:
            with open(os.path.join(self.path, filename), "rb") as file:
                data = b""
                while b"\n\n" not in data:
                    chunk = file.read(4096)
                    if not chunk:
                        break
                    data += chunk
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            return None
        end = data.find(b"\n\n")
        return data.decode("utf-8") if end < 0 else data[: end + 2].decode("utf-8")

    @functools.cached_property
    def name(self) -> str:
        return self.metadata["Name"]

    @functools.cached_property
    def version(self) -> str:
        return self.metadata["Version"]

    @property
    def requires(self) -> list[str] | None:
        """The ``Requires-Dist`` lines, as ``importlib.metadata`` gives them."""
        if not self.path.endswith(".dist-info"):
            return self._importlib_view.requires
        return self.metadata.get_all("Requires-Dist")

    @functools.cached_property
    def entry_points(self) -> MetadataEntryPoints:
        return MetadataEntryPoints.parse(self.read_text("entry_points.txt") or "")

    @property
    def files(self) -> list[importlib.metadata.PackagePath] | None:
        return self._importlib_view.files

    @functools.cached_property
    def _importlib_view(self) -> importlib.metadata.PathDistribution:
        import importlib.metadata  # start-up: see the module docstring
        import pathlib  # start-up: see the module docstring

        return importlib.metadata.PathDistribution(pathlib.Path(self.path))

    def __repr__(self) -> str:
        return f"DistInfo({self.path!r})"


def location(distribution: Distribution) -> str:
    """The directory holding the metadata directory (``locate_file("")``): the path entry."""
    if isinstance(distribution, DistInfo):
        return os.path.dirname(distribution.path)
    return str(distribution.locate_file(""))


def editable_project(distribution: Distribution) -> str | None:
    """The project directory an editable install was made from, as its ``direct_url.json`` says."""
    text = distribution.read_text("direct_url.json")
    if not text or '"editable"' not in text:
        return None  # not editable (only an editable install's file says so): nothing to parse

    import json  # start-up: only editable installs get here
    import urllib.parse  # start-up: only editable installs get here

    try:
        direct_url = json.loads(text)
    except ValueError:
        return None
    url = urllib.parse.urlsplit(direct_url.get("url", ""))
    if not direct_url.get("dir_info", {}).get("editable") or url.scheme != "file":
        return None
    path = urllib.parse.unquote(url.path)
    return path[1:] if os.name == "nt" and re.match("/[A-Za-z]:", path) else path


def find(name: str) -> Distribution | None:
    """The distribution ``importlib.metadata.distribution(name)`` finds, ``None`` if there is none."""
    return SysPath().find(name)


class SysPath:
    """Finds distributions on ``sys.path`` by name, as ``importlib.metadata.distribution`` does.

    Much faster: a directory is read once, and again only once it changed
    (as ``importlib.metadata`` does too), so one instance serves a batch of
    look-ups. Where ``importlib.metadata`` would look at more than
    directories (a zip file on the path, a distribution finder of its own on
    ``sys.meta_path``), it is asked instead.
    """

    def __init__(self) -> None:
        self._directories: dict[str, tuple[int, _Directory]] = {}

    def find(self, name: str) -> Distribution | None:
        """The distribution named ``name`` (any spelling), ``None`` if there is none."""
        if not _only_the_path_finder():
            return _found_by_importlib(name)
        normalized, legacy = _normalized(name), name.lower().replace("-", "_")
        for entry in sys.path:
            try:
                directory = self._directory(entry)
            except NotADirectoryError:
                return _found_by_importlib(name)  # a zip file
            except OSError:
                continue  # missing: nothing there
            found = directory.infos.get(normalized) or directory.eggs.get(legacy)
            if found:
                return DistInfo(os.path.join(entry, found[0]))
        return None

    def _directory(self, entry: str) -> _Directory:
        path = entry or "."
        modified = os.stat(path).st_mtime_ns
        known = self._directories.get(path)
        if known is None or known[0] != modified:
            known = self._directories[path] = (modified, _Directory.read(path))
        return known[1]


class _Directory:
    """The metadata directories in one ``sys.path`` directory, by normalised distribution name.

    Each name's in the order the directory lists them, as ``importlib.metadata`` takes them.
    """

    def __init__(self, infos: dict[str, list[str]], eggs: dict[str, list[str]]) -> None:
        self.infos = infos
        """``<name>-<version>.dist-info`` (or ``.egg-info``), by normalised name."""
        self.eggs = eggs
        """``EGG-INFO`` in an egg on the path (``<name>-<version>.egg``), by its name lower-cased."""

    @classmethod
    def read(cls, path: str) -> _Directory:
        infos: dict[str, list[str]] = {}
        eggs: dict[str, list[str]] = {}
        stem, _, suffix = os.path.basename(path).lower().rpartition(".")
        for child in os.listdir(path):
            lowered = child.lower()
            if lowered.endswith((".dist-info", ".egg-info")):
                infos.setdefault(_normalized(child.rpartition(".")[0].partition("-")[0]), []).append(child)
            elif lowered == "egg-info" and suffix == "egg":
                eggs.setdefault(stem.partition("-")[0], []).append(child)
        return cls(infos, eggs)


def _found_by_importlib(name: str) -> Distribution | None:
    import importlib.metadata  # start-up: see the module docstring

    try:
        found = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return None
    # A PathDistribution keeps its metadata directory in ``_path`` (pip reads
    # it the same way); one in a zip file, or any other kind, is kept as it is.
    path = getattr(found, "_path", None)
    return DistInfo(path) if isinstance(path, os.PathLike) else found


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _only_the_path_finder() -> bool:
    """Whether the path finder is the only finder of distributions (as it usually is)."""
    return all(finder is PathFinder or not hasattr(finder, "find_distributions")
               for finder in sys.meta_path)
