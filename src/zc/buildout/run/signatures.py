"""Recipe signatures: what a part's recipe is, so a changed recipe reinstalls the part.

A part's ``__buildout_signature__`` lists, sorted, one signature per
distribution the recipe needs (the recipe's own distribution and its
requirements, as found in this process):

- a distribution in the eggs directory: the name of its egg directory
  (``demo-1.0-py3.11.egg``), as upstream wrote it;
- a develop (editable) distribution: ``<name>-<md5>``, the hash of its
  project's source tree, so editing a develop recipe reinstalls its parts.
  Unlike upstream, the hash never covers a whole ``site-packages``, and
  leaves out what is generated: hidden files and directories (VCS data,
  ``.installed.cfg``), caches, build output, metadata and the buildout's own
  directories (a project is often developed in its buildout directory);
- any other installed distribution: ``<name>-<version>``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from zc.buildout.dists.metadata import canonical_name
from zc.buildout.dists.store.closure import requirement_closure
from zc.buildout.dists.store.distinfo import Distribution, SysPath, editable_project, location

__all__ = ["Signatures", "directory_hash"]

_SKIPPED_DIRECTORIES = frozenset({"CVS", "__pycache__", "venv", "build", "dist", "node_modules"})
_BUILD_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
_SKIPPED_SUFFIXES = (".pyc", ".pyo", ".egg-info", ".dist-info")


class Signatures:
    """Computes and remembers signatures for one run (trees are hashed once).

    ``excluded`` are directories no tree hash looks into (the buildout's own).
    """

    def __init__(self, excluded: Iterable[str] = ()) -> None:
        self._excluded = frozenset(os.path.normcase(os.path.abspath(path)) for path in excluded)
        self._recipes: dict[tuple[Distribution, tuple[str, ...]], str] = {}
        self._distributions: dict[str, str] = {}
        self._trees: dict[str, str] = {}
        self._path = SysPath()
        self._links: dict[str, list[str]] = {}

    def of_recipe(
        self, distribution: Distribution, extras: tuple[str, ...] = ()
    ) -> str:
        """The ``__buildout_signature__`` of a recipe from ``distribution``."""
        signature = self._recipes.get((distribution, extras))
        if signature is None:
            found = requirement_closure(distribution, extras, self._path)
            signature = " ".join(sorted(self.of_distribution(dist) for dist in found))
            self._recipes[distribution, extras] = signature
        return signature

    def of_distribution(self, distribution: Distribution) -> str:
        path_entry = location(distribution)
        key = f"{path_entry}\0{distribution.metadata['Name']}"
        signature = self._distributions.get(key)
        if signature is None:
            signature = self._distributions[key] = self._compute(distribution, path_entry)
        return signature

    def _compute(self, distribution: Distribution, location: str) -> str:
        name = distribution.metadata["Name"]
        if location.rstrip(os.sep).endswith(".egg"):
            return os.path.basename(location.rstrip(os.sep))
        project = _develop_project(distribution, location, self._egg_links(location))
        if project is None:
            return f"{name}-{distribution.version}"
        tree = self._trees.get(project[0])
        if tree is None:
            tree = self._trees[project[0]] = _tree_hash(*project, self._excluded)
        return f"{name}-{tree}"

    def _egg_links(self, location: str) -> list[str]:
        """The ``.egg-link`` files in a path entry (listed once: many distributions share one)."""
        links = self._links.get(location)
        if links is None:
            try:
                links = [entry for entry in os.listdir(location) if entry.endswith(".egg-link")]
            except OSError:
                links = []
            self._links[location] = links
        return links


def _develop_project(
    distribution: Distribution, location: str, egg_links: list[str]
) -> tuple[str, str] | None:
    """The code directory and project directory of an editable install, if it is one.

    An ``.egg-link`` beside the distribution (one of ``egg_links``, the
    ones in ``location``) holds the code directory (``src/`` in a src
    layout) and the way back to the project, so it wins over
    ``direct_url.json``, which names only the project.
    """
    wanted = canonical_name(distribution.metadata["Name"])
    for entry in egg_links:
        if canonical_name(entry[: -len(".egg-link")]) == wanted:
            with open(os.path.join(location, entry), encoding="utf-8") as file:
                code = os.path.normpath(os.path.join(location, file.readline().strip()))
                back = file.readline().strip()
            return code, os.path.normpath(os.path.join(code, back)) if back else code
    project = editable_project(distribution)
    return (project, project) if project is not None else None


def _skipped(name: str) -> bool:
    return name.startswith(".") or name in _SKIPPED_DIRECTORIES or name.endswith(_SKIPPED_SUFFIXES)


def directory_hash(directory: str) -> str:
    """The digest of the files below ``directory`` (generated files and version control left out)."""
    return _tree_hash(directory, directory, frozenset())


def _tree_hash(directory: str, project: str, excluded: frozenset[str]) -> str:
    """The md5 of a code tree (sorted paths and contents, generated files left out).

    When the code is in a subdirectory of the project, the project's build
    files (which declare the entry points) count too.
    """
    import hashlib  # start-up: only develop recipes are hashed; loading OpenSSL costs a no-op 3 ms

    digest = hashlib.md5(usedforsecurity=False)
    if project != directory:
        for name in _BUILD_FILES:
            path = os.path.join(project, name)
            if os.path.isfile(path):
                with open(path, "rb") as file:
                    digest.update(name.encode() + b"\0" + file.read() + b"\0")
    for root, directories, files in os.walk(directory):
        directories[:] = sorted(
            name for name in directories
            if not _skipped(name)
            and os.path.normcase(os.path.join(root, name)) not in excluded
        )
        for name in sorted(files):
            path = os.path.join(root, name)
            if _skipped(name) or not os.path.exists(path):
                continue
            digest.update(os.path.relpath(path, directory).encode("utf-8", "surrogateescape"))
            digest.update(b"\0")
            with open(path, "rb") as file:
                digest.update(file.read())
            digest.update(b"\0")
    return digest.hexdigest()
