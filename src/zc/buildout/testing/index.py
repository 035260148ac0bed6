"""A package index on the loopback interface, serving the distributions of one directory.

Who does what: :class:`FakeIndex` is a :class:`~zc.buildout.testing.server.LoopbackServer`
owning the directory and the switches; ``_Handler`` answers one request by
asking the index for a page or a file.

Paths served (``<root>`` is :attr:`FakeIndex.url`):

- ``<root>simple/`` and ``<root>simple/<project>/``: a PEP 503 HTML index, or
  PEP 691 JSON when the ``Accept`` header asks for it (and :attr:`json` is on);
  a project name that is not canonical is redirected to the canonical one;
- ``<root>files/<file>``: the files, and ``<file>.metadata`` for wheels
  (PEP 658, when :attr:`metadata` is on); a file request may ask for one
  byte range (``Range: bytes=a-b``, ``bytes=a-`` or ``bytes=-n``), answered
  with ``206`` and ``Content-Range`` (``416`` when it lies past the end);
- ``<root>links/``: one flat page linking every file, for ``find-links``.
"""

from __future__ import annotations

import email.parser
import fnmatch
import hashlib
import html
import json
import os
import re
import zipfile
from collections.abc import Iterator

from packaging.utils import canonicalize_name

from zc.buildout.dists.find.filenames import split_filename
from zc.buildout.dists.find.pages import JSON_TYPE
from zc.buildout.testing.server import LoopbackHandler, LoopbackServer

__all__ = ["FakeIndex"]


