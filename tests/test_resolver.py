"""The resolver on scenario tables: pins, ranges, prefer-final, backtracking, extras,
markers, yanked files, Requires-Python, installed and develop distributions, conflicts.

The index is an in-memory source (the seam ``resolve`` is handed); installed
distributions are real ``.dist-info`` directories on disk.
"""

from __future__ import annotations

import dataclasses
import email.message
import importlib.metadata
import logging
import os
import pathlib
import tempfile
import unittest
from collections.abc import Callable, Iterable, Sequence
from unittest import mock

from packaging.requirements import Requirement
from packaging.version import Version

from zc.buildout.dists.find.pages import DistributionFile, distribution_file
from zc.buildout.dists.resolve import candidates
from zc.buildout.dists.resolve.candidates import need_from_requirement
from zc.buildout.dists.resolve.resolver import Resolved, resolve
from zc.buildout.dists.settings import InstallerSettings, Pin, parse_pin
from zc.buildout.errors import Location, UserError


@dataclasses.dataclass(frozen=True)
class Dist:
    """One version of a project: its requirements and how the index shows it."""

    name: str
    version: str
    requires: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    requires_python: str | None = None
    yanked: bool = False
    file_requires_python: str | None = None

    def metadata_text(self) -> str:
        lines = ["Metadata-Version: 2.1", f"Name: {self.name}", f"Version: {self.version}"]
        lines += [f"Provides-Extra: {extra}" for extra in self.extras]
        lines += [f"Requires-Dist: {requirement}" for requirement in self.requires]
        if self.requires_python:
            lines.append(f"Requires-Python: {self.requires_python}")
        return "\n".join(lines) + "\n\n"


class Index:
    """An in-memory source; records which project pages were read."""

    def __init__(self, dists: Iterable[Dist]) -> None:
        self.dists: dict[str, Dist] = {}
        self.files_by_name: dict[str, list[DistributionFile]] = {}
        for dist in dists:
            url = f"https://index.invalid/files/{dist.name}-{dist.version}-py3-none-any.whl"
            file = distribution_file(url, yanked="" if dist.yanked else None,
                                     requires_python=dist.file_requires_python)
            assert file is not None
            self.dists[file.url] = dist
            self.files_by_name.setdefault(file.name, []).append(file)
        self.read: list[str] = []
        self.prefetched: list[str] = []

    def versions(self, name: str) -> dict[Version, list[DistributionFile]]:
        self.read.append(name)
        by_version: dict[Version, list[DistributionFile]] = {}
        for file in sorted(self.files_by_name.get(name, []), key=lambda f: f.version, reverse=True):
            by_version.setdefault(file.version, []).append(file)
        return by_version

    def metadata(self, file: DistributionFile) -> email.message.Message:
        return email.message_from_string(self.dists[file.url].metadata_text())

    def prefetch(self, name: str, then: Callable[[], None] | None = None) -> None:
        self.prefetched.append(name)
        if then is not None:
            then()  # at once: the page is in memory

    def prefetch_metadata(self, file: DistributionFile,
                          then: Callable[[email.message.Message], None] | None = None) -> None:
        if then is not None:
            then(self.metadata(file))

    def cached(self, name: str) -> list[DistributionFile]:
        return []

    def prefetch_archive(self, file: DistributionFile) -> None:
        pass

    def choose(self, files: Iterable[DistributionFile]) -> DistributionFile | str:
        usable = [f for f in files if not f.requires_python or "3.99" not in f.requires_python]
        return usable[0] if usable else "requires Python >=3.99"


@dataclasses.dataclass(frozen=True)
class Installed:
    name: str
    version: str
    location: str
    develop: bool = False

    @property
    def metadata(self) -> importlib.metadata.Distribution:
        info = pathlib.Path(self.location) / f"{self.name}-{self.version}.dist-info"
        return importlib.metadata.PathDistribution(info)


