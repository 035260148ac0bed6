"""The working-set model and buildout's pkg_resources: names, develop eggs, resolution, resources."""

from __future__ import annotations

import copy
import importlib.util
import os
import pathlib
import shutil
import sys
import tempfile
import unittest
from unittest import mock

from packaging.requirements import Requirement as ParsedRequirement

from zc.buildout.dists.store.eggs import InstalledDistribution
from zc.buildout.legacy.distribution import DEVELOP_DIST, EGG_DIST, Distribution, distributions_at
from zc.buildout.legacy.requirement import (
    DistributionNotFound,
    Requirement,
    UnknownExtra,
    VersionConflict,
    parse_requirements,
)
from zc.buildout.legacy.stand_ins import pkg_resources as compat
from zc.buildout.legacy.working_set import Environment, WorkingSet
from zc.buildout.run import pkgresources


def make_dist(
    directory: pathlib.Path,
    name: str,
    version: str,
    requires: tuple[str, ...] = (),
    extras: tuple[str, ...] = (),
    files: tuple[str, ...] = (),
    extra_files: dict[str, str] | None = None,
) -> pathlib.Path:
    """A ``.dist-info`` for ``name`` in ``directory``, with the installed ``files``; returns ``directory``.

    The ``files`` exist, as in a real installation: Python 3.12 and later
    leave a recorded file that is missing out of a distribution's files.
    """
    info = directory / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Provides-Extra: {extra}" for extra in extras]
    lines += [f"Requires-Dist: {req}" for req in requires]
    (info / "METADATA").write_text("\n".join(lines) + "\n")
    if files:
        (info / "RECORD").write_text("".join(f"{path},,\n" for path in files))
    for path in files:
        installed = directory / path
        installed.parent.mkdir(parents=True, exist_ok=True)
        installed.touch()
    for filename, text in (extra_files or {}).items():
        (info / filename).write_text(text)
    return directory


