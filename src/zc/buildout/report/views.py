"""``why`` and ``graph``: the distribution graph as paths to one distribution, as trees, as DOT.

``why NAME`` lists, for each version of ``NAME`` the buildout uses, where
its pin comes from, then every path that leads to it from a root, the
requirement on each edge: ``part app -[demo]-> demo 1.0 -[needed>=1]-> needed 1.0``.
``graph`` draws each part's tree, each distribution once (a repeat is
marked ``(*)``), or the whole graph in Graphviz's DOT language.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from zc.buildout.errors import UserError
from zc.buildout.report.documents import location_document, shown
from zc.buildout.report.graph import Edge, Graph, Node, Origin, Root

__all__ = ["MOST_PATHS", "Path", "graph_document", "graph_dot", "graph_text", "paths_to", "why_document",
           "why_text"]

MOST_PATHS = 100
"""Paths shown from one root to a distribution, at most (a big graph has very many)."""


@dataclasses.dataclass(frozen=True)
class Path:
    """From a root, requirement after requirement, to a distribution."""

    root: Root
    steps: tuple[tuple[Edge, Node], ...]

    def __str__(self) -> str:
        return str(self.root) + "".join(f" -[{edge.requirement}]-> {node}" for edge, node in self.steps)


def paths_to(root: Root, key: str) -> tuple[list[Path], bool]:
    """The paths from ``root`` to the distribution ``key`` (none twice through one distribution),
    at most :data:`MOST_PATHS` of them, and whether there were more."""
    found: list[Path] = []

    def walk(edges: Sequence[Edge], steps: tuple[tuple[Edge, Node], ...]) -> bool:
        for edge in edges:
            node = root.nodes[edge.key]
            if any(node is seen for _, seen in steps):
                continue
            here = (*steps, (edge, node))
            if edge.key == key:
                if len(found) == MOST_PATHS:
                    return False
                found.append(Path(root, here))
            elif not walk(node.requires, here):
                return False
        return True

    complete = walk(root.requires, ())
    return found, not complete


def _wanted(graph: Graph, argument: str) -> tuple[str, list[tuple[Root, Node]]]:
    """The canonical name ``NAME[==VERSION]`` asks about, and the roots using it (at that version)."""
    try:
        requirement = Requirement(argument)
    except InvalidRequirement:
        raise UserError(f"{argument!r} is not a distribution name, nor NAME==VERSION.",
                        hint="Ask, for example, why zope.interface or why zope.interface==7.0.") from None
    key = canonicalize_name(requirement.name)
    users = graph.users(key)
    if not users:
        raise UserError(f"No part, recipe, extension or develop project of this buildout uses {requirement.name}.",
                        hint="buildout graph shows the distributions each part uses.")
    matching = [(root, node) for root, node in users if requirement.specifier.contains(
        _version(node.version), prereleases=True)]
    if not matching:
        used = ", ".join(sorted({node.version for _, node in users}))
        raise UserError(f"This buildout uses {requirement.name} {used}, not {requirement.specifier}.",
                        hint=f"Ask why {requirement.name} to see every version it uses.")
    return key, matching


def _version(text: str) -> Version | str:
    try:
        return Version(text)
    except InvalidVersion:
        return text


def _groups(graph: Graph, argument: str) -> Iterator[tuple[Node, list[Path], list[Root]]]:
    """Each version asked about, its paths, and the roots whose paths were cut short."""
    key, users = _wanted(graph, argument)
    by_node: dict[tuple[str, Origin], tuple[Node, list[Path], list[Root]]] = {}
    for root, node in users:
        _, paths, cut = by_node.setdefault((node.version, node.origin), (node, [], []))
        found, more = paths_to(root, key)
        paths += found
        if more:
            cut.append(root)
    yield from by_node.values()


def _origin_text(origin: Origin, directory: str) -> str:
    if origin.kind == "picked":
        return "picked (no pin)"
    if origin.kind == "develop":
        return "a develop project"
    where = f" at {shown(origin.location, directory)}" if origin.location is not None else ""
    return f"{origin.kind} {origin.specifier}{where}"


def why_text(graph: Graph, argument: str, directory: str) -> str:
    """The ``why`` report: per version, where it comes from, then the paths to it."""
    lines = []
    for node, paths, cut in _groups(graph, argument):
        lines.append(f"{node}: {_origin_text(node.origin, directory)}")
        lines += [f"  {path}" for path in paths]
        lines += [f"  (more paths from {root} are not shown)" for root in cut]
    return "\n".join(lines) + "\n"


def origin_document(origin: Origin) -> dict[str, Any]:
    return {"kind": origin.kind, "specifier": origin.specifier or None,
            "location": location_document(origin.location)}


def _root_document(root: Root) -> dict[str, str]:
    return {"kind": root.kind, "name": root.name}


def why_document(graph: Graph, argument: str) -> dict[str, Any]:
    """The ``why --json`` document."""
    versions = []
    for node, paths, cut in _groups(graph, argument):
        versions.append({
            "name": node.name, "version": node.version, "origin": origin_document(node.origin),
            "paths": [{"root": _root_document(path.root), "steps": [
                {"requirement": edge.requirement, "name": step.name, "version": step.version}
                for edge, step in path.steps]} for path in paths],
            "truncated": [_root_document(root) for root in cut],
        })
    return {"versions": versions}


def graph_text(graph: Graph) -> str:
    """Each part's tree: a distribution already shown in that tree is marked ``(*)``."""
    blocks = []
    for root in graph.roots:
        lines = [root.name]
        shown_here: set[str] = set()

        def branch(edges: Sequence[Edge], prefix: str) -> None:
            for index, edge in enumerate(edges):
                last = index == len(edges) - 1
                node = root.nodes[edge.key]
                said = "" if edge.requirement == node.name else f" ({edge.requirement})"
                repeat = edge.key in shown_here
                lines.append(f"{prefix}{'└── ' if last else '├── '}{node}{said}{' (*)' if repeat else ''}")
                if not repeat:
                    shown_here.add(edge.key)
                    branch(node.requires, prefix + ("    " if last else "│   "))

        branch(root.requires, "")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def graph_dot(graph: Graph) -> str:
    """The graph in DOT: a node per part and per distribution version, edges labelled."""
    lines = ["digraph buildout {"]
    done: set[str] = set()
    for root in graph.roots:
        part = f'"{root}"'
        lines.append(f"  {part} [shape=box];")
        lines += [f'  {part} -> "{root.nodes[edge.key]}" [label={_quoted(edge.requirement)}];'
                  for edge in root.requires]
        for node in root.nodes.values():
            for edge in node.requires:
                line = f'  "{node}" -> "{root.nodes[edge.key]}" [label={_quoted(edge.requirement)}];'
                if line not in done:
                    done.add(line)
                    lines.append(line)
    return "\n".join([*lines, "}"]) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def graph_document(graph: Graph) -> dict[str, Any]:
    """The ``graph --json`` document."""
    return {"parts": [{
        "name": root.name,
        "requires": [_edge_document(edge) for edge in root.requires],
        "distributions": [{
            "name": node.name, "version": node.version, "origin": origin_document(node.origin),
            "requires": [_edge_document(edge) for edge in node.requires],
        } for node in root.nodes.values()],
    } for root in graph.roots]}


def _edge_document(edge: Edge) -> dict[str, str]:
    return {"requirement": edge.requirement, "key": edge.key}
