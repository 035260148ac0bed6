"""Index and find-links pages as data: PEP 503 HTML, PEP 691 JSON, file names."""

from __future__ import annotations

import dataclasses
import html.parser
import json
import posixpath
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from typing import Literal

from packaging.tags import Tag
from packaging.utils import (
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

__all__ = [
    "DistributionFile",
    "HTML_TYPES",
    "JSON_TYPE",
    "SDIST_SUFFIXES",
    "distribution_file",
    "parse_html",
    "parse_json",
    "split_filename",
]

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPES = ("text/html", "application/vnd.pypi.simple.v1+html")
SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar", ".zip")


@dataclasses.dataclass(frozen=True)
class DistributionFile:
    """One wheel or sdist of a project, as offered by an index or find-links."""

    name: NormalizedName
    version: Version
    filename: str
    url: str
    """Absolute ``http(s)://`` or ``file://`` URL, without fragment."""
    kind: Literal["wheel", "sdist"]
    tags: frozenset[Tag] = frozenset()
    """The tags a wheel is built for; empty for an sdist."""
    sha256: str | None = None
    requires_python: str | None = None
    yanked: str | None = None
    """``None`` when not yanked, else the reason (possibly empty)."""
    metadata_url: str | None = None
    """Where the core metadata file (PEP 658) is, when the index offers one."""
    metadata_sha256: str | None = None


def split_filename(
    filename: str, project: str | None = None
) -> tuple[NormalizedName, Version, Literal["wheel", "sdist"], frozenset[Tag]] | None:
    """Name, version, kind and tags of a distribution file name, or ``None``.

    Sdist names are ambiguous when the project name holds dashes; when the
    page belongs to a known ``project``, the split that names it wins.
    """
    if filename.endswith(".whl"):
        try:
            name, version, _, tags = parse_wheel_filename(filename)
        except (InvalidWheelFilename, InvalidVersion):
            return None
        return name, version, "wheel", tags
    for suffix in SDIST_SUFFIXES:
        if filename.lower().endswith(suffix):
            stem = filename[: -len(suffix)]
            break
    else:
        return None
    split = _split_sdist_stem(stem, project)
    if split is None:
        return None
    return split[0], split[1], "sdist", frozenset()


def _split_sdist_stem(stem: str, project: str | None) -> tuple[NormalizedName, Version] | None:
    positions = [index for index, char in enumerate(stem) if char == "-"]
    if project is not None:
        wanted = canonicalize_name(project)
        positions = [i for i in positions if canonicalize_name(stem[:i]) == wanted]
    for position in reversed(positions):
        try:
            version = Version(stem[position + 1 :])
        except InvalidVersion:
            continue
        name = stem[:position]
        if name:
            return canonicalize_name(name), version
    return None


def distribution_file(
    url: str,
    *,
    project: str | None = None,
    filename: str | None = None,
    hashes: Mapping[str, str] | None = None,
    requires_python: str | None = None,
    yanked: str | None = None,
    metadata: bool | Mapping[str, str] = False,
) -> DistributionFile | None:
    """The file a link points at, or ``None`` when it is not a distribution.

    ``filename`` defaults to the last segment of the URL's path. ``hashes`` adds to those in the URL fragment (``#sha256=...``).
    ``metadata`` is true (or a mapping of hashes) when the index serves the
    core metadata at ``<url>.metadata``.
    """
    base, _, fragment = url.partition("#")
    if filename is None:
        filename = urllib.parse.unquote(posixpath.basename(urllib.parse.urlsplit(base).path))
    split = split_filename(filename, project)
    if split is None:
        return None
    name, version, kind, tags = split
    all_hashes = dict(urllib.parse.parse_qsl(fragment))
    all_hashes.update(hashes or {})
    metadata_hashes = metadata if isinstance(metadata, Mapping) else {}
    return DistributionFile(
        name=name,
        version=version,
        filename=filename,
        url=base,
        kind=kind,
        tags=tags,
        sha256=all_hashes.get("sha256"),
        requires_python=requires_python or None,
        yanked=yanked,
        metadata_url=base + ".metadata" if metadata else None,
        metadata_sha256=metadata_hashes.get("sha256"),
    )


class _LinkCollector(html.parser.HTMLParser):
    """Collects ``<a>`` attributes and the ``<base href>`` of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.anchors: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.anchors.append(dict(attrs))
        elif tag == "base" and self.base is None:
            self.base = dict(attrs).get("href")


def parse_html(text: str, url: str, project: str | None = None) -> list[DistributionFile]:
    """The distribution files a PEP 503 project page or a find-links page links to.

    Relative links are resolved against ``<base href>`` or the page URL.
    Links that do not name a distribution file are skipped.
    """
    collector = _LinkCollector()
    collector.feed(text)
    collector.close()
    base = urllib.parse.urljoin(url, collector.base) if collector.base else url
    return list(_html_files(collector.anchors, base, project))


def _html_files(
    anchors: Iterable[dict[str, str | None]], base: str, project: str | None
) -> Iterator[DistributionFile]:
    for attrs in anchors:
        href = attrs.get("href")
        if not href:
            continue
        metadata = attrs.get("data-core-metadata", attrs.get("data-dist-info-metadata"))
        found = distribution_file(
            urllib.parse.urljoin(base, href),
            project=project,
            requires_python=attrs.get("data-requires-python"),
            yanked=(attrs["data-yanked"] or "") if "data-yanked" in attrs else None,
            metadata=_html_metadata(metadata),
        )
        if found is not None:
            yield found


def _html_metadata(value: str | None) -> bool | dict[str, str]:
    """PEP 658: absent or ``"false"`` means none; ``"true"`` or ``"<hash>=<hex>"`` one."""
    if value is None or value.lower() == "false":
        return False
    name, equals, digest = value.partition("=")
    return {name: digest} if equals else True


def parse_json(data: bytes, url: str, project: str | None = None) -> list[DistributionFile]:
    """The distribution files of a PEP 691 project page.

    Raises ``ValueError`` when ``data`` is not such a page.
    """
    page = json.loads(data)
    if not isinstance(page, dict) or not isinstance(page.get("files"), list):
        raise ValueError("not a PEP 691 project page")
    found = []
    for entry in page["files"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            continue
        yanked = entry.get("yanked", False)
        metadata = entry.get("core-metadata", entry.get("dist-info-metadata", False))
        file = distribution_file(
            urllib.parse.urljoin(url, entry["url"]),
            project=project,
            filename=entry.get("filename") if isinstance(entry.get("filename"), str) else None,
            hashes=entry.get("hashes") or {},
            requires_python=entry.get("requires-python"),
            yanked=(yanked if isinstance(yanked, str) else "") if yanked else None,
            metadata=metadata if isinstance(metadata, (bool, dict)) else False,
        )
        if file is not None:
            found.append(file)
    return found