class ResolverTestCase(unittest.TestCase):
    def setUp(self) -> None:
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.eggs = directory.name
        self.installed: dict[str, list[Installed]] = {}
        self.own: dict[str, Installed] = {}

    def install(self, dist: Dist, develop: bool = False, own: bool = False) -> Installed:
        location = os.path.join(self.eggs, f"{dist.name}-{dist.version}")
        info = os.path.join(location, f"{dist.name}-{dist.version}.dist-info")
        os.makedirs(info)
        with open(os.path.join(info, "METADATA"), "w") as file:
            file.write(dist.metadata_text())
        installed = Installed(dist.name, dist.version, location, develop)
        if own:
            self.own[dist.name] = installed
        else:
            self.installed.setdefault(dist.name, []).append(installed)
        return installed

    def resolve(self, requirements: Sequence[str], index: Index | None,
                pins: dict[str, str] | None = None, **settings: object) -> list[Resolved]:
        parsed: dict[str, Pin] = {}
        for number, (name, value) in enumerate((pins or {}).items(), start=3):
            pin = parse_pin(name, value, Location("/sample/versions.cfg", number))
            if pin is not None:
                parsed[name] = pin
        full = InstallerSettings(self.eggs, self.eggs, pins=parsed, **settings)  # type: ignore[arg-type]
        needs = [need_from_requirement(Requirement(text)) for text in requirements]
        source = None if index is None else (lambda: index)
        return resolve(needs, full, lambda name: self.installed.get(name, []), self.own, source)

    def versions(self, *args: object, **kwargs: object) -> dict[str, str]:
        return {r.name: str(r.version) for r in self.resolve(*args, **kwargs)}  # type: ignore[arg-type]

    def error(self, *args: object, **kwargs: object) -> str:
        with self.assertRaises(UserError) as caught:
            self.resolve(*args, **kwargs)  # type: ignore[arg-type]
        return str(caught.exception)


BASIC = [
    Dist("a", "1.0", ("b>=1",)), Dist("a", "2.0", ("b>=2",)),
    Dist("b", "1.0"), Dist("b", "2.0"), Dist("b", "2.1"), Dist("b", "3.0b1"),
]


class PinTests(ResolverTestCase):
    SCENARIOS = [
        # (pins, expected versions of a and b)
        ({}, ("2.0", "2.1")),
        ({"b": "2.0"}, ("2.0", "2.0")),
        ({"b": "==2.0"}, ("2.0", "2.0")),
        ({"b": "<2.1"}, ("2.0", "2.0")),
        ({"b": ">=1,<2"}, ("1.0", "1.0")),   # forces a back to 1.0
        ({"b": "~=2.0"}, ("2.0", "2.1")),
        ({"b": "!=2.1"}, ("2.0", "2.0")),
        ({"b": ""}, ("2.0", "2.1")),        # an empty value unpins
        ({"B": "2.0"}, ("2.0", "2.0")),     # names compare canonically
        ({"a": "1.0"}, ("1.0", "2.1")),
        ({"b": "3.0b1"}, ("2.0", "3.0b1")), # a pin may name a pre-release
    ]

    def test_scenarios(self) -> None:
        for pins, (a, b) in self.SCENARIOS:
            with self.subTest(pins=pins):
                pins = {name.lower(): value for name, value in pins.items()}
                self.assertEqual(self.versions(["a"], Index(BASIC), pins), {"a": a, "b": b})

    def test_exact_pins_match_as_versions_not_as_text(self) -> None:
        # A pin of 2.0 matches 2.00 and, having no local label, 2.0+local (PEP 440).
        spelled = [Dist("a", "1.0", ("b",)), Dist("b", "1.0"), Dist("b", "2.00"), Dist("b", "2.0.1")]
        self.assertEqual(self.versions(["a"], Index(spelled), {"b": "2.0"}), {"a": "1.0", "b": "2.0"})
        local = [*spelled, Dist("b", "2.0+local")]
        self.assertEqual(self.versions(["a"], Index(local), {"b": "2.0"}), {"a": "1.0", "b": "2.0+local"})
        self.assertEqual(self.versions(["a"], Index(local), {"b": "2.0+local"}), {"a": "1.0", "b": "2.0+local"})

    def test_picked(self) -> None:
        resolved = self.resolve(["a"], Index(BASIC), {"b": "2.0"})
        self.assertEqual([(r.name, r.picked, r.required_by) for r in resolved],
                         [("a", True, ()), ("b", False, ("a==2.0",))])
        # a asks for b>=2; the pin allows 2.0 alone, which is all the log names
        self.assertEqual([r.requirement for r in resolved], ["a", "b==2.0"])

    def test_exact_requirement_is_not_picked(self) -> None:
        resolved = self.resolve(["a==1.0"], Index(BASIC))
        self.assertEqual([r.picked for r in resolved], [False, True])


