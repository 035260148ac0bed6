"""The installation database, ``.installed.cfg``: what was installed, with which options.

The format is upstream Buildout's, so a directory built by zc.buildout 5 or
6 is taken over as it is: a ``[buildout]`` section holding ``parts`` (the
installed parts, in installation order) and ``installed_develop_eggs`` (the
files the develop step made), then one section per part with all of its
options, sorted, plus ``__buildout_installed__`` (the paths it created) and
``__buildout_signature__`` (its recipe's signature).

Continuation lines start with a TAB. Whitespace a configuration parser would
strip (at either end of the value, at either end of a line, blank lines) is
written as tokens such as ``%(__buildout_space__)s``, so values read back
exactly. Passwords in URLs are stored as ``****`` (see :func:`format_section`),
so options are compared in that form too. The file is rewritten as a whole, through a temporary file renamed
over it, so it is never seen half-written.
"""

from __future__ import annotations

import os
import re

from zc.buildout.errors import UserError
from zc.buildout.net.credentials import redact_url

__all__ = ["InstalledDatabase", "decode_value", "encode_value", "format_section", "read_sections"]

_TOKENS = {
    " ": "%(__buildout_space__)s",
    "\n": "%(__buildout_space_n__)s",
    "\r": "%(__buildout_space_r__)s",
    "\f": "%(__buildout_space_f__)s",
    "\v": "%(__buildout_space_v__)s",
}
# Tabs have no token: continuation lines lose exactly one leading TAB and
# key lines exactly one space after "=", so other tabs survive as they are.
_STRIPPED = re.compile(r"[ \t\r\f\v]*\n[ \t\r\f\v\n]*|\A[ \t\r\f\v]+|[ \t\r\f\v]+\Z")


def _tokenise(text: str) -> str:
    return "".join(_TOKENS.get(character, character) for character in text)


def _encode_run(match: re.Match[str]) -> str:
    before, newline, after = match.group(0).partition("\n")
    return _tokenise(before) + ("\n\t" if newline else "") + _tokenise(after)


def encode_value(value: str) -> str:
    """``value`` as written after ``name = `` (continuation lines start with a TAB)."""
    text = _STRIPPED.sub(_encode_run, value)
    if text.startswith("\n\t"):
        text = _TOKENS["\n"] + text[2:]
    if text.endswith("\n\t"):
        text = text[:-2] + _TOKENS["\n"]
    return text


def decode_value(text: str) -> str:
    """The value :func:`encode_value` wrote (lines already joined with newlines)."""
    if "%(" not in text:
        return text
    for character, token in _TOKENS.items():
        text = text.replace(token, character)
    return text


def read_sections(text: str) -> dict[str, dict[str, str]]:
    """The sections of a database file; a repeated section updates the earlier one."""
    sections: dict[str, dict[str, str]] = {}
    options: dict[str, str] | None = None
    key = ""
    for line in text.split("\n"):
        line = line[:-1] if line.endswith("\r") else line
        if line[:1] == "\t" and options is not None and key:
            # A continuation line, even one holding only tabs (tabs have no token).
            options[key] += "\n" + line[1:]
            continue
        if not line.strip() or line[0] in "#;":
            continue
        if line[0] in " \t":
            if options is not None and key:
                options[key] += "\n" + (line[1:] if line[0] == "\t" else line.lstrip())
            continue
        if line.startswith("[") and line.rstrip().endswith("]"):
            options = sections.setdefault(line.strip()[1:-1].strip(), {})
            key = ""
            continue
        if options is not None and "=" in line:
            key, _, value = line.partition("=")
            key = key.strip()
            options[key] = value[1:] if value.startswith(" ") else value.lstrip()
    return {
        name: {key: decode_value(value) for key, value in section.items()}
        for name, section in sections.items()
    }


