"""The layout of ``zc.buildout`` keeps its architecture (docs/internals/architecture.rst).

Imports are read from the source, those inside functions and
``importlib.import_module("...")`` calls included: no circles, and no
stage imports a stage above it. Imports under ``if TYPE_CHECKING:`` are
never executed; they must still go down the stages. The top level
holds only the published module paths, the command line and errors; no
module is over 400 lines; no two core modules define a class or function
of the same name.
"""

from __future__ import annotations

import ast
import dataclasses
import pathlib
import unittest

SOURCE = pathlib.Path(__file__).resolve().parent.parent / "src"
PACKAGE = SOURCE / "zc" / "buildout"

STAGES: tuple[tuple[str, ...], ...] = (
    ("zc.buildout", "zc.buildout.errors"),
    ("zc.buildout.files",),
    ("zc.buildout.net",),
    ("zc.buildout.config",),
    # The lock file's model sits with the settings: its versions are pins.
    ("zc.buildout.dists.metadata", "zc.buildout.dists.settings", "zc.buildout.dists.lock.file"),
    ("zc.buildout.dists.store",),
    ("zc.buildout.dists.build",),
    ("zc.buildout.dists.find",),
    ("zc.buildout.dists.resolve",),
    ("zc.buildout.dists.install",),
    ("zc.buildout.dists.lock",),
    ("zc.buildout.dists.installer", "zc.buildout.dists.custom"),
    ("zc.buildout.run",),
    ("zc.buildout.legacy",),
    ("zc.buildout.report",),
    ("zc.buildout.configparser", "zc.buildout.download",
     "zc.buildout.easy_install", "zc.buildout.pep425tags", "zc.buildout.rmtree", "zc.buildout.testrecipes"),
    ("zc.buildout.commands",),
    ("zc.buildout.cli", "zc.buildout.__main__"),
    # Upstream's home of the Buildout class, of main() too: it reaches the command line.
    ("zc.buildout.buildout",),
    ("zc.buildout.testing",),
    ("zc.buildout.tests",),
)
"""Stages from the bottom up: a module may import its own stage and those below."""

TOP_LEVEL = {
    "__init__.py", "__main__.py", "cli.py", "commands.py", "errors.py",
    "buildout.py", "configparser.py", "download.py", "easy_install.py", "rmtree.py",
    "pep425tags.py", "testrecipes.py", "tests.py",
}
"""The modules of ``zc/buildout`` itself: published paths, the command line, errors."""

COMPATIBILITY = (
    "zc.buildout.legacy", "zc.buildout.testing", "zc.buildout.buildout", "zc.buildout.easy_install",
    "zc.buildout.tests",
)
"""Where upstream's names may repeat core names (``Installer``, ``install``, ...)."""


@dataclasses.dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    typing_only: bool = False
    """Under ``if TYPE_CHECKING:``: for the type checker only, never executed."""


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, pathlib.Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    return "TYPE_CHECKING" in ast.unparse(node.test)


def imports(name: str, path: pathlib.Path, known: set[str]) -> list[Import]:
    """What ``name`` imports of ``known`` modules (functions' imports included)."""
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def resolve(target: str) -> str | None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        return target or None

    def visit(node: ast.AST, typing_only: bool = False) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, typing_only)
            return
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join(package + ([node.module] if node.module else []))
            targets = [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module"):
            targets = [arg.value for arg in node.args[:1]
                       if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
        for target in targets:
            resolved = resolve(target)
            if resolved is not None and resolved != name:
                found.append(Import(name, resolved, node.lineno, typing_only))
        for child in ast.iter_child_nodes(node):
            visit(child, typing_only)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def import_graph(*, typing_only: bool = False) -> dict[str, list[Import]]:
    """Each module's imports: those executed, or with ``typing_only`` those under ``TYPE_CHECKING`` too."""
    found = modules()
    known = set(found)
    return {
        name: [edge for edge in imports(name, path, known) if typing_only or not edge.typing_only]
        for name, path in found.items()
    }


def circles(graph: dict[str, list[Import]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for edge in graph.get(node, ()):
            if edge.imported not in index:
                connect(edge.imported)
                low[node] = min(low[node], low[edge.imported])
            elif edge.imported in on_stack:
                low[node] = min(low[node], index[edge.imported])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return result


def stage_of(module: str) -> int:
    """The index in :data:`STAGES` of the longest prefix naming ``module``'s stage."""
    best, rank = -1, -1
    for position, names in enumerate(STAGES):
        for prefix in names:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), position
    if rank < 0:
        raise AssertionError(f"{module} belongs to no stage: add it to STAGES")
    return rank


class LayoutTests(unittest.TestCase):
    def setUp(self) -> None:
        self.graph = import_graph()

    def test_no_import_circles(self) -> None:
        self.assertEqual(circles(self.graph), [])

    def test_imports_go_down_the_stages(self) -> None:
        upward = [
            f"{edge.importer}:{edge.line} imports {edge.imported}"
            for edges in import_graph(typing_only=True).values()
            for edge in edges
            if stage_of(edge.imported) > stage_of(edge.importer)
        ]
        self.assertEqual(upward, [])

    def test_top_level_holds_published_paths_only(self) -> None:
        modules = {path.name for path in PACKAGE.glob("*.py")}
        self.assertEqual(modules - TOP_LEVEL, set())

    def test_stage_packages_say_who_does_what(self) -> None:
        for init in PACKAGE.rglob("__init__.py"):
            if init.parent == PACKAGE or init.parent.name == "testing" or "stand_ins" in init.parts:
                continue  # published (or imported as pkg_resources, setuptools) for their names
            with self.subTest(str(init.relative_to(SOURCE))):
                tree = ast.parse(init.read_text(encoding="utf-8"))
                self.assertTrue(ast.get_docstring(tree), "no docstring")
                self.assertEqual(tree.body[1:], [], "a stage's __init__ holds its docstring only")

    def test_imports_inside_functions_say_why(self) -> None:
        silent = []
        for name, path in modules().items():
            lines = path.read_text(encoding="utf-8").splitlines()
            for function in ast.walk(ast.parse("\n".join(lines))):
                if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, (ast.Import, ast.ImportFrom)) and "#" not in lines[node.lineno - 1]:
                        silent.append(f"{name}:{node.lineno}")
        self.assertEqual(silent, [], "an import inside a function gives its reason in a comment")

    def test_modules_are_small(self) -> None:
        large = {
            name: len(path.read_text(encoding="utf-8").splitlines())
            for name, path in modules().items()
            if len(path.read_text(encoding="utf-8").splitlines()) > 400
        }
        self.assertEqual(large, {})

    def test_one_name_one_thing(self) -> None:
        defined: dict[str, list[str]] = {}
        for name, path in modules().items():
            if name.startswith(COMPATIBILITY):
                continue
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                    defined.setdefault(node.name, []).append(name)
        repeated = {key: where for key, where in defined.items() if len(where) > 1}
        self.assertEqual(repeated, {})
