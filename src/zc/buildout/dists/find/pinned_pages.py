"""The big index pages of pinned projects, read in the installer's worker processes.

Reading a JSON page (PEP 691) is decoding it and looking at each file it
lists: for a big project, megabytes and thousands of files, tens of
milliseconds in which the resolving process, one interpreter lock for all
its threads, does nothing else. The page of a project pinned to one
version is handed instead to an idle worker process
(:class:`~zc.buildout.dists.install.compiler.Compiler`), which answers with
the versions the page lists and the entries of the pinned version's files
alone. With no worker idle, or for a small page, the page is read where it
was downloaded, as an unpinned project's is.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from typing import Any, Protocol

from packaging.version import Version

from zc.buildout.dists.find.pages import ProjectFiles, json_listing

__all__ = ["BIG_PAGE", "Workers", "pinned_page_files", "read_pinned_page"]

logger = logging.getLogger("zc.buildout")

BIG_PAGE = 128 << 10
"""Pages smaller than this (bytes) are read where they were downloaded: handing them over costs more."""


class Workers(Protocol):
    """Worker processes that call functions of buildout's (the installer's
    :class:`~zc.buildout.dists.install.compiler.Compiler`)."""

    def idle(self) -> bool: ...

    def call(self, function: str, *args: object, urgent: bool = False, **keywords: object) -> Any: ...


def pinned_page_files(workers: Callable[[], Workers | None], data: bytes, url: str, project: str,
                      only: Version) -> ProjectFiles | None:
    """The files of the JSON page ``data`` of ``project`` at ``url``, pinned to ``only``, as an idle
    worker of ``workers()`` reads them; ``None`` for a small page, or when no worker is idle or it failed.
    """
    compiler = workers() if len(data) >= BIG_PAGE else None
    if compiler is None or not compiler.idle():
        return None
    import tempfile  # start-up: only big pages need it

    descriptor, path = tempfile.mkstemp(prefix="buildout-page-", suffix=".json")
    try:
        with open(descriptor, "wb") as file:
            file.write(data)
        answer = compiler.call("zc.buildout.dists.find.pinned_pages:read_pinned_page", path, project, str(only),
                               urgent=True)
    except Exception:  # read here instead, its errors reported from there
        logger.debug("A worker could not read the index page of %s", project, exc_info=True)
        return None
    finally:
        with contextlib.suppress(OSError):
            os.remove(path)
    listing = {Version(text): [tuple(entry) for entry in entries] for text, entries in answer}
    return ProjectFiles.from_json_listing(listing, url, project)


def read_pinned_page(path: str, project: str, only: str) -> list[list[Any]]:
    """What a worker answers for the JSON page of ``project`` in the file ``path``: each version the
    page lists (as text), with the entries of its files if it is ``only``."""
    with open(path, "rb") as file:
        listing = json_listing(file.read(), project, Version(only))
    return [[str(version), entries] for version, entries in listing.items()]