def format_section(name: str, options: dict[str, str]) -> str:
    """A section as the database (and the ``-vv`` configuration dump) writes it.

    Passwords in URLs are written as ``****``: the file is not a place for secrets.
    """
    lines = [f"[{name}]"]
    lines.extend(f"{key} = {encode_value(redact_url(options[key]))}" for key in sorted(options))
    return "\n".join(lines) + "\n"


class InstalledDatabase:
    """The parts installed so far and the options they were installed with.

    ``path`` None means the database is disabled (``installed =`` empty).
    """

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.exists = False
        sections: dict[str, dict[str, str]] = {}
        if path and os.path.exists(path):
            self.exists = True
            try:
                with open(path, encoding="utf-8", newline="") as file:
                    sections = read_sections(file.read())
            except UnicodeDecodeError as error:
                raise UserError(
                    f"The installation database {path} is not UTF-8 text (byte {error.start + 1}).",
                    hint="Restore it from a backup, or remove it: every part is then installed again.",
                ) from None
        head = sections.pop("buildout", {})
        self.parts: list[str] = head.get("parts", "").split()
        """Installed part names, in installation order."""
        self.develop_eggs: list[str] = head.get("installed_develop_eggs", "").split("\n")
        self.develop_eggs = [path for path in self.develop_eggs if path]
        self._options = {name: sections.get(name, {}) for name in self.parts}
        self._texts: dict[str, str] = {}
        self._changed = False
        """Whether part options changed since the file was read or written."""
        self._saved = (tuple(self.parts), tuple(self.develop_eggs)) if self.exists else None

    def options(self, part: str) -> dict[str, str]:
        """The options ``part`` was installed with (empty if unknown)."""
        return self._options.get(part, {})

    def installed_paths(self, part: str) -> list[str]:
        """The paths ``part`` created, as recorded."""
        return [path for path in self.options(part).get("__buildout_installed__", "").split("\n") if path]

    def record(self, part: str, options: dict[str, str]) -> None:
        """Remember ``part`` as installed with ``options`` (appended if it is new)."""
        if part in self.parts and self._options.get(part) == options:
            return
        self._options[part] = options
        self._texts.pop(part, None)
        self._changed = True
        if part not in self.parts:
            self.parts.append(part)

    def forget(self, part: str) -> None:
        """Remember that ``part`` is no longer installed."""
        self._options.pop(part, None)
        self._texts.pop(part, None)
        self._changed = True
        if part in self.parts:
            self.parts.remove(part)

    def as_sections(self) -> dict[str, dict[str, str]]:
        """``{'buildout': {...}, part: options, ...}``, as upstream's private API returned it."""
        sections = {
            "buildout": {
                "parts": " ".join(self.parts),
                "installed_develop_eggs": "\n".join(self.develop_eggs),
            }
        }
        sections.update((part, dict(self._options[part])) for part in self.parts)
        return sections

    def _text(self) -> str:
        head = {
            "installed_develop_eggs": "\n".join(self.develop_eggs),
            "parts": " ".join(self.parts),
        }
        texts = [format_section("buildout", head)]
        for part in self.parts:
            text = self._texts.get(part)
            if text is None:
                text = self._texts[part] = format_section(part, self._options[part])
            texts.append(text)
        return "\n".join(texts)

    def save(self, *, final: bool = False) -> None:
        """Write the database if it changed; at the ``final`` save, remove it when nothing is installed.

        Until then it stays, empty, as upstream's does: recipes of the run
        may read it.
        """
        if not self.path:
            return
        if final and not self.parts and not self.develop_eggs:
            if os.path.exists(self.path):
                os.remove(self.path)
            self._saved = None
            return
        state = (tuple(self.parts), tuple(self.develop_eggs))
        if not self._changed and state == self._saved:
            return
        text = self._text()
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        temporary = f"{self.path}.{os.urandom(4).hex()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with open(descriptor, "w", encoding="utf-8", newline="") as file:
                file.write(text)
            os.replace(temporary, self.path)
        except BaseException:
            if os.path.exists(temporary):
                os.remove(temporary)
            raise
        self._saved = state
        self._changed = False
