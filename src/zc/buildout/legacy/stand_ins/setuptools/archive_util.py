"""``setuptools.archive_util`` as download recipes call it, from :mod:`zc.buildout.files.archives`."""

from zc.buildout.files.archives import UnrecognizedFormat, default_filter, unpack_archive

__all__ = ["UnrecognizedFormat", "default_filter", "unpack_archive"]
