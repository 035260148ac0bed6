"""Replacing an installed part: its old paths set aside until the new installation is recorded.

When a part's options or recipe changed, its old installation is not
removed before the new one is made. Each path the old part created is
renamed to a hidden sibling (in the same directory, so the rename is atomic
and copies nothing); the part is installed afresh; once the installation
database records the new part, the set-aside copies are removed. If the new
installation fails, what it left at those paths is removed and the old
paths are renamed back: the database never stopped describing the old part,
so it is right again.

A journal beside the database (``.installed.cfg.aside``, JSON) lists the
renames before any is made. A run killed at any moment leaves it behind,
and the next run reads it first: a part the database still records with
its old options gets its old paths back; a part recorded anew loses the
set-aside copies. So after the next run a part is either the old one or
the new one, never neither.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from zc.buildout.errors import UserError
from zc.buildout.files import trees
from zc.buildout.files.text import write_text

if TYPE_CHECKING:
    from zc.buildout.run.database import InstalledDatabase

__all__ = ["JOURNAL_SUFFIX", "SetAside"]

logger = logging.getLogger("zc.buildout")

JOURNAL_SUFFIX = ".aside"
"""Added to the database's file name to name the journal."""

Moves = list[tuple[str, str]]
"""``(original, set-aside)`` path pairs, in the order the renames are made."""


class SetAside:
    """The parts whose old installation is set aside, with the journal that survives a kill."""

    def __init__(self, database: InstalledDatabase) -> None:
        self._database = database
        self._journal = f"{database.path}{JOURNAL_SUFFIX}" if database.path else None
        self._parts: dict[str, tuple[dict[str, str], Moves]] = {}
        """Per part: the options it was installed with, and its renames."""

    @property
    def parts(self) -> list[str]:
        """The parts set aside and neither recorded anew nor restored yet."""
        return list(self._parts)

    def recover(self) -> None:
        """Finish what a killed run left: restore or discard each part its journal lists."""
        if self._journal is None or not os.path.exists(self._journal):
            return
        for part, (old, moves) in self._read().items():
            if self._database.options(part) == old:
                _move_back(moves)
                logger.info(
                    "Restored the previous installation of %s, which an interrupted run had set aside.", part)
            else:
                trees.remove_paths(aside for _, aside in moves)
        os.remove(self._journal)

    def set_aside(self, part: str, paths: Sequence[str]) -> None:
        """Rename the ``paths`` of ``part`` that exist to hidden siblings (journal first)."""
        token = os.urandom(4).hex()
        moves = [(path, _aside_name(path, token, number)) for number, path in enumerate(_outermost(paths))]
        self._parts[part] = (self._database.options(part), moves)
        self._write()
        try:
            for original, aside in moves:
                os.rename(original, aside)
        except OSError as error:
            self.restore(part)
            raise UserError(
                f"Cannot set the installed part {part} aside: {error}",
                hint="Buildout needs to rename what the part created; check the permissions.",
            ) from None

    def commit(self, part: str) -> None:
        """The database records ``part`` anew: remove its set-aside paths."""
        entry = self._parts.pop(part, None)
        if entry is not None:
            trees.remove_paths(aside for _, aside in entry[1])
            self._write()

    def restore(self, part: str) -> None:
        """Remove what a failed installation of ``part`` left at its old paths; rename those back."""
        entry = self._parts.pop(part, None)
        if entry is not None:
            _move_back(entry[1])
            self._write()

    def _write(self) -> None:
        if self._journal is None:
            return  # without a database no later run could finish the replacement
        if not self._parts:
            if os.path.exists(self._journal):
                os.remove(self._journal)
            return
        import json  # start-up: only a run replacing a part writes the journal

        journal = {part: {"options": old, "moves": moves} for part, (old, moves) in self._parts.items()}
        write_text(self._journal, json.dumps(journal, indent=1, sort_keys=True) + "\n")

    def _read(self) -> dict[str, tuple[dict[str, str], Moves]]:
        assert self._journal is not None
        import json  # start-up: only after an interrupted run is there a journal to read

        try:
            with open(self._journal, encoding="utf-8") as file:
                journal = json.load(file)
            return {part: (dict(entry["options"]), [(original, aside) for original, aside in entry["moves"]])
                    for part, entry in journal.items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
            raise UserError(
                f"{self._journal}: cannot read the parts an interrupted run set aside ({error}).",
                hint="Restore the paths it lists by hand, or remove it to keep the parts as they are.",
            ) from None


def _outermost(paths: Sequence[str]) -> list[str]:
    """The existing ``paths`` (absolute) that are not inside another of them."""
    existing = sorted({os.path.abspath(path) for path in paths if path and os.path.lexists(path)})
    kept: list[str] = []
    for path in existing:
        if not any(path.startswith(outer.rstrip(os.sep) + os.sep) for outer in kept):
            kept.append(path)
    return kept


def _aside_name(path: str, token: str, number: int) -> str:
    directory, name = os.path.split(path)
    return os.path.join(directory, f".{name[:64]}.{token}-{number}.buildout-aside")


def _move_back(moves: Moves) -> None:
    """Undo the renames that were made, last first, replacing what is at the original paths."""
    for original, aside in reversed(moves):
        if not os.path.lexists(aside):
            continue  # never renamed: the original is still in place
        trees.remove_paths([original])
        os.makedirs(os.path.dirname(original), exist_ok=True)
        os.rename(aside, original)
