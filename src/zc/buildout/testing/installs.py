"""Putting a distribution of the running environment into a test buildout's eggs or develop-eggs.

:func:`install` copies an installed distribution into an eggs directory as
an egg directory, as the installer would have made it; :func:`install_develop`
registers it in develop-eggs as a develop project (its metadata and a
``<Name>.egg-link`` naming where its code is imported from).
"""

from __future__ import annotations

import ast
import email.parser
import importlib.metadata
import os
import pathlib
import shutil
from typing import Any

from packaging.tags import parse_tag

from zc.buildout.dists.store.eggs import egg_directory_name, egg_link_name
from zc.buildout.errors import UserError

__all__ = ["code_location", "install", "install_develop"]


def _destination(destination: Any, directory: str) -> str:
    """``destination`` itself, or the ``directory`` of a test's sample buildout."""
    globs = getattr(destination, "globs", None)
    if globs is not None:
        return os.path.join(globs["sample_buildout"], directory)
    return str(destination)


def _metadata_directory(dist: importlib.metadata.Distribution) -> pathlib.Path:
    path = getattr(dist, "_path", None)
    if not isinstance(path, pathlib.Path):
        raise UserError(f"Cannot tell where the metadata of {dist.metadata['Name']} is.")
    return path


def _editable_locations(dist: importlib.metadata.Distribution) -> list[str]:
    """Code directories of an editable install: from its ``.pth`` files or its import finder.

    An ``.egg-info`` directory that no installer recorded (no ``RECORD``, no
    ``installed-files.txt``) is the metadata setuptools writes into a
    project's source tree: the code is beside it.
    """
    metadata = getattr(dist, "_path", None)
    if (isinstance(metadata, pathlib.Path) and metadata.suffix == ".egg-info"
            and not (metadata / "RECORD").exists() and not (metadata / "installed-files.txt").exists()):
        return [str(metadata.parent)]
    found = []
    for file in dist.files or ():
        path = pathlib.Path(str(dist.locate_file(file)))
        if path.suffix == ".pth" and path.is_file():
            found += [line.strip() for line in path.read_text().splitlines()
                      if line.strip() and not line.startswith(("#", "import")) and os.path.isdir(line.strip())]
        elif path.name.startswith("__editable__") and path.name.endswith("_finder.py"):
            found += [os.path.dirname(target) for target in _finder_mapping(path.read_text()).values()]
    return list(dict.fromkeys(found))


def _finder_mapping(text: str) -> dict[str, str]:
    """The ``MAPPING`` (top-level name -> path) of setuptools' editable finder module."""
    for node in ast.parse(text).body:
        targets: list[ast.expr]
        if isinstance(node, ast.AnnAssign):
            targets, value_node = [node.target], node.value
        elif isinstance(node, ast.Assign):
            targets, value_node = node.targets, node.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == "MAPPING" for t in targets) and value_node is not None:
            value = ast.literal_eval(value_node)
            if isinstance(value, dict):
                return {str(k): str(v) for k, v in value.items()}
    return {}


def code_location(project: str) -> str:
    """Where the running environment imports ``project``'s code from."""
    dist = importlib.metadata.distribution(project)
    editable = _editable_locations(dist)
    return editable[0] if editable else str(dist.locate_file(""))


def install_develop(project: str, destination: Any) -> None:
    """Register ``project`` in develop-eggs (a path, or a test: its sample buildout's).

    Like a develop project's editable install, develop-eggs gets the
    metadata, a ``.pth`` file naming the code directory (so a buildout run
    can import the project's recipes) and the ``<Name>.egg-link``.
    """
    target = _destination(destination, "develop-eggs")
    dist = importlib.metadata.distribution(project)
    metadata = _metadata_directory(dist)
    name = dist.metadata["Name"]
    stem = f"{name.replace('-', '_')}-{dist.version}"
    # A project developed in place may have only the .egg-info setuptools writes into its tree: kept as it is.
    kind = ".egg-info" if metadata.suffix == ".egg-info" else ".dist-info"
    shutil.copytree(metadata, os.path.join(target, stem + kind), dirs_exist_ok=True)
    location = code_location(project)
    with open(os.path.join(target, f"__editable__.{stem}.pth"), "w", encoding="utf-8") as file:
        file.write(f"{location}\n")
    with open(os.path.join(target, egg_link_name(name)), "w", encoding="utf-8") as file:
        file.write(f"{location}\n.")


def install(project: str, destination: Any) -> None:
    """Copy ``project`` into an eggs directory (a path, or a test: its sample buildout's, ``eggs/v5``) as an egg.

    A project installed in editable mode has no files to copy: for a test
    it is registered in the sample buildout's develop-eggs instead (as
    :func:`install_develop` does), so a suite written for a released
    dependency runs against a checkout of it too; given a path, it is an
    error.
    """
    target = _destination(destination, os.path.join("eggs", "v5"))  # the sample buildout's eggs directory
    dist = importlib.metadata.distribution(project)
    name = dist.metadata["Name"]
    if _editable_locations(dist):
        if getattr(destination, "globs", None) is not None:
            install_develop(project, destination)
            return
        raise UserError(f"{name} is installed in editable mode: use install_develop({project!r}, ...).")
    metadata = _metadata_directory(dist)
    location = str(metadata.parent)
    if location.endswith(".egg"):
        shutil.copytree(location, os.path.join(target, os.path.basename(location)), dirs_exist_ok=True)
        return
    wheel = email.parser.HeaderParser().parsestr((metadata / "WHEEL").read_text()) if (
        metadata / "WHEEL").exists() else None
    tags = [tag for text in (wheel.get_all("Tag") or [] if wheel else ["py3-none-any"]) for tag in parse_tag(text)]
    egg = os.path.join(target, egg_directory_name(name, dist.version or "0", [tag.platform for tag in tags]))
    for file in dist.files or ():
        relative = pathlib.PurePath(str(file))
        source = str(dist.locate_file(file))
        if (relative.parts and relative.parts[0] != ".." and "__pycache__" not in relative.parts
                and os.path.isfile(source)):  # RECORD may list what an installer left out (scripts)
            copy = os.path.join(egg, *relative.parts)
            os.makedirs(os.path.dirname(copy), exist_ok=True)
            shutil.copy2(source, copy)
