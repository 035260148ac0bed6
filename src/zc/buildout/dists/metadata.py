"""Core metadata: what the resolver reads of a distribution's headers, and where from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from zc.buildout.errors import UserError

if TYPE_CHECKING:
    import importlib.metadata

__all__ = ["Headers", "Metadata", "headers_of_wheel", "installed_headers", "parse_headers"]


class Metadata(Protocol):
    """Core metadata, as ``email.message.Message`` and ``importlib.metadata`` give it."""

    def get(self, name: str, failobj: None = None) -> str | None: ...

    def get_all(self, name: str, failobj: None = None) -> list[str] | None: ...


class Headers:
    """Core metadata headers, read from text by :meth:`parse` (a :class:`Metadata`).

    Much faster than the ``email`` parser, which a run with hundreds of
    installed distributions would spend most of a no-op run in.
    """

    def __init__(self, headers: dict[str, list[str]]) -> None:
        self._headers = headers

    @classmethod
    def parse(cls, text: str) -> Headers:
        """The headers of a ``METADATA`` text: up to the first empty line, folded lines joined."""
        headers: dict[str, list[str]] = {}
        values: list[str] | None = None
        for line in text.splitlines():
            if not line.strip():
                break
            if line[0] in " \t" and values:
                values[-1] += "\n" + line.strip()
                continue
            name, _, value = line.partition(":")
            values = headers.setdefault(name.strip().lower(), [])
            values.append(value.strip())
        return cls(headers)

    def get(self, name: str, failobj: None = None) -> str | None:
        values = self._headers.get(name.lower())
        return values[0] if values else failobj

    def get_all(self, name: str, failobj: None = None) -> list[str] | None:
        return self._headers.get(name.lower()) or failobj


def installed_headers(distribution: importlib.metadata.Distribution) -> Headers:
    """The core metadata headers of an installed distribution."""
    text = distribution.read_text("METADATA") or distribution.read_text("PKG-INFO") or ""
    return Headers.parse(text)


def parse_headers(data: bytes) -> Headers:
    """The headers of a core metadata file (``METADATA``, ``PKG-INFO``, PEP 658)."""
    return Headers.parse(data.decode("utf-8", "replace"))


def headers_of_wheel(path: str, filename: str) -> Headers:
    """The core metadata headers in a wheel (``<name>.dist-info/METADATA``)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist()
                     if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
            if not names:
                raise UserError(f"The wheel {filename} has no METADATA file.")
            return parse_headers(archive.read(names[0]))
    except zipfile.BadZipFile:
        raise UserError(f"The wheel {filename} is not a valid zip file.") from None
