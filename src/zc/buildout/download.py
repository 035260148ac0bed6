"""``zc.buildout.download``: the ``Download`` API recipes use.

Upstream's module path. Recipes import ``Download``, ``ChecksumError``,
``check_md5sum``, ``locate_at``, ``remove``, ``unpack_archive`` and
``UnrecognizedFormat`` from here; they live in :mod:`zc.buildout.net.download`,
:mod:`zc.buildout.net.httpclient` and :mod:`zc.buildout.files.archives`.
"""

from zc.buildout.files.archives import UnrecognizedFormat, unpack_archive
from zc.buildout.net.download import Download, check_md5sum, check_sha256, locate_at, remove
from zc.buildout.net.httpclient import ChecksumError, DownloadError, HTTPClient, Response

__all__ = [
    "ChecksumError",
    "Download",
    "DownloadError",
    "HTTPClient",
    "Response",
    "UnrecognizedFormat",
    "check_md5sum",
    "check_sha256",
    "locate_at",
    "remove",
    "unpack_archive",
]