class PreferFinalTests(ResolverTestCase):
    def test_final_before_newer_prerelease(self) -> None:
        self.assertEqual(self.versions(["b"], Index(BASIC)), {"b": "2.1"})

    def test_prefer_final_off(self) -> None:
        self.assertEqual(self.versions(["b"], Index(BASIC), prefer_final=False), {"b": "3.0b1"})

    def test_only_prereleases(self) -> None:
        index = Index([Dist("c", "1.0a1"), Dist("c", "1.0b2"), Dist("c", "1.0.dev3")])
        self.assertEqual(self.versions(["c"], index), {"c": "1.0b2"})

    def test_prerelease_allowed_by_range(self) -> None:
        self.assertEqual(self.versions(["b>2.1"], Index(BASIC)), {"b": "3.0b1"})


class BacktrackingTests(ResolverTestCase):
    def test_backtracks_to_an_older_version(self) -> None:
        index = Index([
            Dist("app", "1.0", ("lib",)), Dist("app", "2.0", ("lib", "helper==2")),
            Dist("lib", "1.0", ("helper==1",)),
            Dist("helper", "1.0"), Dist("helper", "2.0"),
        ])
        self.assertEqual(self.versions(["app"], index), {"app": "1.0", "lib": "1.0", "helper": "1.0"})

    def test_backtracks_over_a_diamond(self) -> None:
        index = Index([
            Dist("top", "1.0", ("left", "right")),
            Dist("left", "1.0", ("base<2",)), Dist("left", "2.0", ("base>=3",)),
            Dist("right", "1.0", ("base<3",)),
            Dist("base", "1.0"), Dist("base", "2.0"), Dist("base", "3.0"),
        ])
        self.assertEqual(self.versions(["top"], index),
                         {"top": "1.0", "left": "1.0", "right": "1.0", "base": "1.0"})


class ExtrasAndMarkersTests(ResolverTestCase):
    INDEX = [
        Dist("web", "1.0", ('tls; extra == "secure"', 'never; python_version < "3"',
                            'posix; sys_platform == "no-such-platform"', "core"),
             extras=("secure",)),
        Dist("tls", "1.0"), Dist("core", "1.0"), Dist("never", "1.0"), Dist("posix", "1.0"),
    ]

    def test_without_extras(self) -> None:
        self.assertEqual(self.versions(["web"], Index(self.INDEX)), {"web": "1.0", "core": "1.0"})

    def test_with_extras(self) -> None:
        resolved = self.resolve(["web[secure]"], Index(self.INDEX))
        self.assertEqual([(r.name, r.required_by) for r in resolved],
                         [("web", ()), ("tls", ("web==1.0",)), ("core", ("web==1.0",))])

    def test_pins_keep_extras(self) -> None:
        versions = self.versions(["web[Secure]"], Index(self.INDEX), {"web": "1.0"})
        self.assertIn("tls", versions)

    def test_unknown_extra(self) -> None:
        with self.assertLogs("zc.buildout", logging.WARNING):
            message = self.error(["web[nope]"], Index(self.INDEX))
        self.assertEqual(message, "Couldn't find the required extra 'nope' of web 1.0.\n"
                                  "Set allow-unknown-extras = true to go on without it.")
        with self.assertLogs("zc.buildout", logging.WARNING) as logged:
            versions = self.versions(["web[nope]"], Index(self.INDEX), allow_unknown_extras=True)
        self.assertEqual(versions, {"web": "1.0", "core": "1.0"})
        self.assertEqual(logged.output, ["WARNING:zc.buildout:web 1.0 does not provide the extra 'nope'"])


