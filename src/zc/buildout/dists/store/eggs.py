"""What develop-eggs and the eggs directory hold, and how egg directories are named.

The eggs directory holds one directory per distribution version,
``<Name>-<version>-py<X.Y>[-<platform>].egg``, containing the importable code
and the distribution's ``.dist-info``. Names and versions are read from the
directory names, so looking distributions up never parses metadata files.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Collection, Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from zc.buildout.dists.metadata import canonical_name
from zc.buildout.dists.store.distinfo import DistInfo

if TYPE_CHECKING:
    from packaging.requirements import Requirement
    from packaging.version import Version

__all__ = [
    "ARCHIVE_RECORD",
    "EggName",
    "InstalledEggs",
    "InstalledDistribution",
    "dist_info_name",
    "egg_directory_name",
    "egg_link_name",
    "filename_component",
    "python_tag",
    "renamed_path",
]

ARCHIVE_RECORD = "BUILDOUT_ARCHIVE_SHA256"
"""The file of an egg's ``.dist-info`` holding the sha256 of the archive (wheel or sdist) it was made from."""

_EGG_DIRECTORY = re.compile(
    r"^(?P<name>[^-]+)-(?P<version>[^-]+)(?:-py(?P<python>[^-]+))?(?:-(?P<platform>.+))?\.egg$"
)


def filename_component(text: str) -> str:
    """``text`` as it appears in egg and egg-link names: runs of other characters become ``_``."""
    return re.sub(r"[^A-Za-z0-9.]+", "_", text)


def python_tag() -> str:
    """``py3.11``: the Python an egg directory was installed for."""
    return f"py{sys.version_info[0]}.{sys.version_info[1]}"


def _platform() -> str:
    import sysconfig  # start-up: only eggs made for a platform ask for it

    return sysconfig.get_platform()


def egg_directory_name(name: str, version: str, platforms: Iterable[str]) -> str:
    """The directory in the eggs directory for one distribution version.

    ``platforms`` are the platform parts of the wheel's tags:
    ``Name-1.0-py3.11.egg`` for a pure-Python wheel (every one is ``any``),
    ``Name-1.0-py3.11-linux-x86_64.egg`` for a platform-specific one.
    """
    base = f"{filename_component(name)}-{filename_component(version)}-{python_tag()}"
    if all(platform == "any" for platform in platforms):
        return f"{base}.egg"
    return f"{base}-{_platform()}.egg"


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


def egg_link_name(name: str) -> str:
    """``Tiny_Pkg.egg-link``: the develop-eggs link file of a develop project."""
    return f"{filename_component(name)}.egg-link"


class EggName(NamedTuple):
    """What the name of an egg (a directory, or a zipped ``.egg`` file) says."""

    name: str
    version: str
    python: str | None
    """``3.11`` of ``py3.11``; ``None`` when the name gives none."""
    platform: str | None
    """``linux-x86_64``; ``None`` for pure Python."""

    @classmethod
    def parse(cls, entry: str) -> EggName | None:
        """The parts of ``Name-1.0-py3.11[-platform].egg``; ``None`` for any other name."""
        match = _EGG_DIRECTORY.match(entry)
        if match is None:
            return None
        return cls(match["name"], match["version"], match["python"], match["platform"])

    @property
    def fits(self) -> bool:
        """Made for the running Python (its version) and platform."""
        if self.python is not None and f"py{self.python}" != python_tag():
            return False
        if self.platform is None or self.platform == _platform():
            return True
        mine = _platform()
        # macOS names carry a deployment target that differs between builds of the
        # same interpreter: only the system and the architecture have to agree.
        return self.platform.startswith("macosx-") and mine.startswith("macosx-") and (
            self.platform.rsplit("-", 1)[-1] == mine.rsplit("-", 1)[-1]
        )


def _metadata_directory(location: str, name: str = "", version: str = "") -> str | None:
    """The ``.dist-info`` (or legacy ``EGG-INFO``/``.egg-info``) inside ``location``.

    Given the distribution's ``name`` and ``version``, the spellings wheels
    give ``<name>-<version>.dist-info`` are tried first: much cheaper than
    listing the directory.
    """
    if name:
        escaped = re.sub(r"[-_.]+", "_", name)
        for spelling in dict.fromkeys((name, escaped, escaped.lower())):
            path = os.path.join(location, f"{spelling}-{version}.dist-info")
            if os.path.isdir(path):
                return path
    try:
        names = sorted(os.listdir(location))
    except OSError:
        return None
    for suffix in (".dist-info", ".egg-info"):
        for entry in names:
            if entry.endswith(suffix):
                return os.path.join(location, entry)
    if "EGG-INFO" in names:
        return os.path.join(location, "EGG-INFO")
    return None


