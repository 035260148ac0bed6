"""Index and find-links pages as data: PEP 503 HTML, PEP 691 JSON."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from packaging.version import InvalidVersion, Version

from zc.buildout.dists.find.filenames import FileKind, NameMemo, split_filename
from zc.buildout.dists.find.json_scan import pinned_listing

if TYPE_CHECKING:
    from packaging.tags import Tag
    from packaging.utils import NormalizedName

__all__ = [
    "DistributionFile", "ProjectFiles", "project_files", "parse_page", "HTML_TYPES", "JSON_TYPE",
    "distribution_file", "parse_html", "parse_json", "JSONEntry", "json_listing",
]

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPES = ("text/html", "application/vnd.pypi.simple.v1+html")


@dataclasses.dataclass(frozen=True)
class DistributionFile:
    """One wheel, sdist or egg of a project, as offered by an index or find-links."""

    name: NormalizedName
    version: Version
    filename: str
    url: str
    """Absolute ``http(s)://`` or ``file://`` URL, without fragment."""
    kind: FileKind
    sha256: str | None = None
    requires_python: str | None = None
    yanked: str | None = None
    """``None`` when not yanked, else the reason (possibly empty)."""
    metadata_url: str | None = None
    """Where the core metadata file (PEP 658) is, when the index offers one."""
    metadata_sha256: str | None = None
    size: int | None = None
    """The file's size in bytes, when the index gives it (PEP 700)."""

    @functools.cached_property
    def tags(self) -> frozenset[Tag]:
        """The tags a wheel is built for (empty for an sdist, or a malformed name)."""
        if self.kind != "wheel":
            return frozenset()
        from packaging.utils import InvalidWheelFilename, parse_wheel_filename  # start-up: choosing files

        try:
            return parse_wheel_filename(self.filename)[3]
        except (InvalidWheelFilename, InvalidVersion):
            return frozenset()


def distribution_file(
    url: str,
    *,
    project: str | None = None,
    filename: str | None = None,
    hashes: Mapping[str, str] | None = None,
    requires_python: str | None = None,
    yanked: str | None = None,
    metadata: bool | Mapping[str, str] = False,
    memo: NameMemo | None = None,
    size: int | None = None,
) -> DistributionFile | None:
    """The file a link points at, or ``None`` when it is not a distribution.

    ``filename`` defaults to the last segment of the URL's path. ``hashes``
    adds to those in the URL fragment (``#sha256=...``). ``metadata`` is
    true (or a mapping of hashes) when the index serves the core metadata at
    ``<url>.metadata``. ``memo`` keeps parsed names and versions across the
    files of one page.
    """
    base, _, fragment = url.partition("#")
    if filename is None:
        path = base.partition("?")[0]
        filename = urllib.parse.unquote(path[path.rfind("/") + 1 :])
    split = split_filename(filename, project, memo)
    if split is None:
        return None
    name, version, kind = split
    sha256 = (hashes or {}).get("sha256")
    if sha256 is None and fragment:
        if fragment.startswith("sha256=") and "&" not in fragment:
            sha256 = fragment[7:]  # what indexes write; parse_qsl is slow on big pages
        else:
            sha256 = dict(urllib.parse.parse_qsl(fragment)).get("sha256")
    return DistributionFile(
        name=name, version=version, filename=filename, url=base, kind=kind, sha256=sha256,
        requires_python=requires_python or None, yanked=yanked,
        metadata_url=base + ".metadata" if metadata else None,
        metadata_sha256=metadata.get("sha256") if isinstance(metadata, Mapping) else None,
        size=size,
    )


