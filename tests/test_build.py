"""The PEP 517 front end: backends, isolated environments, failure messages."""

from __future__ import annotations

import importlib.metadata
import os
import pathlib
import zipfile
from collections.abc import Sequence
from unittest import mock

from tests.builder_fixtures import ScratchTestCase
from zc.buildout.dists.build import frontend, isolation
from zc.buildout.dists.installer import Installer
from zc.buildout.dists.settings import InstallerSettings
from zc.buildout.dists.store.eggs import InstalledDistribution
from zc.buildout.dists.store.state import eggs_state
from zc.buildout.errors import UserError
from zc.buildout.net.httpclient import HTTPClient
from zc.buildout.testing import packages
from zc.buildout.testing.index import FakeIndex


class BuildTests(ScratchTestCase):
    def test_sdists_with_an_in_tree_backend_or_setuptools(self) -> None:
        for backend in ("tiny", "setuptools"):
            with self.subTest(backend=backend):
                sdist = packages.sdist(self.path("dist"), f"demo-{backend}", "1.0", backend=backend)
                os.makedirs(self.path("out", backend))
                path = frontend.build_wheel(sdist, self.path("out", backend), self.environments,
                                         description=f"demo-{backend} 1.0")
                self.assertEqual(os.path.basename(path), f"demo_{backend}-1.0-py3-none-any.whl")
                with zipfile.ZipFile(path) as archive:
                    self.assertIn(f"demo_{backend}.py", archive.namelist())

    def test_metadata_without_a_wheel(self) -> None:
        sdist = packages.sdist(self.path("dist"), "demo", "1.0", requires=["other>=2"])
        os.makedirs(self.path("out"))
        info = frontend.prepare_metadata(sdist, self.path("out"), self.environments, description="demo 1.0")
        self.assertEqual(os.path.basename(info), "demo-1.0.dist-info")
        self.assertIn("Requires-Dist: other>=2", pathlib.Path(info, "METADATA").read_text())

    def test_a_failing_backend_shows_its_output_and_names_the_distribution(self) -> None:
        sdist = packages.sdist(self.path("dist"), "broken", "1.0", fail="no C compiler found")
        with self.assertRaises(frontend.BuildError) as caught:
            frontend.build_wheel(sdist, self.root, self.environments, description="broken 1.0")
        self.assertEqual(str(caught.exception), (
            "Couldn't build broken 1.0: the build backend 'tiny_backend' failed:\n"
            "  tiny_backend: refusing to build: no C compiler found"))
        self.assertIsInstance(caught.exception, UserError)

    def test_a_failing_setup_py(self) -> None:
        project = self.path("legacy")
        os.makedirs(project)
        pathlib.Path(project, "setup.py").write_text(
            "import sys\nprint('checking for frobnicator')\nsys.exit('error: no frobnicator')\n")
        with self.assertRaises(frontend.BuildError) as caught:
            frontend.build_wheel(project, self.root, self.environments, description="legacy")
        message = str(caught.exception)
        self.assertTrue(message.startswith(
            "Couldn't build legacy: the build backend 'setuptools.build_meta:__legacy__' failed:\n"))
        self.assertIn("  checking for frobnicator\n", message)
        self.assertIn("  error: no frobnicator", message)

    def test_a_backend_that_cannot_be_imported(self) -> None:
        project = self.path("odd")
        os.makedirs(project)
        pathlib.Path(project, "pyproject.toml").write_text(
            '[build-system]\nrequires = []\nbuild-backend = "no_such_backend"\n')
        with self.assertRaises(frontend.BuildError) as caught:
            frontend.build_wheel(project, self.root, self.environments, description="odd 1.0")
        self.assertTrue(str(caught.exception).startswith(
            "Couldn't build odd 1.0: the build backend 'no_such_backend' could not be imported."))

    def test_a_backend_without_editable_support(self) -> None:
        project = packages.project(self.path("old"), "old", backend="tiny")
        backend = pathlib.Path(project, "_backend", "tiny_backend.py")
        backend.write_text(backend.read_text().replace("def build_editable(", "def _no_editable("))
        with self.assertRaises(frontend.BuildError) as caught:
            frontend.build_editable(project, self.root, self.environments, description="old")
        self.assertEqual(str(caught.exception), (
            "Couldn't build old: the build backend 'tiny_backend' has no build_editable hook.\n"
            "Editable installs (develop) need a backend supporting PEP 660, "
            "such as setuptools 64 or later."))

    def test_invalid_pyproject(self) -> None:
        project = self.path("bad")
        os.makedirs(project)
        pathlib.Path(project, "pyproject.toml").write_text("[build-system\n")
        with self.assertRaises(UserError) as caught:
            frontend.read_build_system(project)
        self.assertIn("Invalid pyproject.toml", str(caught.exception))

    def test_build_system_defaults(self) -> None:
        project = self.path("plain")
        os.makedirs(project)
        self.assertEqual(frontend.read_build_system(project), frontend.BuildSystem(
            ("setuptools>=40.8.0",), "setuptools.build_meta:__legacy__"))
        pathlib.Path(project, "pyproject.toml").write_text("[tool.other]\nx = 1\n")
        self.assertEqual(frontend.read_build_system(project).backend, "setuptools.build_meta:__legacy__")


