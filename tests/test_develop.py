"""Develop projects: what lands in develop-eggs, rebuilds, cleanup, failures."""

from __future__ import annotations

import importlib
import os
import pathlib
import shutil
import subprocess
import sys

from tests.builder_fixtures import ScratchTestCase
from zc.buildout.dists.build.frontend import BuildError
from zc.buildout.dists.install.editable import install_editable
from zc.buildout.dists.store.eggs import InstalledEggs
from zc.buildout.errors import UserError
from zc.buildout.testing import packages


class DevelopTests(ScratchTestCase):
    def develop_eggs(self) -> list[str]:
        return sorted(os.listdir(self.settings.develop_eggs_directory))

    def test_setuptools_flat_layout(self) -> None:
        project = packages.project(self.path("Tiny-Pkg"), "Tiny-Pkg", "1.0")
        result = install_editable(project, self.environments)
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
        result = install_editable(project, self.environments)
        self.assertEqual(pathlib.Path(result.egg_link).read_text(), f"{project}/src\n..")

    def test_direct_url_marks_an_editable_install(self) -> None:
        import importlib.metadata
        import json

        project = packages.project(self.path("demo"), "demo", backend="hatchling", src_layout=True)
        install_editable(project, self.environments)
        (dist,) = importlib.metadata.distributions(path=[self.settings.develop_eggs_directory])
        self.assertEqual(json.loads(dist.read_text("direct_url.json") or ""),
                         {"url": pathlib.Path(project).as_uri(), "dir_info": {"editable": True}})
        self.assertIn("demo-1.0.dist-info/direct_url.json", [str(file) for file in dist.files or ()])

    def test_unchanged_projects_are_not_rebuilt(self) -> None:
        project = packages.project(self.path("demo"), "demo", backend="tiny")
        first = install_editable(project, self.environments)
        backend = pathlib.Path(project, "_backend", "tiny_backend.py")
        backend.write_text("raise SystemExit('the backend was called')\n")
        self.assertEqual(install_editable(project, self.environments), first)
        pyproject = pathlib.Path(project, "pyproject.toml")
        pyproject.write_text(pyproject.read_text() + "\n# changed\n")
        with self.assertRaises(BuildError):
            install_editable(project, self.environments)

    def test_missing_files_force_a_rebuild(self) -> None:
        project = packages.project(self.path("demo"), "demo", backend="tiny")
        first = install_editable(project, self.environments)
        os.remove(first.egg_link)
        self.assertEqual(install_editable(project, self.environments), first)
        self.assertTrue(os.path.exists(first.egg_link))

    def test_a_new_version_replaces_the_old_files(self) -> None:
        project = packages.project(self.path("demo"), "demo", "1.0")
        install_editable(project, self.environments)
        pyproject = pathlib.Path(project, "pyproject.toml")
        pyproject.write_text(pyproject.read_text().replace('version = "1.0"', 'version = "2.0"'))
        result = install_editable(project, self.environments)
        self.assertEqual(result.version, "2.0")
        self.assertEqual(self.develop_eggs(), [
            "__editable__.demo-2.0.pth", "__editable___demo_2_0_finder.py",
            "demo-2.0.dist-info", "demo.egg-link"])

    def test_a_failed_build_leaves_develop_eggs_as_it_was(self) -> None:
        project = packages.project(self.path("demo"), "demo", backend="setup.py")
        install_editable(project, self.environments)
        before = self.develop_eggs()
        setup = pathlib.Path(project, "setup.py")
        setup.write_text("raise SystemExit('error: broken setup.py')\n")
        with self.assertRaises(BuildError) as caught:
            install_editable(project, self.environments)
        self.assertIn("error: broken setup.py", str(caught.exception))
        self.assertIn(f"Couldn't build {project}:", str(caught.exception))
        self.assertEqual(self.develop_eggs(), before)

    def test_failures_name_the_project(self) -> None:
        project = packages.project(self.path("demo"), "demo-dist", backend="hatchling")
        pyproject = pathlib.Path(project, "pyproject.toml")
        pyproject.write_text(pyproject.read_text().replace('version = "1.0"', "version = 1"))
        with self.assertRaises(BuildError) as caught:
            install_editable(project, self.environments)
        self.assertTrue(str(caught.exception).startswith(f"Couldn't build demo-dist ({project}):"))

    def test_no_such_directory(self) -> None:
        with self.assertRaises(UserError) as caught:
            install_editable(self.path("nowhere"), self.environments)
        self.assertEqual(str(caught.exception), f"Couldn't develop {self.path('nowhere')}: there is no such directory.")

    def test_flit_core(self) -> None:
        project = packages.project(self.path("flitty"), "flitty", backend="flit-core")
        result = install_editable(project, self.environments)
        self.assertEqual((result.name, result.version), ("flitty", "1.0"))


