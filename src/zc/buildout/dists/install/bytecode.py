"""Byte-compiling one module of a new egg, as the import system would cache it (in a worker process).

The file written is the one Python's import system writes and reads
(``__pycache__/<module>.<cache tag>.pyc``, PEP 3147), in the format of
PEP 552: a timestamp-based one, or a checked hash-based one when
``SOURCE_DATE_EPOCH`` is set (for reproducible builds, as
:mod:`py_compile` does). It names the path the module will be imported
from. A new egg's files are written once, in a staging directory that is
renamed whole: each compiled file is written directly, in one call, where
:mod:`py_compile` writes a temporary file and renames it, and checks for a
compiled file already there. A compiled file is as writable as its source
(an egg cache entry's, unpacked read-only, are read-only from the start,
where sealing the entry changed each). Modules that do not compile
(Python 2 code, say) are left uncompiled, without a word.
"""

from __future__ import annotations

import importlib.util
import marshal
import os
import struct

from zc.buildout.files.descriptors import NEW_FILE, write_all

__all__ = ["compile_module"]

_CHECKED_HASH = 0b11
"""The flags of a hash-based compiled file whose source is checked against it (PEP 552)."""


def compile_module(source: str, directory: str) -> bool:
    """Compile the module at ``source``, named as if it were in ``directory``; whether it compiled."""
    # The name is held while the code is marshalled, as py_compile holds it:
    # the compiled file is then byte for byte the one py_compile writes.
    name = os.path.join(directory, os.path.basename(source))
    try:
        with open(source, "rb") as file:
            text = file.read()
            status = os.fstat(file.fileno())
        code = compile(text, name, "exec", dont_inherit=True)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    if os.environ.get("SOURCE_DATE_EPOCH"):
        header = struct.pack("<I", _CHECKED_HASH) + importlib.util.source_hash(text)
    else:
        header = struct.pack("<3I", 0, int(status.st_mtime) & 0xFFFFFFFF, status.st_size & 0xFFFFFFFF)
    compiled = importlib.util.cache_from_source(source)
    try:
        _write(compiled, importlib.util.MAGIC_NUMBER + header + marshal.dumps(code), status.st_mode & 0o666)
    except OSError:
        return False
    return True


def _write(path: str, data: bytes, mode: int) -> None:
    """Write the file ``path`` with permissions ``mode`` (its directory made if need be); one there (an
    archive held it) is replaced."""
    try:
        descriptor = os.open(path, NEW_FILE, mode)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        descriptor = os.open(path, NEW_FILE, mode)
    except FileExistsError:
        replacement = f"{path}.{os.getpid()}.new"
        _write(replacement, data, mode)
        os.replace(replacement, path)
        return
    try:
        write_all(descriptor, data)
    finally:
        os.close(descriptor)