class _Case(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = pathlib.Path(os.path.realpath(tempfile.mkdtemp()))
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def egg(self, name: str, version: str, **kw: object) -> str:
        return str(make_dist(self.tmp / "eggs" / f"{name}-{version}-py3.egg", name, version, **kw))  # type: ignore[arg-type]


class ByKeyTests(_Case):
    def test_every_spelling_finds_the_distribution(self) -> None:
        ws = WorkingSet([self.egg("zope.interface", "6.0")])
        dist = ws.by_key["zope.interface"]
        for spelling in ("zope-interface", "zope_interface", "Zope.Interface", "ZOPE__INTERFACE"):
            self.assertIs(ws.by_key[spelling], dist)
            self.assertIn(spelling, ws.by_key)
            self.assertIs(ws.by_key.get(spelling), dist)
        self.assertEqual(list(ws.by_key), ["zope.interface"])
        self.assertEqual(dist.key, "zope.interface")
        self.assertIsNone(ws.by_key.get("zope.component"))
        self.assertNotIn(None, ws.by_key)

    def test_underscores_become_dashes_in_project_names(self) -> None:
        ws = WorkingSet([self.egg("Tiny_Pkg", "1.0")])
        dist = ws.by_key["tiny-pkg"]
        self.assertEqual((dist.project_name, dist.key), ("Tiny-Pkg", "tiny-pkg"))
        self.assertEqual(Requirement.parse("Tiny_Pkg").key, "tiny-pkg")

    def test_mutating(self) -> None:
        ws = WorkingSet([self.egg("a.b", "1")])
        dist = ws.by_key.pop("A_B")
        self.assertEqual(len(ws.by_key), 0)
        ws.by_key["a-b"] = dist
        self.assertEqual(list(ws.by_key), ["a.b"])


class LocationTests(_Case):
    def test_a_deep_copy_is_its_own(self) -> None:
        # As zc.recipe.egg hands each part a copy of a working set.
        working_set = WorkingSet([self.egg("a", "1"), self.egg("b", "2")])
        copied = copy.deepcopy(working_set)
        self.assertEqual([(d.key, d.version, d.location) for d in copied],
                         [(d.key, d.version, d.location) for d in working_set])
        self.assertTrue(all(mine is not theirs for mine, theirs in zip(copied, working_set)))
        next(iter(copied)).version = "99"
        copied.add(next(iter(WorkingSet([self.egg("c", "3")]))))
        self.assertEqual([(d.key, d.version) for d in working_set], [("a", "1"), ("b", "2")])
        self.assertEqual([(d.key, d.version) for d in copied], [("a", "99"), ("b", "2"), ("c", "3")])

    def test_develop_eggs_follow_their_egg_links(self) -> None:
        develop = self.tmp / "develop-eggs"
        project = self.tmp / "src" / "proj"
        project.mkdir(parents=True)
        make_dist(develop, "my.proj", "0.1.dev0")
        (develop / "my.proj.egg-link").write_text(f"{project}\n../")
        ws = WorkingSet([str(develop), self.egg("other", "1")])
        dist = ws.by_key["my-proj"]
        self.assertEqual((dist.location, dist.precedence), (str(project), DEVELOP_DIST))
        self.assertEqual(ws.entries, [str(develop), str(self.tmp / "eggs" / "other-1-py3.egg")])
        self.assertEqual([d.project_name for d in ws], ["my.proj", "other"])

    def test_relative_egg_link(self) -> None:
        develop = self.tmp / "develop-eggs"
        (self.tmp / "proj").mkdir()
        make_dist(develop, "proj", "1")
        (develop / "proj.egg-link").write_text("../proj\n.")
        self.assertEqual(distributions_at(str(develop))[0].location, str(self.tmp / "proj"))

    def test_from_installed(self) -> None:
        location = self.egg("demo", "1.0")
        installed = [InstalledDistribution("demo", "1.0", location, develop=False)]
        ws = WorkingSet.from_installed(installed)
        self.assertEqual(ws.entries, [location])
        self.assertEqual(ws.by_key["demo"].precedence, EGG_DIST)

    def test_first_distribution_of_a_project_wins_unless_replaced(self) -> None:
        old, new = self.egg("demo", "1.0"), self.egg("demo", "2.0")
        ws = WorkingSet([old, new])
        self.assertEqual(ws.by_key["demo"].version, "1.0")
        ws.add(distributions_at(new)[0], replace=True)
        self.assertEqual([str(d) for d in ws], ["demo 2.0"])


class ResolveTests(_Case):
    def setUp(self) -> None:
        super().setUp()
        self.ws = WorkingSet([
            self.egg("app", "1.0", requires=("lib>=2", "extra-dep; extra == 'fancy'", "py2only; python_version < '3'"),
                     extras=("fancy",)),
            self.egg("lib", "2.5", requires=("base",)),
            self.egg("base", "1.0"),
            self.egg("extra-dep", "0.1", requires=("base<1",)),
        ])

    def test_dependencies_in_order(self) -> None:
        self.assertEqual([str(d) for d in self.ws.require("app")], ["app 1.0", "lib 2.5", "base 1.0"])

    def test_markers_of_requested_requirements(self) -> None:
        self.assertEqual(self.ws.require("app; python_version < '3'"), [])

    def test_conflicts_name_who_required(self) -> None:
        with self.assertRaises(VersionConflict) as caught:
            self.ws.require("app[fancy]")
        self.assertEqual(str(caught.exception), "base 1.0 is installed but base<1 is required by extra-dep")
        with self.assertRaises(VersionConflict):
            self.ws.find(Requirement.parse("lib<2"))

    def test_missing_distribution(self) -> None:
        ws = WorkingSet([self.egg("lonely", "1", requires=("gone>=1",))])
        with self.assertRaises(DistributionNotFound) as caught:
            ws.require("lonely")
        self.assertEqual(str(caught.exception), "The 'gone>=1' distribution was not found and is required by lonely")

    def test_unknown_extra(self) -> None:
        with self.assertRaises(UnknownExtra):
            self.ws.require("lib[nope]")

    def test_environment_best_match(self) -> None:
        env = Environment([self.egg("demo", "1.0"), self.egg("demo", "2.0"), self.egg("demo", "3.0a1")])
        self.assertEqual([d.version for d in env["Demo"]], ["3.0a1", "2.0", "1.0"])
        self.assertEqual(env.best_match(Requirement.parse("demo<2"), WorkingSet(())).version, "1.0")  # type: ignore[union-attr]


class DistributionTests(_Case):
    def dist(self, **kw: object) -> Distribution:
        return distributions_at(self.egg("demo", "1.0", **kw))[0]

    def test_metadata_lines(self) -> None:
        dist = self.dist(extra_files={"namespace_packages.txt": "zc\n\n# comment\nzc.recipe\n"})
        self.assertEqual(list(dist._get_metadata("namespace_packages.txt")), ["zc", "zc.recipe"])
        self.assertEqual(list(dist._get_metadata("nothing.txt")), [])
        self.assertFalse(dist.has_metadata("nothing.txt"))

    def test_top_level_from_installed_files(self) -> None:
        dist = self.dist(files=(
            "demo/__init__.py", "demo/sub/x.py", "single.py", "_speedups.cpython-311-x86_64-linux-gnu.so",
            "demo-1.0.dist-info/RECORD", "__pycache__/single.cpython-311.pyc", "../../bin/demo", "demo.pth",
            "README.txt",
        ))
        self.assertEqual(list(dist._get_metadata("top_level.txt")), ["_speedups", "demo", "single"])

    def test_top_level_file_wins(self) -> None:
        dist = self.dist(files=("demo/__init__.py",), extra_files={"top_level.txt": "other\n"})
        self.assertEqual(list(dist._get_metadata("top_level.txt")), ["other"])

    def test_names_and_requirements(self) -> None:
        dist = self.dist()
        self.assertEqual(dist.egg_name(), "demo-1.0-py3")
        self.assertEqual(str(dist.as_requirement()), "demo==1.0")
        self.assertIn(dist, Requirement.parse("Demo>=1"))
        self.assertNotIn(dist, Requirement.parse("other"))
        self.assertIn("1.0rc1", Requirement.parse("demo>=0.9"))

    def test_ordering(self) -> None:
        dists = [distributions_at(self.egg("demo", version))[0] for version in ("1.10", "1.9", "2.0b1")]
        self.assertEqual([d.version for d in sorted(dists)], ["1.9", "1.10", "2.0b1"])


class RequirementTests(unittest.TestCase):
    def test_parts(self) -> None:
        req = Requirement.parse("Zope.Interface[Test,docs]>=5,!=5.1; python_version >= '3'")
        self.assertEqual((req.project_name, req.key, req.extras), ("Zope.Interface", "zope.interface", ("docs", "test")))
        self.assertEqual(sorted(req.specs), [("!=", "5.1"), (">=", "5")])
        self.assertEqual(req, Requirement.parse("zope-interface[docs,test]!=5.1,>=5; python_version >= '3'"))
        self.assertEqual(len({req, Requirement.parse(str(req))}), 1)

    def test_pinned_is_the_parsed_requirement(self) -> None:
        for name, version, text in (("Zope.Interface", "5.1", "Zope.Interface==5.1"),
                                    ("odd_name", "not-a-version", "odd_name===not-a-version")):
            with self.subTest(text):
                pinned, parsed = Requirement.pinned(name, version), Requirement.parse(text)
                self.assertEqual(pinned, parsed)
                self.assertEqual((str(pinned), pinned.key, pinned.project_name, pinned.specs, pinned.extras),
                                 (str(parsed), parsed.key, parsed.project_name, parsed.specs, parsed.extras))
                self.assertEqual((pinned.marker, pinned.url), (None, None))
                self.assertIn(version, pinned)

    def test_plain_requirements_read_without_the_parser_are_the_same(self) -> None:
        for text in ("Plone==6.2.2", " plone.app.mosaic ", "Plone == 6.2.2", "x==1.0+local", "a_b-c.d"):
            with self.subTest(text):
                ours, parsed = Requirement.parse(text), ParsedRequirement(text)
                specs = [(one.operator, one.version) for one in parsed.specifier]
                self.assertEqual((str(ours), ours.specs), (str(parsed), specs))
                for version in ("6.2.2", "1.0", "1.0+local", "junk"):
                    self.assertEqual(version in ours, parsed.specifier.contains(version, prereleases=True))

    def test_parse_requirements(self) -> None:
        self.assertEqual([str(r) for r in parse_requirements("a>=1\n# no\n\nb  # why\n")], ["a>=1", "b"])

    def test_invalid(self) -> None:
        with self.assertRaises(ValueError):
            Requirement.parse("not a requirement!")


class CompatTests(_Case):
    def test_ensure_leaves_a_real_pkg_resources_alone(self) -> None:
        with mock.patch.object(importlib.util, "find_spec", return_value=object()), \
                mock.patch.object(sys, "path", list(sys.path)):
            self.assertFalse(pkgresources.ensure_pkg_resources())
            self.assertNotIn(pkgresources.STAND_INS, sys.path)

    def test_ensure_adds_ours_once(self) -> None:
        with mock.patch.object(importlib.util, "find_spec", return_value=None), \
                mock.patch.object(sys, "path", list(sys.path)):
            self.assertTrue(pkgresources.ensure_pkg_resources())
            self.assertTrue(pkgresources.ensure_pkg_resources())
            self.assertEqual(sys.path.count(pkgresources.STAND_INS), 1)
        self.assertEqual(sorted(os.listdir(pkgresources.STAND_INS)), ["pkg_resources", "setuptools"])

    def test_process_working_set_follows_sys_path(self) -> None:
        location = self.egg("latecomer", "1.0")
        self.assertNotIn("latecomer", compat.working_set.by_key)
        with mock.patch.object(sys, "path", sys.path + [location]):
            self.assertEqual(compat.get_distribution("latecomer").location, location)
            self.assertIn("latecomer", compat.working_set.by_key)

    def test_namespace_packages_and_resources(self) -> None:
        for part, name in (("one", "alpha"), ("two", "beta")):
            package = self.tmp / part / "legacyns"
            (package / name).mkdir(parents=True)
            (package / "__init__.py").write_text("__import__('pkg_resources').declare_namespace(__name__)\n")
            (package / name / "__init__.py").write_text("")
            (package / name / "data.txt").write_text(name)
        with mock.patch.object(sys, "path", [str(self.tmp / "one"), str(self.tmp / "two"), *sys.path]), \
                mock.patch.dict(sys.modules, {"pkg_resources": compat}):
            import legacyns.beta  # type: ignore[import-not-found]

            self.addCleanup(sys.modules.pop, "legacyns", None)
            self.addCleanup(sys.modules.pop, "legacyns.alpha", None)
            self.addCleanup(sys.modules.pop, "legacyns.beta", None)
            self.assertEqual(compat.resource_string("legacyns.beta", "data.txt"), b"beta")
            self.assertEqual(compat.resource_string("legacyns.alpha", "data.txt"), b"alpha")
            self.assertEqual([n for n in compat.resource_listdir("legacyns", "") if n != "__pycache__"], ["__init__.py", "alpha"])
            self.assertTrue(compat.resource_exists("legacyns", "beta/data.txt"))
            self.assertTrue(compat.resource_isdir(legacyns.beta, "."))