class YankedAndPythonTests(ResolverTestCase):
    def test_yanked_files_are_skipped(self) -> None:
        index = Index([Dist("d", "1.0"), Dist("d", "1.1", yanked=True)])
        self.assertEqual(self.versions(["d"], index), {"d": "1.0"})
        self.assertEqual(self.error(["d>1.0"], index), "There is a version conflict.\n"
                         "No version of d satisfies every requirement:\n"
                         "  the buildout requires 'd>1.0'\n  versions found: 1.0, 1.1 (yanked)")

    def test_yanked_file_used_for_an_exact_pin(self) -> None:
        index = Index([Dist("d", "1.0"), Dist("d", "1.1", yanked=True)])
        self.assertEqual(self.versions(["d"], index, {"d": "1.1"}), {"d": "1.1"})
        self.assertEqual(self.versions(["d==1.1"], index), {"d": "1.1"})

    def test_requires_python_in_metadata(self) -> None:
        index = Index([Dist("d", "1.0"), Dist("d", "2.0", requires_python=">=3.99")])
        self.assertEqual(self.versions(["d"], index), {"d": "1.0"})

    def test_no_version_for_this_python(self) -> None:
        index = Index([Dist("d", "2.0", requires_python=">=3.99")])
        message = self.error(["d"], index)
        self.assertRegex(message, r"^No version fits this Python \(3\.[\d.]+\):\n"
                                  r"  d 2.0 requires Python >=3.99$")


class InstalledTests(ResolverTestCase):
    def test_exact_pin_installed_reads_no_index(self) -> None:
        self.install(Dist("b", "2.0"))
        index = Index(BASIC)
        resolved = self.resolve(["b"], index, {"b": "2.0"})
        self.assertEqual([(r.name, r.file, r.installed is not None) for r in resolved],
                         [("b", None, True)])
        self.assertEqual((index.read, index.prefetched), ([], []))

    def test_newest_prefers_the_index(self) -> None:
        self.install(Dist("b", "2.0"))
        self.assertEqual(self.versions(["b"], Index(BASIC)), {"b": "2.1"})

    def test_same_version_installed_wins(self) -> None:
        self.install(Dist("b", "2.1"))
        resolved = self.resolve(["b"], Index(BASIC))
        self.assertIsNotNone(resolved[0].installed)
        self.assertIsNone(resolved[0].file)

    def test_not_newest_uses_what_is_installed(self) -> None:
        self.install(Dist("b", "1.0"))
        index = Index(BASIC)
        self.assertEqual(self.versions(["b"], index, newest=False), {"b": "1.0"})
        self.assertEqual(index.read, [])
        self.assertEqual(self.versions(["b>=2"], index, newest=False), {"b": "2.1"})

    def test_develop_wins(self) -> None:
        self.install(Dist("b", "1.5"), develop=True)
        resolved = self.resolve(["a"], Index(BASIC))
        self.assertEqual({r.name: str(r.version) for r in resolved}, {"a": "1.0", "b": "1.5"})
        self.assertEqual([r.picked for r in resolved], [True, False])

    def test_develop_conflict(self) -> None:
        develop = self.install(Dist("b", "0.1"), develop=True)
        self.assertEqual(self.error(["b>=1"], Index(BASIC)), "There is a version conflict.\n"
                         "We already have: b 0.1\n"
                         "but the buildout requires 'b>=1'.\n"
                         f"  b 0.1 is a develop project ({develop.location})")

    def test_own_distributions_come_from_the_running_environment(self) -> None:
        # For buildout's own process (recipes, extensions), whatever else they allow.
        self.install(Dist("b", "1.0"), own=True)
        index = Index(BASIC)
        self.assertEqual(self.versions(["a"], index, in_process=True), {"a": "1.0", "b": "1.0"})
        self.assertNotIn("b", index.read)

    def test_parts_get_the_running_copy_only_where_it_fits(self) -> None:
        self.install(Dist("b", "2.0"), own=True)
        index = Index(BASIC)
        self.assertEqual(self.versions(["b"], index), {"b": "2.0"})
        self.assertNotIn("b", index.read)  # fits: the index is not read
        self.assertEqual(self.versions(["b"], index, {"b": "1.0"}), {"b": "1.0"})
        self.assertEqual(self.versions(["a<2", "b>=1"], index), {"a": "1.0", "b": "2.0"})
        self.assertEqual(self.versions(["b<2"], index), {"b": "1.0"})

    def test_offline(self) -> None:
        self.install(Dist("b", "1.0"))
        self.assertEqual(self.versions(["b"], None, offline=True), {"b": "1.0"})
        message = self.error(["a"], None, offline=True)
        self.assertEqual(message, "Couldn't find a distribution for 'a'.\n"
                                  "Buildout is offline: only distributions already installed can be used.")


