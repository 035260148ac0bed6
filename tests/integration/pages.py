"""The real index's JSON pages of the medium bench set: scanned for the pinned version, as decoded whole."""

from __future__ import annotations

import concurrent.futures
import pathlib
import re
import unittest
import urllib.request

from packaging.version import Version

from tests.integration.support import Integration
from zc.buildout.dists.find.json_scan import pinned_listing
from zc.buildout.dists.find.pages import JSON_TYPE, json_listing
from zc.buildout.dists.metadata import canonical_name
from zc.buildout.dists.settings import default_index

__all__ = ["RealPagesTests"]

_PINS = pathlib.Path(__file__).parents[2] / "scripts" / "bench" / "scenarios" / "medium" / "requirements.txt"


def _pins() -> dict[str, str]:
    found = (re.match(r"([A-Za-z0-9_.-]+)==(\S+)", line) for line in _PINS.read_text().splitlines())
    return {canonical_name(match[1]): match[2] for match in found if match}


def _page(index: str, project: str) -> bytes:
    request = urllib.request.Request(f"{index.rstrip('/')}/{project}/", headers={"Accept": JSON_TYPE})
    with urllib.request.urlopen(request, timeout=60) as response:
        return bytes(response.read())


class RealPagesTests(unittest.TestCase):
    layer = Integration

    def test_the_scan_reads_each_page_as_decoding_it_whole(self) -> None:
        pins, index = _pins(), default_index()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            pages = dict(zip(pins, pool.map(lambda project: _page(index, project), pins)))
        left, differing = [], []
        for project, data in pages.items():
            only = Version(pins[project])
            scanned = pinned_listing(data, project, only)
            if scanned is None:
                left.append(project)
                continue
            whole = {version: entries if version == only else []
                     for version, entries in json_listing(data, project).items()}
            if json_listing(data, project, only) != whole or list(scanned) != list(whole):
                differing.append(project)
        self.assertEqual((left, differing), ([], []))
        self.assertGreater(len(pages), 60)