class BuildEnvironmentTests(ScratchTestCase):
    def test_only_the_build_requirements_are_exposed(self) -> None:
        path = self.environments.path(["hatchling"], "demo")
        (farm,) = path
        entries = set(os.listdir(farm))
        self.assertIn("hatchling", entries)
        self.assertIn("pluggy", entries)  # a dependency of hatchling
        self.assertNotIn("setuptools", entries)
        self.assertNotIn("zc", entries)
        self.assertEqual(self.environments.path(["hatchling"], "demo"), path)

    def test_what_the_running_environment_lacks(self) -> None:
        from packaging.requirements import Requirement

        self.assertIsNone(isolation.running_distributions([Requirement("no-such-dist")]))
        self.assertIsNone(isolation.running_distributions([Requirement("setuptools<1")]))
        found = isolation.running_distributions([Requirement("hatchling")])
        assert found is not None
        self.assertIn("pluggy", {dist.metadata["Name"] for dist in found})

    def test_wheel_is_not_needed_where_setuptools_builds_wheels(self) -> None:
        environments = isolation.BuildEnvironments(self.settings)  # installs nothing
        (farm,) = environments.path(["setuptools>=61", "wheel"], "old 1.0")
        self.assertIn("setuptools", os.listdir(farm))

    def test_only_what_the_environment_lacks_is_installed(self) -> None:
        asked: list[tuple[list[str], str]] = []

        def install(requirements: Sequence[str], settings: InstallerSettings, description: str) -> list[str]:
            asked.append((list(requirements), description))
            return ["/installed/for/the/build"]

        environments = isolation.BuildEnvironments(self.settings, install)
        path = environments.path(["hatchling", "not-here>=2"], "demo 1.0")
        self.assertEqual(asked, [(["not-here>=2"], "demo 1.0")])
        self.assertEqual(path[0], "/installed/for/the/build")  # before the environment's
        self.assertIn("hatchling", os.listdir(path[1]))
        with self.assertRaises(UserError) as caught:
            isolation.BuildEnvironments(self.settings).path(["hatchling", "not-here>=2"], "demo 1.0")
        self.assertEqual(str(caught.exception),
                         "Couldn't build demo 1.0: its build backend needs not-here>=2,"
                         " which buildout's environment lacks.")

    def test_invalid_build_requirement(self) -> None:
        with self.assertRaises(UserError) as caught:
            self.environments.path(["not a requirement!"], "demo 1.0")
        self.assertTrue(str(caught.exception).startswith("Invalid build requirement of demo 1.0:"))


def _republished(directory: str, name: str, version: str) -> str:
    """A wheel of the running environment's ``name`` (its code, not its metadata) as ``version``."""
    dist = importlib.metadata.distribution(name)
    modules = {str(file): file.read_text() for file in dist.files or ()
               if file.parts[0] not in ("..", "__pycache__") and ".dist-info" not in file.parts[0]
               and "__pycache__" not in file.parts}
    return packages.wheel(directory, name, version, modules=modules)


class PdmBackendTests(ScratchTestCase):
    """Source distributions built by pdm-backend, installed from a loopback index."""

    def install(self, *requirements: str) -> list[InstalledDistribution]:
        index = FakeIndex(self.path("dists")).start()
        self.addCleanup(index.stop)
        settings = self.settings._replace(index=index.simple)
        installed = Installer(settings).install(list(requirements))
        self.requests = index.take_requests()
        return installed

    def test_pdm_backend_from_the_running_environment(self) -> None:
        packages.sdist(self.path("dists"), "pdm-demo", "1.0", backend="pdm-backend", requires=["needed"])
        packages.wheel(self.path("dists"), "needed", "1.0")
        demo, needed = self.install("pdm-demo")
        self.assertEqual([(demo.name, demo.version), (needed.name, needed.version)],
                         [("pdm-demo", "1.0"), ("needed", "1.0")])
        self.assertTrue(os.path.isfile(os.path.join(demo.location, "pdm_demo.py")))
        self.assertIn("Generator: pdm-backend (2.", demo.metadata.read_text("WHEEL") or "")
        self.assertEqual([str(r) for r in demo.requires()], ["needed"])
        # The build saw pdm-backend (a "pdm" namespace package) through the build environment.
        self.assertNotIn("GET /simple/pdm-backend/", self.requests)
        (farm,) = os.listdir(eggs_state(self.path("eggs"), "build-env"))
        self.assertEqual(sorted(os.listdir(eggs_state(self.path("eggs"), "build-env", farm))),
                         ["pdm", f"pdm_backend-{importlib.metadata.version('pdm-backend')}.dist-info"])

    def test_pdm_backend_from_the_index(self) -> None:
        # The running environment has pdm-backend 2.x: a build needing 99 gets it from the index.
        _republished(self.path("dists"), "pdm-backend", "99.0")
        packages.sdist(self.path("dists"), "pdm-demo", "1.0", backend="pdm-backend",
                       build_requires=["pdm-backend>=99"])
        with mock.patch("zc.buildout.net.httpclient.HTTPClient.__init__", autospec=True,
                        side_effect=HTTPClient.__init__) as made:
            (demo,) = self.install("pdm-demo")
        self.assertEqual(made.call_count, 1)  # the build's requirements came through the run's client
        self.assertIn("GET /simple/pdm-backend/", self.requests)
        self.assertIn("Generator: pdm-backend (99.0)", demo.metadata.read_text("WHEEL") or "")
        self.assertEqual([entry.split("-py")[0] for entry in os.listdir(
            eggs_state(self.path("eggs"), "build-eggs"))],
            ["pdm_backend-99.0"])