class PdmBackendTests(ScratchTestCase):
    """pdm-backend: a ``.pth`` naming the code directory by default, an import hook on request."""

    def develop_eggs(self) -> list[str]:
        return sorted(os.listdir(self.settings.develop_eggs_directory))

    def python(self, code: str, *path: str) -> str:
        """Run ``code`` with ``path`` then develop-eggs (a site directory, ``.pth`` files read)."""
        setup = "import site, sys; sys.path[:0] = sys.argv[2:]; site.addsitedir(sys.argv[1]); "
        completed = subprocess.run(
            [sys.executable, "-S", "-c", setup + code, self.settings.develop_eggs_directory, *path],
            capture_output=True, text=True)
        return completed.stdout + completed.stderr

    def test_src_and_flat_layouts(self) -> None:
        for src_layout, code in ((True, "src"), (False, "")):
            with self.subTest(src_layout=src_layout):
                name = f"pdm-{code or 'flat'}"
                module = name.replace("-", "_")
                project = packages.project(self.path(name), name, backend="pdm-backend",
                                           src_layout=src_layout)
                result = install_editable(project, self.environments)
                self.assertEqual((result.name, result.version), (name, "1.0"))
                code_directory = os.path.join(project, code) if code else project
                self.assertEqual(pathlib.Path(result.egg_link).read_text(),
                                 f"{code_directory}\n{'..' if code else '.'}")
                pth = self.path("develop-eggs", f"_editable_impl_{module}.pth")
                self.assertEqual(pathlib.Path(pth).read_text().strip(), code_directory)
                self.assertEqual(sorted(result.created), [
                    pth, self.path("develop-eggs", f"{module}-1.0.dist-info"), result.egg_link])
                self.assertEqual(self.python(f"import {module}; {module}.main()"), f"{name} 1.0\n")

    def test_edits_are_seen_and_unchanged_projects_are_not_rebuilt(self) -> None:
        project = packages.project(self.path("demo"), "demo", backend="pdm-backend")
        first = install_editable(project, self.environments)
        self.assertEqual(self.python("import demo; demo.main()"), "demo 1.0\n")
        pathlib.Path(project, "demo.py").write_text("def main():\n    print('edited')\n")
        self.assertEqual(self.python("import demo; demo.main()"), "edited\n")
        # pdm-backend makes .pdm-build in the project whenever it builds.
        build_directory = pathlib.Path(project, ".pdm-build")
        shutil.rmtree(build_directory)
        self.assertEqual(install_editable(project, self.environments), first)
        self.assertFalse(build_directory.exists())

    def test_hidden_files_of_the_editable_wheel_stay_out_of_develop_eggs(self) -> None:
        # pdm-backend 2.5 puts the .gitignore of its build directory at the top of the
        # editable wheel; every pdm project would claim the one develop-eggs/.gitignore.
        for name in ("one", "two"):
            install_editable(packages.project(self.path(name), name, backend="pdm-backend"), self.environments)
        self.assertEqual(self.develop_eggs(), [
            "_editable_impl_one.pth", "_editable_impl_two.pth",
            "one-1.0.dist-info", "one.egg-link", "two-1.0.dist-info", "two.egg-link"])
        record = pathlib.Path(self.path("develop-eggs", "one-1.0.dist-info", "RECORD")).read_text()
        self.assertNotIn(".gitignore", record)
        self.assertIn("_editable_impl_one.pth,sha256=", record)

    def test_the_egg_link_names_the_directory_the_pth_file_adds(self) -> None:
        project = packages.project(self.path("lib-demo"), "lib-demo", backend="pdm-backend",
                                   modules={"lib_demo/__init__.py": "answer = 42\n"})
        os.makedirs(os.path.join(project, "lib"))
        os.rename(os.path.join(project, "lib_demo"), os.path.join(project, "lib", "lib_demo"))
        with open(os.path.join(project, "pyproject.toml"), "a") as file:
            file.write('\n[tool.pdm.build]\npackage-dir = "lib"\n')
        result = install_editable(project, self.environments)
        self.assertEqual(pathlib.Path(result.egg_link).read_text(), f"{project}/lib\n..")
        # Scripts put the develop distribution's location on their path.
        (dist,) = InstalledEggs(self.settings.eggs_directory, self.settings.develop_eggs_directory).find("lib-demo")
        self.assertEqual(dist.location, os.path.join(project, "lib"))
        self.assertEqual(self.python("import lib_demo; print(lib_demo.answer)", dist.location), "42\n")

    def test_the_editables_import_hook(self) -> None:
        project = packages.project(self.path("hooked"), "hooked", backend="pdm-backend",
                                   modules={"hooked/__init__.py": "answer = 42\n"})
        with open(os.path.join(project, "pyproject.toml"), "a") as file:
            file.write('\n[tool.pdm.build]\neditable-backend = "editables"\n')
        result = install_editable(project, self.environments)
        self.assertEqual(self.develop_eggs(), [
            "_editable_impl_hooked.pth", "_editable_impl_hooked.py", "hooked-1.0.dist-info",
            "hooked.egg-link"])
        self.assertEqual(pathlib.Path(self.path("develop-eggs", "_editable_impl_hooked.pth")).read_text(),
                         "import _editable_impl_hooked")
        # The .pth names no directory: the egg-link names the project.
        self.assertEqual(pathlib.Path(result.egg_link).read_text(), f"{project}\n.")
        # The hook needs the editables distribution, which the install requires.
        (dist,) = InstalledEggs(self.settings.eggs_directory, self.settings.develop_eggs_directory).find("hooked")
        self.assertEqual([str(r) for r in dist.requires()], ["editables"])
        editables = os.path.dirname(os.path.dirname(importlib.import_module("editables").__file__ or ""))
        self.assertEqual(self.python("import hooked; print(hooked.answer, hooked.__file__)", editables),
                         f"42 {project}/hooked/__init__.py\n")
