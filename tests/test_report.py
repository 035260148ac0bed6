"""The report commands' pieces on hand-made graphs and caches: what prose carries badly."""

from __future__ import annotations

import os
import tempfile
import threading
import time
import unittest

from packaging.version import Version

from zc.buildout.dists.lock.file import Lock, LockedDistribution, LockedFile
from zc.buildout.dists.settings import parse_pin
from zc.buildout.dists.store.archive_cache import archive_lock
from zc.buildout.errors import Location, UsageError, UserError
from zc.buildout.report import views
from zc.buildout.report.arguments import CommandArguments
from zc.buildout.report.cache import cache_entries, prune, size_text
from zc.buildout.report.graph import Edge, Graph, Node, Origin, Root
from zc.buildout.report.outdated import PinReport, exact_pins, pin_reports
from zc.buildout.report.versions_file import raise_pins


def _node(name: str, version: str, *requires: tuple[str, str], kind: str = "picked") -> Node:
    return Node(name, version, Origin(kind), tuple(Edge(text, key) for text, key in requires))  # type: ignore[arg-type]


def _diamond(width: int = 2) -> Root:
    """app -> top -> mid0..midN -> bottom, and bottom -> top (a cycle)."""
    mids = [_node(f"mid{index}", "1", ("bottom", "bottom")) for index in range(width)]
    nodes = {
        "top": _node("top", "1", *((f"mid{index}", f"mid{index}") for index in range(width))),
        "bottom": _node("bottom", "2", ("top", "top")),
        **{node.name: node for node in mids},
    }
    return Root("part", "app", (Edge("top", "top"),), nodes)


class PathTests(unittest.TestCase):
    def test_every_path_once_and_cycles_cut(self) -> None:
        paths, more = views.paths_to(_diamond(), "bottom")
        self.assertFalse(more)
        self.assertEqual([str(path) for path in paths], [
            "part app -[top]-> top 1 -[mid0]-> mid0 1 -[bottom]-> bottom 2",
            "part app -[top]-> top 1 -[mid1]-> mid1 1 -[bottom]-> bottom 2",
        ])

    def test_paths_are_cut_short(self) -> None:
        paths, more = views.paths_to(_diamond(views.MOST_PATHS + 5), "bottom")
        self.assertTrue(more)
        self.assertEqual(len(paths), views.MOST_PATHS)
        text = views.why_text(Graph((_diamond(views.MOST_PATHS + 5),)), "bottom", "/")
        self.assertTrue(text.endswith("  (more paths from part app are not shown)\n"))

    def test_why_a_specifier(self) -> None:
        graph = Graph((_diamond(),))
        self.assertTrue(views.why_text(graph, "bottom>=2", "/").startswith("bottom 2: picked"))
        with self.assertRaises(UserError) as caught:
            views.why_text(graph, "bottom<2", "/")
        self.assertIn("uses bottom 2, not <2", str(caught.exception))
        with self.assertRaises(UserError):
            views.why_text(graph, "not a name!", "/")

    def test_tree_marks_repeats_and_dot_quotes(self) -> None:
        root = Root("part", "app", (Edge("top", "top"), Edge('bottom; python_version > "3"', "bottom")),
                    _diamond().nodes)
        text = views.graph_text(Graph((root,)))
        self.assertEqual(text.count("(*)"), 3)  # bottom under mid1, top under bottom, bottom at the root
        self.assertIn('\\"3\\"', views.graph_dot(Graph((root,))))
        self.assertEqual(views.graph_text(Graph(())), "")


class ArgumentTests(unittest.TestCase):
    def test_names_flags_and_options(self) -> None:
        parsed = CommandArguments.parse("graph", ["app", "--format=dot", "--json", "web"], options=("--format",))
        self.assertEqual(parsed.names, ("app", "web"))
        self.assertTrue(parsed.json)
        self.assertEqual(parsed.values, {"--format": "dot"})
        self.assertEqual(CommandArguments.parse("x", ["--format", "dot"], options=("--format",)).values,
                         {"--format": "dot"})

    def test_mistakes(self) -> None:
        with self.assertRaises(UsageError):
            CommandArguments.parse("why", ["--colour"])
        with self.assertRaises(UsageError):
            CommandArguments.parse("graph", ["--format"], options=("--format",))