class ConflictTests(ResolverTestCase):
    def test_missing(self) -> None:
        self.assertEqual(self.error(["nope>1"], Index(BASIC)),
                         "Couldn't find a distribution for 'nope>1'.")

    def test_missing_version(self) -> None:
        message = self.error(["a"], Index(BASIC), {"a": "9.9"})
        self.assertEqual(message, "There is a version conflict.\n"
                                  "No version of a satisfies every requirement:\n"
                                  "  the buildout requires 'a'\n"
                                  "  [versions] pins a ==9.9 (/sample/versions.cfg:3)\n"
                                  "  versions found: 1.0, 2.0")

    def test_who_requires_what(self) -> None:
        index = Index(BASIC + [Dist("c", "1.0", ("b<2",))])
        message = self.error(["a", "c"], index, {"a": "2.0"})
        self.assertEqual(message, "There is a version conflict.\n"
                                  "No version of b satisfies every requirement:\n"
                                  "  a 2.0 requires 'b>=2'\n"
                                  "  c 1.0 requires 'b<2'\n"
                                  "  versions found: 1.0, 2.0, 2.1, 3.0b1")

    def test_many_versions_are_shown_near_the_pin(self) -> None:
        many = [Dist("b", f"2.{minor}.{micro}") for minor in range(40) for micro in range(3)]
        many += [Dist("a", "1.0", ("b<2",))]

        def shown(pins: dict[str, str] | None, *requirements: str) -> str:
            return self.error(["a", *requirements], Index(many), pins).splitlines()[-1]

        self.assertEqual(shown({"b": "2.34.3"}),
                         "  versions found: 2.35.2, 2.35.1, 2.35.0, 2.34.2, 2.34.1 ... (120 versions)")
        self.assertEqual(shown({"b": "2.10.1"}),
                         "  versions found: 2.11.0, 2.10.2, 2.10.1, 2.10.0, 2.9.2 ... (120 versions)")
        self.assertEqual(shown({"b": ">=2.5,<2.7"}),
                         "  versions found: 2.7.1, 2.7.0, 2.6.2, 2.6.1, 2.6.0 ... (120 versions)")
        self.assertEqual(shown(None),
                         "  versions found: 2.39.2, 2.39.1, 2.39.0, 2.38.2, 2.38.1 ... (120 versions)")
        self.assertEqual(shown({"b": "0.1"}),
                         "  versions found: 2.1.1, 2.1.0, 2.0.2, 2.0.1, 2.0.0 ... (120 versions)")