# PEP 503 pages are flat lists of anchors; regular expressions read them much
# faster than a general HTML parser (pages of big projects hold 10,000 links).
_TAG = re.compile(r"""<(a|base)\s((?:[^>"']|"[^"]*"|'[^']*')*)>""", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([^\s=/>]+)(\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def _attributes(text: str) -> dict[str, str | None]:
    """An element's attributes by lower-case name (the first of repeated ones); ``None``: no value."""
    attributes: dict[str, str | None] = {}
    for name, assigned, double, single, bare in _ATTRIBUTE.findall(text):
        value = (double or single or bare) if assigned else None
        if value and "&" in value:
            import html  # start-up: only pages with character references need it

            value = html.unescape(value)
        attributes.setdefault(name.lower(), value)
    return attributes


def parse_html(text: str, url: str, project: str | None = None) -> list[DistributionFile]:
    """The distribution files a PEP 503 project page or a find-links page links to.

    Relative links are resolved against ``<base href>`` or the page URL.
    Links that do not name a distribution file are skipped.
    """
    base = url
    anchors = []
    for tag, inside in _TAG.findall(text):
        attributes = _attributes(inside)
        if tag in "aA":
            anchors.append(attributes)
        elif base is url and attributes.get("href"):
            base = urllib.parse.urljoin(url, attributes["href"])
    return list(_html_files(anchors, base, project))


# The link of an anchor whose first attribute it is (as index pages write
# them), to know its version before reading the rest.
_FIRST_HREF = re.compile(r"""\s*href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)


def _link_version(inside: str, project: str, memo: NameMemo) -> Version | None:
    """The version of the file an anchor (the text inside its tag) links to, if it links to one."""
    match = _FIRST_HREF.match(inside)
    href = (match[1] or match[2] or match[3]) if match else _attributes(inside).get("href")
    if not href:
        return None
    if "&" in href:
        import html  # start-up: only pages with character references need it

        href = html.unescape(href)
    path = href.partition("#")[0].partition("?")[0]
    split = split_filename(urllib.parse.unquote(path[path.rfind("/") + 1 :]), project, memo)
    return None if split is None else split[1]


class ProjectFiles(Mapping[Version, Sequence[DistributionFile]]):
    """The files of one project by version, each version's read when first asked for.

    An index page may link 10,000 files, of which a resolution looks at a
    version or two: the links of an HTML page, or the file entries of a
    JSON one, are only split into name and version at first, and the rest
    of what they say read when their version is asked for. Threads may read
    one concurrently.
    """

    def __init__(self, files: Iterable[DistributionFile] = ()) -> None:
        self._read: dict[Version, list[DistributionFile]] = {}
        self._unread: dict[Version, list[Any]] = {}
        """What the page says of each file of a version not read yet: an anchor's text, a JSON entry's
        (:data:`JSONEntry`)."""
        self._reader: Callable[[list[Any]], Iterable[DistributionFile]] = lambda unread: ()
        for file in files:
            self._read.setdefault(file.version, []).append(file)

    @classmethod
    def from_html(cls, text: str, url: str, project: str, only: Version | None = None) -> ProjectFiles:
        """The files of the PEP 503 page of ``project`` at ``url`` (see :func:`parse_html`).

        With ``only``, the files of other versions are left out (their versions are kept).
        """
        page = cls()
        memo = NameMemo()
        base = url
        for tag, inside in _TAG.findall(text):
            if tag in "aA":
                version = _link_version(inside, project, memo)
                if version is not None:
                    page._keep(version, inside, only)
            elif base is url and (href := _attributes(inside).get("href")):
                base = urllib.parse.urljoin(url, href)
        page._reader = lambda unread: _html_files(map(_attributes, unread), base, project)
        return page

    @classmethod
    def from_json(cls, data: bytes, url: str, project: str, only: Version | None = None) -> ProjectFiles:
        """The files of the PEP 691 page of ``project`` at ``url`` (see :func:`parse_json`), as :meth:`from_html`."""
        return cls.from_json_listing(json_listing(data, project, only), url, project)

    @classmethod
    def from_json_listing(cls, listing: dict[Version, list[JSONEntry]], url: str, project: str) -> ProjectFiles:
        """The files a :func:`json_listing` of the PEP 691 page of ``project`` at ``url`` gives."""
        page = cls()
        page._unread = listing
        page._reader = lambda unread: _json_files(unread, url, project)
        return page

    def _keep(self, version: Version, unread: Any, only: Version | None) -> None:
        kept = self._unread.setdefault(version, [])  # the version is listed even when its files are left out
        if only is None or version == only:
            kept.append(unread)

    def __getitem__(self, version: Version) -> Sequence[DistributionFile]:
        files = self._read.get(version)
        if files is None:
            found = [file for file in self._reader(self._unread[version]) if file.version == version]
            files = self._read.setdefault(version, found)
        return files

    def __iter__(self) -> Iterator[Version]:
        yield from self._unread
        yield from (version for version in self._read if version not in self._unread)

    def __len__(self) -> int:
        return len(self._unread) + sum(1 for version in self._read if version not in self._unread)

    def files(self) -> list[DistributionFile]:
        """Every file, read."""
        return [file for version in self for file in self[version]]


def _html_files(
    anchors: Iterable[dict[str, str | None]], base: str, project: str | None
) -> Iterator[DistributionFile]:
    memo = NameMemo()
    for attrs in anchors:
        href = attrs.get("href")
        if not href:
            continue
        metadata = attrs.get("data-core-metadata", attrs.get("data-dist-info-metadata"))
        found = distribution_file(
            href if "://" in href else urllib.parse.urljoin(base, href),
            project=project,
            requires_python=attrs.get("data-requires-python"),
            yanked=(attrs["data-yanked"] or "") if "data-yanked" in attrs else None,
            metadata=_html_metadata(metadata),
            memo=memo,
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
    entries = [_json_entry(entry) for entry in _json_page_files(data) if _entry_filename(entry) is not None]
    return list(_json_files(entries, url, project))


JSONEntry = tuple[str, "str | None", "str | None", "str | None", "str | None", "bool | str", "int | None"]
"""What buildout reads of a PEP 691 file entry (URL, file name, sha256, requires-python, yanked
reason, core metadata or its digest, size), kept in place of the entry, which holds several times as much."""


def _json_page_files(data: bytes) -> list[Any]:
    """The file entries of a PEP 691 project page, as decoded; ``ValueError`` if it is none."""
    page = json.loads(data)
    files = page.get("files") if isinstance(page, dict) else None
    if not isinstance(files, list):
        raise ValueError("not a PEP 691 project page")
    return files


def json_listing(data: bytes, project: str, only: Version | None = None) -> dict[Version, list[JSONEntry]]:
    """The versions the PEP 691 page of ``project`` lists, each with what it says of its files (with
    ``only``, of that version's alone); ``ValueError`` if ``data`` is no such page."""
    scanned = None if only is None else pinned_listing(data, project, only)
    if scanned is not None:
        return {version: [_json_entry(entry) for entry in entries] for version, entries in scanned.items()}
    listing: dict[Version, list[JSONEntry]] = {}
    memo = NameMemo()
    # Big pages list tens of thousands of files, a version's together: the
    # work done for each file is what reading a page costs.
    last: Version | None = None
    kept: list[JSONEntry] | None = None
    for entry in _json_page_files(data):
        filename = _entry_filename(entry)
        split = None if filename is None else split_filename(filename, project, memo)
        if split is None:
            continue
        if split[1] is not last:
            last = split[1]
            listed = listing.setdefault(last, [])  # listed even when its files are left out
            kept = listed if only is None or last == only else None
        if kept is not None:
            kept.append(_json_entry(entry))
    return listing


def _entry_filename(entry: Any) -> str | None:
    """The file name a JSON entry gives, else the last segment of its URL's path; ``None`` if it names no URL."""
    if not isinstance(entry, dict) or not isinstance(link := entry.get("url"), str):
        return None
    filename = entry.get("filename")
    if isinstance(filename, str):
        return filename
    path = link.partition("#")[0].partition("?")[0]
    return urllib.parse.unquote(path[path.rfind("/") + 1:])


def _json_entry(entry: dict[str, Any]) -> JSONEntry:
    """What buildout reads of a JSON file entry that names a URL."""
    filename, hashes = entry.get("filename"), entry.get("hashes")
    yanked = entry.get("yanked", False)
    metadata = entry.get("core-metadata", entry.get("dist-info-metadata", False))
    size = entry.get("size")
    return (
        entry["url"],
        filename if isinstance(filename, str) else None,
        hashes.get("sha256") if isinstance(hashes, dict) else None,
        entry.get("requires-python"),
        (yanked if isinstance(yanked, str) else "") if yanked else None,
        ((metadata.get("sha256") or True) if metadata else False) if isinstance(metadata, dict)
        else metadata is True,
        size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None,
    )


def _json_files(entries: Iterable[JSONEntry], url: str, project: str | None) -> Iterator[DistributionFile]:
    memo = NameMemo()
    for link, filename, sha256, requires_python, yanked, metadata, size in entries:
        file = distribution_file(
            link if "://" in link else urllib.parse.urljoin(url, link),
            project=project,
            filename=filename,
            hashes={"sha256": sha256} if sha256 else {},
            requires_python=requires_python,
            yanked=yanked,
            metadata={"sha256": metadata} if isinstance(metadata, str) else metadata,
            memo=memo,
            size=size,
        )
        if file is not None:
            yield file


def parse_page(data: bytes, content_type: str, url: str, project: str | None = None
               ) -> list[DistributionFile]:
    """The distribution files of a page, read as its ``Content-Type`` says (JSON or HTML).

    Raises ``ValueError`` or ``LookupError`` for pages that cannot be read.
    """
    media_type, _, parameters = content_type.partition(";")
    if media_type.strip().lower() == JSON_TYPE:
        return parse_json(data, url, project)
    return parse_html(_decoded(data, parameters), url, project)


def project_files(data: bytes, content_type: str, url: str, project: str, only: Version | None = None
                  ) -> ProjectFiles:
    """:func:`parse_page` for the index page of ``project``, each version's files read when needed.

    With ``only``, the files of other versions are left out (their versions are kept).
    """
    media_type, _, parameters = content_type.partition(";")
    if media_type.strip().lower() == JSON_TYPE:
        return ProjectFiles.from_json(data, url, project, only)
    return ProjectFiles.from_html(_decoded(data, parameters), url, project, only)


def _decoded(data: bytes, parameters: str) -> str:
    """The text of a page, as the parameters of its ``Content-Type`` say (UTF-8 by default)."""
    charset = "utf-8"
    for parameter in parameters.split(";"):
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    return data.decode(charset)