class OutdatedTests(unittest.TestCase):
    def test_holds_and_raisable(self) -> None:
        nodes = {"needed": _node("needed", "1.0"), "other": _node("other", "1.0", ("needed<2", "needed"))}
        graph = Graph((Root("part", "app", (Edge("needed>=1", "needed"), Edge("other", "other")), nodes),))
        pins = [parse_pin("needed", "1.0"), parse_pin("spam", "3")]
        reports = pin_reports([pin for pin in pins if pin], {"needed": Version("2.0"), "spam": None}, graph)
        self.assertEqual([(report.outdated, report.raisable) for report in reports], [(True, False), (False, False)])
        self.assertEqual([(hold.by, hold.requirement) for hold in reports[0].held_by], [("other 1.0", "needed<2")])
        fine = pin_reports([pins[0]], {"needed": Version("1.5")}, graph)  # type: ignore[list-item]
        self.assertTrue(fine[0].raisable)

    def test_only_exact_pins_of_the_configuration(self) -> None:
        pins = {name: pin for name, text, where in [
            ("a", "1.0", None), ("b", ">=2", None), ("c", "1.0", Location("/x/buildout.lock", 3))]
            if (pin := parse_pin(name, text, where)) is not None}
        self.assertEqual([pin.name for pin in exact_pins(pins, "/x/buildout.lock")], ["a"])


class VersionsFileTests(unittest.TestCase):
    def setUp(self) -> None:
        self.directory = tempfile.mkdtemp()
        self.addCleanup(__import__("shutil").rmtree, self.directory)
        self.path = os.path.join(self.directory, "versions.cfg")

    def report(self, name: str, line: int, old: str = "1.0", new: str = "1.1") -> PinReport:
        return PinReport(name, Version(old), Location(self.path, line), Version(new))

    def test_only_the_value_changes(self) -> None:
        text = "# pins\r\n[versions]\r\ndemo   =  1.0   # keep\r\nother: ==1.0\r\nspread =\r\n  1.0\r\n"
        with open(self.path, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        raised = raise_pins(self.path, [self.report("demo", 3), self.report("other", 4), self.report("spread", 5)])
        self.assertEqual([report.name for report in raised], ["demo", "other"])
        with open(self.path, encoding="utf-8", newline="") as file:
            self.assertEqual(file.read(), text.replace("1.0   #", "1.1   #").replace("==1.0", "==1.1"))

    def test_pins_of_other_files_stay(self) -> None:
        with open(self.path, "w", encoding="utf-8") as file:
            file.write("[versions]\ndemo = 1.0\n")
        elsewhere = PinReport("demo", Version("1.0"), Location("/elsewhere.cfg", 2), Version("2"))
        self.assertEqual(raise_pins(self.path, [elsewhere]), [])


class PruneTests(unittest.TestCase):
    def setUp(self) -> None:
        self.cache = tempfile.mkdtemp()
        self.addCleanup(__import__("shutil").rmtree, self.cache)
        os.makedirs(os.path.join(self.cache, "dist"))
        for name in ("demo-1.0-py3-none-any.whl", "old-1.0-py3-none-any.whl"):
            with open(os.path.join(self.cache, "dist", name), "wb") as file:
                file.write(b"x" * 10)
        os.makedirs(os.path.join(self.cache, "eggs", "cpython-311", "demo-1.0-py3.11.egg-0123456789abcdef"))

    def test_age_and_lock(self) -> None:
        old = time.time() - 10 * 24 * 3600
        os.utime(os.path.join(self.cache, "dist", "old-1.0-py3-none-any.whl"), (old, old))
        entries = cache_entries(self.cache, None)
        self.assertEqual(sorted(entry.kind for entry in entries), ["archive", "archive", "egg"])
        pruned = prune(entries, self.cache, days=5)
        self.assertEqual([os.path.basename(entry.path) for entry in pruned.removed], ["old-1.0-py3-none-any.whl"])
        url = "https://index.invalid/demo-1.0-py3-none-any.whl"
        lock = Lock("buildout.lock", {"demo": LockedDistribution("demo", "1.0", (LockedFile(url, "0" * 64),))})
        self.assertEqual(prune(cache_entries(self.cache, None), self.cache, lock=lock).removed, ())
        other = Lock("buildout.lock", {"demo": LockedDistribution("demo", "2.0")})
        self.assertEqual(len(prune(cache_entries(self.cache, None), self.cache, lock=other).removed), 2)

    def test_an_entry_in_use_is_kept(self) -> None:
        entries = cache_entries(self.cache, None)
        held, release = threading.Event(), threading.Event()

        def hold() -> None:  # as a running buildout would, in another thread
            with archive_lock(os.path.join(self.cache, "dist"), "demo-1.0-py3-none-any.whl"):
                held.set()
                release.wait()

        thread = threading.Thread(target=hold)
        thread.start()
        held.wait()
        try:
            pruned = prune(entries, self.cache, days=0, now=time.time() + 1)
        finally:
            release.set()
            thread.join()
        self.assertEqual([os.path.basename(entry.path) for entry in pruned.in_use], ["demo-1.0-py3-none-any.whl"])
        self.assertIn("Kept 1 in use", pruned.text())

    def test_sizes(self) -> None:
        self.assertEqual([size_text(size) for size in (5, 2048, 3 * 1024 ** 2, 5 * 1024 ** 4)],
                         ["5 bytes", "2.0 KiB", "3.0 MiB", "5120.0 GiB"])
