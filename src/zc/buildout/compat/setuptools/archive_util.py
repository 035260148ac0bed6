"""``setuptools.archive_util`` as download recipes call it, from :mod:`zc.buildout.archives`."""

from zc.buildout.archives import UnrecognizedFormat, default_filter, unpack_archive

__all__ = ["UnrecognizedFormat", "default_filter", "unpack_archive"]