class InstalledDistribution:
    """A distribution buildout can put on a script's path."""

    def __init__(
        self, name: str, version: str, location: str, develop: bool, metadata_path: str | None = None
    ) -> None:
        self.name = name
        """The project name as its metadata spells it."""
        self.version = version
        self.location = location
        """The path entry: an egg directory, or a develop project's code directory."""
        self.develop = develop
        """True for develop projects (and builds kept in develop-eggs)."""
        self.metadata_path = metadata_path
        """The metadata directory when it is not inside ``location`` (develop projects)."""

    def __repr__(self) -> str:
        return (f"InstalledDistribution(name={self.name!r}, version={self.version!r}, "
                f"location={self.location!r}, develop={self.develop!r})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InstalledDistribution):
            return NotImplemented
        return self._identity == other._identity

    def __hash__(self) -> int:
        return hash(self._identity)

    @property
    def _identity(self) -> tuple[str, str, str, bool]:
        """What makes two of them the same distribution (where the metadata is does not count)."""
        return self.name, self.version, self.location, self.develop

    @functools.cached_property
    def metadata(self) -> DistInfo:
        """The distribution's metadata, read when first asked for."""
        path = self.metadata_path or _metadata_directory(self.location, self.name, self.version)
        if path is None:
            raise FileNotFoundError(f"No metadata for {self.name} {self.version} in {self.location}")
        return DistInfo(path)

    def knowing(self, metadata: DistInfo) -> InstalledDistribution:
        """This distribution, its :attr:`metadata` already known (a remembered resolution keeps it)."""
        self.__dict__["metadata"] = metadata
        return self

    @property
    def key(self) -> str:
        """The canonical name (``zope-interface``)."""
        return canonical_name(self.name)

    def requires(self, extras: Collection[str] = ()) -> list[Requirement]:
        """The requirements that apply here, with those of the given extras."""
        from packaging.requirements import InvalidRequirement, Requirement  # start-up: no-op runs skip it

        wanted = {canonical_name(extra) for extra in extras}
        result = []
        for text in self.metadata.requires or ():
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            if requirement.marker is None or any(
                requirement.marker.evaluate({"extra": extra}) for extra in ("", *sorted(wanted))
            ):
                result.append(requirement)
        return result


class InstalledEggs:
    """What is installed: develop-eggs first, then the eggs directory.

    Directory listings are read once and kept; call :meth:`refresh` after
    installing into either directory.
    """

    def __init__(self, eggs_directory: str, develop_eggs_directory: str) -> None:
        self.eggs_directory = os.path.abspath(eggs_directory)
        self.develop_eggs_directory = os.path.abspath(develop_eggs_directory)

    def refresh(self) -> None:
        """Forget the directory listings (something was installed)."""
        self.__dict__.pop("_by_key", None)

    def find(self, name: str) -> list[InstalledDistribution]:
        """Distributions named ``name`` (any spelling): develop ones first, then newest first."""
        return list(self._by_key.get(canonical_name(name), ()))

    def __iter__(self) -> Iterator[InstalledDistribution]:
        for dists in self._by_key.values():
            yield from dists

    @functools.cached_property
    def _by_key(self) -> dict[str, list[InstalledDistribution]]:
        found: dict[str, list[InstalledDistribution]] = {}
        for dist in (*_develop_distributions(self.develop_eggs_directory),
                     *_egg_directories(self.eggs_directory, develop=False)):
            found.setdefault(canonical_name(dist.name), []).append(dist)
        for dists in found.values():
            dists.sort(key=_version_key, reverse=True)
            dists.sort(key=lambda dist: not dist.develop)
        return found


def _version_key(dist: InstalledDistribution) -> tuple[int, Version]:
    """Sorts by version; unparsable versions come before every real one."""
    from packaging.version import InvalidVersion, Version  # start-up: only runs that look for distributions

    try:
        return (1, Version(dist.version))
    except InvalidVersion:
        return (0, Version("0"))


def _listdir(directory: str) -> list[str]:
    try:
        return sorted(os.listdir(directory))
    except FileNotFoundError:
        return []


def _egg_directories(directory: str, *, develop: bool) -> Iterable[InstalledDistribution]:
    for entry in _listdir(directory):
        egg = EggName.parse(entry)
        if egg is not None and egg.fits:
            yield InstalledDistribution(egg.name, egg.version, os.path.join(directory, entry), develop)


def _first_line(path: str) -> str:
    with open(path, encoding="utf-8") as file:
        return file.readline().strip()


def _develop_distributions(directory: str) -> Iterable[InstalledDistribution]:
    """Develop projects: a ``.dist-info`` beside its ``.egg-link``, or a legacy egg-link."""
    entries = _listdir(directory)
    links = {
        canonical_name(entry[: -len(".egg-link")]): os.path.join(directory, entry)
        for entry in entries
        if entry.endswith(".egg-link")
    }
    for entry in entries:
        if not entry.endswith(".dist-info"):
            continue
        name, _, version = entry[: -len(".dist-info")].partition("-")
        link = links.pop(canonical_name(name), None)
        location = _first_line(link) if link else directory
        yield InstalledDistribution(
            name, version, location, True, metadata_path=os.path.join(directory, entry)
        )
    for link in links.values():
        dist = _legacy_develop(link)
        if dist is not None:
            yield dist
    yield from _egg_directories(directory, develop=True)


def _legacy_develop(link: str) -> InstalledDistribution | None:
    """An egg-link written by an older buildout: the project holds ``<Name>.egg-info``."""
    location = _first_line(link)
    info = _metadata_directory(location)
    if info is None:
        return None
    metadata = DistInfo(info).metadata
    name, version = metadata.get("Name"), metadata.get("Version")
    if not name:
        return None
    return InstalledDistribution(name, version or "", location, True, info)
