"""Finding distribution files: the index, find-links, their pages, the metadata of files.

Who does what: ``index.Finder`` answers which files and versions a project
has, reading pages (``pages``, PEP 503 HTML and PEP 691 JSON; ``filenames``
split file names) concurrently, and a file's core metadata from PEP 658
files, HTTP range reads of remote wheels (``remote_wheel``), or the archive
(``downloads``, which keeps what it downloaded for installing); ``usable``
judges which files fit this Python and platform, and which fits best.
"""