class _Handler(LoopbackHandler):
    def answer(self, path: str) -> None:
        index: FakeIndex = self.server.owner  # type: ignore[assignment]
        faulty = fnmatch.fnmatchcase(path, index.faulty)
        if faulty and index.delay:
            index.wait(index.delay)
        if faulty and index.fail_status:
            self._send(index.fail_status, "text/plain", b"failing on purpose\n")
            return
        self._route(index, path, truncate=faulty and index.truncate)

    def _route(self, index: FakeIndex, path: str, truncate: bool) -> None:
        parts = [part for part in path.split("/") if part]
        as_json = index.json and JSON_TYPE in self.headers.get("Accept", "")
        if parts == ["simple"]:
            self._send(200, *index.root_page(as_json), truncate=truncate)
        elif len(parts) == 2 and parts[0] == "simple":
            self._project(index, parts[1], as_json, truncate)
        elif parts == ["links"]:
            self._send(200, "text/html", index.links_page(), truncate=truncate)
        elif len(parts) == 2 and parts[0] == "files":
            self._file(index, parts[1], truncate)
        else:
            self._send(404, "text/plain", b"not found\n")

    def _project(self, index: FakeIndex, name: str, as_json: bool, truncate: bool) -> None:
        canonical = canonicalize_name(name)
        if canonical != name:
            self.send_response(301)
            self.send_header("Location", f"/simple/{canonical}/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif canonical not in index.projects():
            self._send(404, "text/plain", b"no such project\n")
        else:
            self._send(200, *index.project_page(canonical, as_json), truncate=truncate)

    def _file(self, index: FakeIndex, filename: str, truncate: bool) -> None:
        if filename.endswith(".metadata") and index.metadata:
            core = index.core_metadata(filename[: -len(".metadata")])
            if core is not None:
                self._send(200, "application/octet-stream", core, truncate=truncate)
                return
        path = os.path.join(index.directory, filename)
        if "/" in filename or not os.path.isfile(path):
            self._send(404, "text/plain", b"no such file\n")
            return
        with open(path, "rb") as file:
            body = file.read()
        wanted = self.headers.get("Range") if index.ranges else None
        span = None if wanted is None else _byte_range(wanted, len(body))
        if span is None:
            self._send(200, "application/octet-stream", body, truncate=truncate)
        elif span.start < span.stop:
            self._send(206, "application/octet-stream", body[span.start : span.stop],
                       truncate=truncate,
                       content_range=f"bytes {span.start}-{span.stop - 1}/{len(body)}")
        else:
            self._send(416, "text/plain", b"range not satisfiable\n",
                       content_range=f"bytes */{len(body)}")

    def _send(self, status: int, content_type: str, body: bytes, truncate: bool = False,
              content_range: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if content_range is not None:
            self.send_header("Content-Range", content_range)
        self.send_header("Content-Length", str(len(body)))
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.write(body[: len(body) // 2] if truncate else body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (after a timeout)
        if truncate:
            self.close_connection = True


class FakeIndex(LoopbackServer):
    """Serve ``directory`` as a package index on ``127.0.0.1``; :meth:`start` it.

    Switches, changeable while the server runs: :attr:`delay` (seconds to
    wait before answering), :attr:`fail_status` (answer with this HTTP
    status instead), :attr:`truncate` (send only half the body, then close
    the connection); :attr:`faulty` is the glob of paths they apply to.
    :attr:`json` and :attr:`metadata` turn PEP 691 and PEP 658 support off;
    :attr:`ranges` turns byte ranges off (files are then sent whole, with
    ``200``, as by servers that ignore ``Range``); :attr:`digests` makes
    the pages lie about files' sha256.
    Requests are logged and credentials checked as the base class says.
    """

    handler = _Handler

    def __init__(self, directory: str) -> None:
        super().__init__()
        self.directory = os.path.abspath(directory)
        self.delay = 0.0
        self.fail_status: int | None = None
        self.truncate = False
        self.faulty = "*"
        self.json = True
        self.metadata = True
        self.ranges = True
        self.yanked: dict[str, str] = {}
        """File name -> reason: these files are marked yanked (PEP 592)."""
        self.digests: dict[str, str] = {}
        """File name -> sha256: the pages give this digest for the file instead of its own."""

    @property
    def simple(self) -> str:
        """The URL to use as ``index``."""
        return self.url + "simple/"

    @property
    def links(self) -> str:
        """The URL of the flat page to use in ``find-links``."""
        return self.url + "links/"

    def _distributions(self) -> Iterator[tuple[str, str]]:
        """(canonical project name, file name) of each distribution file, sorted."""
        for filename in sorted(os.listdir(self.directory)):
            split = split_filename(filename)
            if split is not None:
                yield split[0], filename

    def files(self, project: str | None = None) -> list[str]:
        """Names of the distribution files (of ``project``), sorted."""
        return [name for owner, name in self._distributions() if project in (None, owner)]

    def projects(self) -> list[str]:
        return sorted({owner for owner, _ in self._distributions()})

    def file_entry(self, filename: str) -> dict[str, object]:
        """The PEP 691 description of one file; HTML pages are made from it."""
        with open(os.path.join(self.directory, filename), "rb") as file:
            data = file.read()
            entry: dict[str, object] = {
                "filename": filename,
                "url": f"../../files/{filename}",
                "hashes": {"sha256": self.digests.get(filename) or hashlib.sha256(data).hexdigest()},
                "size": len(data),
            }
        if filename in self.yanked:
            entry["yanked"] = self.yanked[filename] or True
        core = self.core_metadata(filename)
        if core is not None:
            requires_python = _header(core, "Requires-Python")
            if requires_python:
                entry["requires-python"] = requires_python
            if self.metadata:
                digest = {"sha256": hashlib.sha256(core).hexdigest()}
                entry["core-metadata"] = entry["dist-info-metadata"] = digest
        return entry

    def core_metadata(self, filename: str) -> bytes | None:
        """The ``METADATA`` file of a wheel, or ``None``."""
        if not filename.endswith(".whl"):
            return None
        with zipfile.ZipFile(os.path.join(self.directory, filename)) as archive:
            for member in archive.namelist():
                parts = member.split("/")
                if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "METADATA":
                    return archive.read(member)
        return None

    def project_page(self, project: str, as_json: bool) -> tuple[str, bytes]:
        entries = [self.file_entry(name) for name in self.files(project)]
        if as_json:
            page = {"meta": {"api-version": "1.1"}, "name": project, "files": entries}
            return JSON_TYPE, json.dumps(page).encode()
        return "text/html", _html_page(entries).encode()

    def root_page(self, as_json: bool) -> tuple[str, bytes]:
        if as_json:
            projects = [{"name": name} for name in self.projects()]
            page = {"meta": {"api-version": "1.1"}, "projects": projects}
            return JSON_TYPE, json.dumps(page).encode()
        links = "".join(f'<a href="{name}/">{name}</a>\n' for name in self.projects())
        return "text/html", f"<!DOCTYPE html>\n<html><body>\n{links}</body></html>\n".encode()

    def links_page(self) -> bytes:
        links = "".join(f'<a href="../files/{name}">{name}</a>\n' for name in self.files())
        return f"<!DOCTYPE html>\n<html><body>\n{links}</body></html>\n".encode()


def _header(metadata: bytes, name: str) -> str | None:
    return email.parser.BytesHeaderParser().parsebytes(metadata).get(name)


def _html_page(entries: list[dict[str, object]]) -> str:
    lines = []
    for entry in entries:
        hashes = entry["hashes"]
        assert isinstance(hashes, dict)
        attributes = f'href="{entry["url"]}#sha256={hashes["sha256"]}"'
        if "requires-python" in entry:
            attributes += f' data-requires-python="{html.escape(str(entry["requires-python"]))}"'
        if "yanked" in entry:
            reason = entry["yanked"]
            attributes += f' data-yanked="{html.escape(reason if isinstance(reason, str) else "")}"'
        core = entry.get("core-metadata")
        if isinstance(core, dict):
            attributes += f' data-core-metadata="sha256={core["sha256"]}"'
            attributes += f' data-dist-info-metadata="sha256={core["sha256"]}"'
        lines.append(f'<a {attributes}>{entry["filename"]}</a><br>\n')
    return f"<!DOCTYPE html>\n<html><body>\n{''.join(lines)}</body></html>\n"


def _byte_range(wanted: str, size: int) -> range | None:
    """The bytes a ``Range`` header asks for, empty when it lies past the end of a file of ``size``.

    ``None`` when the header is not one range of bytes: it is ignored, as
    HTTP lets a server do.
    """
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", wanted.strip())
    if match is None or match[1] == match[2] == "":
        return None
    if match[1] == "":  # the last n bytes
        return range(max(0, size - int(match[2])), size if int(match[2]) else 0)
    start = int(match[1])
    if match[2] != "" and int(match[2]) < start:
        return None
    stop = size if match[2] == "" else min(size, int(match[2]) + 1)
    return range(start, max(start, stop))
