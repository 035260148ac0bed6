"""Distributions in local directories: a PEP 503 tree on disk, or a flat directory of files."""

from __future__ import annotations

import os

from zc.buildout.dists.find.pages import DistributionFile, distribution_file, parse_html
from zc.buildout.dists.metadata import canonical_name
from zc.buildout.net.file_urls import file_url

__all__ = ["local_files", "read_local_index"]


def read_local_index(directory: str, name: str) -> list[DistributionFile]:
    """A PEP 503 tree on disk (``<name>/index.html`` or ``<name>/`` of files), or a flat directory."""
    project = os.path.join(directory, name)
    if not os.path.isdir(project):
        entries = os.listdir(directory) if os.path.isdir(directory) else []
        matches = [entry for entry in entries if canonical_name(entry) == name]
        project = os.path.join(directory, matches[0]) if matches else ""
    if not project or not os.path.isdir(project):
        return [file for file in local_files(directory) if file.name == name]
    page = os.path.join(project, "index.html")
    if os.path.isfile(page):
        with open(page, encoding="utf-8") as text:
            return parse_html(text.read(), file_url(page), name)
    return local_files(project, name)


def local_files(directory: str, project: str | None = None) -> list[DistributionFile]:
    """The distribution files in a directory (of ``project``, when given)."""
    if not os.path.isdir(directory):
        return []
    found = (distribution_file(file_url(os.path.join(directory, entry)), project=project)
             for entry in sorted(os.listdir(directory)))
    return [file for file in found if file is not None]
