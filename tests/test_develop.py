"""Develop projects: what lands in develop-eggs, rebuilds, cleanup, failures."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

from tests.builder_fixtures import ScratchTestCase
from zc.buildout.dists.build import BuildError
from zc.buildout.dists.develop import develop
from zc.buildout.errors import UserError
from zc.buildout.testing import packages


class DevelopTests(ScratchTestCase):
    def develop_eggs(self) -> list[str]:
        return sorted(os.listdir(self.settings.develop_eggs_directory))

    def test_setuptools_flat_layout(self) -> None:
        project = packages.project(self.path("Tiny-Pkg"), "Tiny-Pkg", "1.0")
        result = develop(project, self.settings)
        self.assertEqual((result.name, result.version), ("Tiny-Pkg", "1.0"))
        self.assertEqual(result.egg_link, self.path("develop-eggs", "Tiny_Pkg.egg-link"))
        self.assertEqual(pathlib.Path(result.egg_link).read_text(), f"{project}\n.")
        self.assertEqual(sorted(result.created), [self.path("develop-eggs", n) for n in self.develop_eggs()])
        # The editable install works through the .pth files of develop-eggs.
        code = "import site, sys; site.addsitedir(sys.argv[1]); import tiny_pkg; print(tiny_pkg.__file__)"
        output = subprocess.run([sys.executable, "-S", "-c", code, self.settings.develop_eggs_directory],
                                capture_output=True, text=True)
        self.assertEqual(output.stdout, os.path.join(project, "tiny_pkg.py") + "\n", output.stderr)

    def test_src_layout_egg_link(self) -> None:
        project = packages.project(self.path("demo"), "demo", backend="hatchling", src_layout=True)
        result = develop(project, self.settings)
        self.assertEqual(pathlib.Path(result.egg_link).read_text(), f"{project}/src\n..")

    def test_direct_url_marks_an_editable_install(self) -> None:
        import importlib.metadata
        import json

        project = packages.project(self.path("demo"), "demo", backend="hatchling", src_layout=True)
        develop(project, self.settings)
        (dist,) = importlib.metadata.distributions(path=[self.settings.develop_eggs_directory])
        self.assertEqual(json.loads(dist.read_text("direct_url.json") or ""),
                         {"url": pathlib.Path(project).as_uri(), "dir_info": {"editable": True}})
        self.assertIn("demo-1.0.dist-info/direct_url.json", [str(file) for file in dist.files or ()])

    def test_unchanged_projects_are_not_rebuilt(self) -> None:
        project = packages.project(self.path("demo"), "demo", backend="tiny")
        first = develop(project, self.settings)
        backend = pathlib.Path(project, "_backend", "tiny_backend.py")
        backend.write_text("raise SystemExit('the backend was called')\n")
        self.assertEqual(develop(project, self.settings), first)
        pyproject = pathlib.Path(project, "pyproject.toml")
        pyproject.write_text(pyproject.read_text() + "\n# changed\n")
        with self.assertRaises(BuildError):
            develop(project, self.settings)

    def test_missing_files_force_a_rebuild(self) -> None:
        project = packages.project(self.path("demo"), "demo", backend="tiny")
        first = develop(project, self.settings)
        os.remove(first.egg_link)
        self.assertEqual(develop(project, self.settings), first)
        self.assertTrue(os.path.exists(first.egg_link))

    def test_a_new_version_replaces_the_old_files(self) -> None:
        project = packages.project(self.path("demo"), "demo", "1.0")
        develop(project, self.settings)
        pyproject = pathlib.Path(project, "pyproject.toml")
        pyproject.write_text(pyproject.read_text().replace('version = "1.0"', 'version = "2.0"'))
        result = develop(project, self.settings)
        self.assertEqual(result.version, "2.0")
        self.assertEqual(self.develop_eggs(), [
            "__editable__.demo-2.0.pth", "__editable___demo_2_0_finder.py",
            "demo-2.0.dist-info", "demo.egg-link"])

    def test_a_failed_build_leaves_develop_eggs_as_it_was(self) -> None:
        project = packages.project(self.path("demo"), "demo", backend="setup.py")
        develop(project, self.settings)
        before = self.develop_eggs()
        setup = pathlib.Path(project, "setup.py")
        setup.write_text("raise SystemExit('error: broken setup.py')\n")
        with self.assertRaises(BuildError) as caught:
            develop(project, self.settings)
        self.assertIn("error: broken setup.py", str(caught.exception))
        self.assertIn(f"Couldn't build {project}:", str(caught.exception))
        self.assertEqual(self.develop_eggs(), before)

    def test_failures_name_the_project(self) -> None:
        project = packages.project(self.path("demo"), "demo-dist", backend="hatchling")
        pyproject = pathlib.Path(project, "pyproject.toml")
        pyproject.write_text(pyproject.read_text().replace('version = "1.0"', "version = 1"))
        with self.assertRaises(BuildError) as caught:
            develop(project, self.settings)
        self.assertTrue(str(caught.exception).startswith(f"Couldn't build demo-dist ({project}):"))

    def test_no_such_directory(self) -> None:
        with self.assertRaises(UserError) as caught:
            develop(self.path("nowhere"), self.settings)
        self.assertEqual(str(caught.exception), f"Couldn't develop {self.path('nowhere')}: there is no such directory.")

    def test_flit_core(self) -> None:
        project = packages.project(self.path("flitty"), "flitty", backend="flit-core")
        result = develop(project, self.settings)
        self.assertEqual((result.name, result.version), ("flitty", "1.0"))
