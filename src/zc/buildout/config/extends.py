"""The ``extends`` tree: the files a configuration is made of, in merge order."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import NamedTuple

from zc.buildout.config.parser import RawSections, parse_text
from zc.buildout.config.values import is_url
from zc.buildout.errors import Location, UserError

__all__ = ["ExtendsTree", "Layer", "resolve_name"]

_EXTENDS_OPTIONS = frozenset(("extends", "optional-extends"))


class Layer(NamedTuple):
    """One file's own options, ``extends`` and ``optional-extends`` removed."""

    source: str
    sections: RawSections


class _File(NamedTuple):
    layer: Layer
    extends: tuple[tuple[str, Location], ...]
    """The sources this file extends, each with the line that named it."""


def resolve_name(name: str, extending: str) -> str:
    """The source that ``name``, written in ``extending``, refers to.

    Relative names are relative to the extending file's directory, or to its
    URL; absolute paths stay paths even in a file read from a URL.
    """
    if is_url(name):
        return name
    if is_url(extending):
        if os.path.isabs(name):
            return name

        from urllib.parse import urljoin  # start-up: only for remote configuration files

        return urljoin(extending, name)
    return os.path.normpath(os.path.join(os.path.dirname(extending), os.path.expanduser(name)))


class ExtendsTree:
    """Reads configuration files and the files they extend, each file once.

    ``fetch_url(url, origin)`` returns the text of a configuration named by
    a URL; ``origin`` is the ``extends`` line that named it, if any.
    """

    def __init__(self, fetch_url: Callable[[str, Location | None], str] | None = None) -> None:
        self._fetch_url = fetch_url
        self._files: dict[str, _File] = {}

    def layers(self, source: str, origin: Location | None = None) -> list[Layer]:
        """The layers of ``source`` in merge order, lowest precedence first.

        Depth first and left to right: what each extended file is made of,
        then the file's own options. A file reached again through the files
        it extends is an error (``Recursive file include``).
        """
        out: list[Layer] = []
        self._walk(source, origin, (), out)
        return out

    def own_layer(self, source: str, origin: Location | None = None) -> Layer:
        """The options ``source`` sets itself (read once, like every file)."""
        return self._file(source, origin).layer

    def _walk(
        self, source: str, origin: Location | None, chain: tuple[str, ...], out: list[Layer]
    ) -> None:
        # An explicit stack rather than recursion: a chain of extends is as deep as the user makes it.
        pending: list[tuple[str, Location | None, int]] = [(source, origin, len(chain))]
        path = list(chain)
        while pending:
            name, where, depth = pending.pop()
            if depth < 0:  # every file ``name`` extends is merged: now its own options
                out.append(self._files[name].layer)
                path.pop()
                continue
            del path[depth:]
            if name in path:
                loop = " extends ".join((*path[path.index(name) :], name))
                raise UserError(f"Recursive file include: {loop}", location=where)
            file = self._file(name, where)
            path.append(name)
            pending.append((name, where, -1))
            pending.extend((extended, location, depth + 1) for extended, location in reversed(file.extends))

    def _file(self, source: str, origin: Location | None) -> _File:
        file = self._files.get(source)
        if file is None:
            file = self._files[source] = self._read(source, origin)
        return file

    def _read(self, source: str, origin: Location | None) -> _File:
        sections = parse_text(self._text(source, origin), source)
        buildout = sections.get("buildout")
        if buildout is None:
            return _File(Layer(source, sections), ())
        extends: list[tuple[str, Location]] = []
        for option in buildout.values():
            if option.name == "extended-by":
                raise UserError(
                    f'No-longer supported "extended-by" option found in {source}.',
                    location=Location(source, option.line),
                )
            if option.name not in _EXTENDS_OPTIONS or option.op == "-":
                continue
            location = Location(source, option.line)
            for name in option.text.split():
                path = resolve_name(name, source)
                if option.name == "extends" or is_url(path) or os.path.exists(path):
                    extends.append((path, location))
                else:
                    logging.getLogger("zc.buildout").warning(
                        "optional-extends file not found: %s", path
                    )
        own = {key: option for key, option in buildout.items() if option.name not in _EXTENDS_OPTIONS}
        return _File(Layer(source, {**sections, "buildout": own}), tuple(extends))

    def _text(self, source: str, origin: Location | None) -> str:
        if is_url(source):
            if self._fetch_url is None:
                raise UserError(f"Cannot read {source}: no way to fetch URLs here.", location=origin)
            return self._fetch_url(source, origin)
        try:
            with open(source, encoding="utf-8") as file:
                return file.read()
        except FileNotFoundError:
            raise UserError(f"Couldn't open {source}", location=origin) from None
        except (OSError, UnicodeDecodeError, ValueError) as error:  # ValueError: a NUL in the name
            reason = getattr(error, "strerror", None) or str(error)
            raise UserError(f"Couldn't open {source!r} ({reason})", location=origin,
                            hint="Check the file name.") from None