class MissingDependencyTests(ResolverTestCase):
    """A project nothing provides, deep in the graph: an error at once, never a long search."""

    # The shape of zope.testrunner 8.3 as published (offline, setuptools missing).
    # Requires-Python made resolvelib set the running Python aside while
    # backtracking and get it back each round, until 10,000 rounds had passed.
    TESTRUNNER = [
        Dist("zope-testrunner", "8.3", ("zope.exceptions", "zope.interface",
                                        'zope.testing; extra == "test"'),
             extras=("test",), requires_python=">=3.10"),
        Dist("zope-exceptions", "6.0", ("setuptools", "zope.interface",
                                        'zope.testrunner>=6.4; extra == "test"'),
             extras=("test",), requires_python=">=3.9"),
        Dist("zope-interface", "8.7", requires_python=">=3.9"),
    ]

    def test_named_with_who_requires_it(self) -> None:
        for dist in self.TESTRUNNER:
            self.install(dist)
        message = self.error(["zope.testrunner"], None, offline=True)
        self.assertEqual(message, "Couldn't find a distribution for 'setuptools'.\n"
                                  "  required by zope-exceptions 6.0.\n"
                                  "Buildout is offline: only distributions already installed"
                                  " can be used.")

    def test_after_backtracking(self) -> None:
        # Two versions of the requirer: resolvelib tries both, then says what is missing.
        for version in ("1.0", "2.0"):
            self.install(Dist("a", version, ("nope",), requires_python=">=3.9"))
        self.install(Dist("top", "1.0", ("a",), requires_python=">=3.9"))
        message = self.error(["top"], None, offline=True)
        self.assertEqual(message.splitlines()[:3], ["Couldn't find a distribution for 'nope'.",
                                                    "  required by a 2.0.",
                                                    "  required by a 1.0."])

    def test_backtracking_finds_a_version_without_it(self) -> None:
        self.install(Dist("a", "1.0", requires_python=">=3.9"))
        self.install(Dist("a", "2.0", ("nope",), requires_python=">=3.9"))
        self.assertEqual(self.versions(["a"], None, offline=True), {"a": "1.0"})

    def test_rounds_are_capped(self) -> None:
        index = Index(BASIC + [Dist("c", "1.0", ("b<2",))])
        settings = InstallerSettings(self.eggs, self.eggs)
        needs = [need_from_requirement(Requirement(text)) for text in ("a", "c")]
        with self.assertRaises(UserError) as caught:
            resolve(needs, settings, lambda name: [], {}, lambda: index, max_rounds=2)
        self.assertEqual(str(caught.exception),
                         "Gave up resolving a, c after 2 rounds of backtracking.\n"
                         "Pin versions in the [versions] section to narrow the choice.")


class OrderTests(ResolverTestCase):
    def test_breadth_first_in_declared_order(self) -> None:
        index = Index([
            Dist("top", "1.0", ("zeta", "alpha")), Dist("zeta", "1.0", ("deep",)),
            Dist("alpha", "1.0"), Dist("deep", "1.0"), Dist("other", "1.0"),
        ])
        resolved = self.resolve(["top", "other"], index)
        self.assertEqual([r.name for r in resolved], ["top", "other", "zeta", "alpha", "deep"])


class ReadingAheadTests(ResolverTestCase):
    def test_requirements_are_parsed_once_for_reading_ahead_and_resolving(self) -> None:
        class Finder(Index):  # as the finder does, one metadata object per file
            def metadata(self, file: DistributionFile) -> email.message.Message:
                return self.read_once.setdefault(file.url, super().metadata(file))

        index = Finder([Dist("top", "1.0", ("zeta", "alpha[x]")), Dist("zeta", "1.0", ("deep",)),
                        Dist("alpha", "1.0", ("deep; extra == 'x'",), extras=("x",)), Dist("deep", "1.0")])
        index.read_once = {}  # type: ignore[attr-defined]
        with mock.patch("zc.buildout.dists.resolve.candidates._parse", wraps=candidates._parse) as parse:
            resolved = self.resolve(["top"], index)
        self.assertEqual([r.name for r in resolved], ["top", "zeta", "alpha", "deep"])
        self.assertEqual(sorted(call.args[0] for call in parse.call_args_list),
                         ["alpha[x]", "deep", "deep; extra == 'x'", "zeta"])


class HeadersTests(unittest.TestCase):
    def test_parse(self) -> None:
        from zc.buildout.dists.metadata import Headers

        headers = Headers.parse(
            "Metadata-Version: 2.1\nName: Demo\nLicense: Some\n  long text\nrequires-dist: a\n"
            "Requires-Dist: b; extra == 'x'\n\nRequires-Dist: not a header, the description\n")
        self.assertEqual(headers.get("name"), "Demo")
        self.assertEqual(headers.get("License"), "Some\nlong text")
        self.assertEqual(headers.get_all("Requires-Dist"), ["a", "b; extra == 'x'"])
        self.assertIsNone(headers.get("Summary"))
        self.assertIsNone(headers.get_all("Provides-Extra"))
