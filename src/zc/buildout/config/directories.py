"""Directory options of ``[buildout]`` made absolute (computing paths, never creating them)."""

from __future__ import annotations

import os

from zc.buildout.config.values import Value, is_file_source, is_url
from zc.buildout.errors import Location, MissingOption, UserError

__all__ = ["absolute_path", "resolve_directories", "resolve_file_relative"]

# Relative to the directory of the file that set them.
_FILE_RELATIVE = ("download-cache", "eggs-directory", "extends-cache")
# Relative to buildout:directory.
_DIRECTORY_RELATIVE = ("bin-directory", "parts-directory", "eggs-directory", "develop-eggs-directory")


def resolve_file_relative(buildout: dict[str, Value], cwd: str) -> None:
    """Make ``directory`` and the options relative to the file that set them absolute.

    ``directory`` (when relative) and ``download-cache``, ``eggs-directory``
    and ``extends-cache`` are taken relative to the directory of the file
    that set them (``~`` expanded), or to ``directory`` for defaults and
    command-line values: only while the files are merged is it known which
    file that was. Values holding ``${`` are left for substitution.
    """
    directory = buildout.get("directory")
    if directory is None:
        raise MissingOption("Missing option: buildout:directory")
    if "${" not in directory.text:
        directory.directory(_absolute(directory, cwd, "directory"))
    base = directory.text
    for name in _FILE_RELATIVE:
        value = buildout.get(name)
        if value is not None and value.text and "${" not in value.text:
            value.directory(_absolute(value, base, name))


def resolve_directories(buildout: dict[str, Value]) -> None:
    """Make the other directory options absolute, as a run uses them (after :func:`resolve_file_relative`).

    ``bin-directory``, ``parts-directory``, ``develop-eggs-directory`` and
    ``installed`` are relative to ``directory``. Then ``eggs-directory``
    gets ``eggs-directory-version`` (``v5``) and, with ``abi-tag-eggs =
    true``, the ABI tag (``cp311``) appended.
    """
    base = buildout["directory"].text
    for name in _DIRECTORY_RELATIVE:
        value = buildout.get(name)
        if value is not None and "${" not in value.text:
            value.directory(os.path.normpath(os.path.join(base, value.text)))
    installed = buildout.get("installed")
    if installed is not None and installed.text and "${" not in installed.text:
        installed.directory(os.path.normpath(os.path.join(base, installed.text)))
    eggs = buildout.get("eggs-directory")
    if eggs is not None:
        eggs.directory(_eggs_subdirectory(buildout, eggs.text))


def _absolute(value: Value, default_base: str, name: str) -> str:
    return absolute_path(value.text, value.location, default_base, name)


def absolute_path(text: str, where: Location, default_base: str, name: str) -> str:
    """The option ``name`` set to ``text`` at ``where``, as an absolute path.

    ``~`` is expanded; a relative path is relative to the directory of the
    file that set it, or to ``default_base`` for defaults and command-line
    values. A relative path set in a file read from a URL is refused.
    """
    path = os.path.expanduser(text.strip())
    if os.path.isabs(path):
        return os.path.normpath(path)
    if is_url(where.source):
        raise UserError(
            f"Setting {name!r} to a non absolute location ({text!r}) within a"
            " remote configuration file is ambiguous.",
            location=where,
            hint="Use an absolute path, or set it in a local file or on the command line.",
        )
    base = os.path.dirname(where.source) if is_file_source(where.source) else default_base
    return os.path.normpath(os.path.join(base, path))


def _eggs_subdirectory(buildout: dict[str, Value], path: str) -> str:
    version = buildout.get("eggs-directory-version")
    if version is not None and version.text.strip():
        name = version.text.strip()
        if name in (".", "..") or any(sep and sep in name for sep in (os.sep, os.altsep)):
            raise UserError(
                f"[buildout] eggs-directory-version must name one directory, not {name!r}.",
                location=version.location if version.location.line else None,
                hint="Give a plain name such as v5, or leave it empty for the eggs directory itself.",
            )
        path = os.path.join(path, name)
    abi = buildout.get("abi-tag-eggs")
    if abi is not None and abi.text.strip() == "true":
        from packaging import tags  # start-up: only abi-tag-eggs needs this platform's tags

        path = os.path.join(path, next(iter(tags.sys_tags())).abi)
    return path
