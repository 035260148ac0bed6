"""The easy_install facade: how old calls map onto the installer, and the egg recipe's working-set cache."""

from __future__ import annotations

import contextlib
import importlib.metadata
import io
import logging
import os
import shutil
import sys
import tempfile
import unittest
from typing import Any

from zc.buildout import easy_install
from zc.buildout.errors import UserError
from zc.buildout.legacy.calls import _settings_for
from zc.buildout.legacy.working_set import WorkingSet
from zc.buildout.run import logsetup, state
from zc.buildout.testing import packages


class _Isolated(unittest.TestCase):
    """Each test runs in a temporary directory with the facade's defaults restored afterwards."""

    def setUp(self) -> None:
        self.addCleanup(state.end, state.begin(state.Run.of_defaults()))
        preserved = logsetup.preserved()  # testing.Buildout() configures logging
        preserved.__enter__()
        self.addCleanup(preserved.__exit__, None, None, None)
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.addCleanup(os.chdir, os.getcwd())
        os.chdir(directory.name)
        self.here = os.path.realpath(directory.name)
        for name in ("eggs", "develop-eggs", "index", "bin"):
            os.mkdir(name)
        packages.wheel("dists", "demo", "1.0", requires=["needed"],
                       entry_points={"console_scripts": {"demo": "demo:main"}})
        packages.wheel("dists", "needed", "1.2")
        easy_install.index_url(os.path.join(self.here, "index"))


class SettingsMappingTests(_Isolated):
    def test_dest_is_the_eggs_directory_and_path_starts_with_develop_eggs(self) -> None:
        settings = _settings_for("eggs", links=["dists"], path=["develop-eggs"])
        self.assertEqual(settings.eggs_directory, os.path.join(self.here, "eggs"))
        self.assertEqual(settings.develop_eggs_directory, os.path.join(self.here, "develop-eggs"))
        self.assertEqual(settings.find_links, ("dists",))
        self.assertFalse(settings.offline)
        self.assertTrue(settings.newest)

    def test_no_dest_means_offline_from_the_path_directories(self) -> None:
        settings = _settings_for(None, path=["develop-eggs", "eggs"])
        self.assertEqual(settings.eggs_directory, os.path.join(self.here, "eggs"))
        self.assertEqual(settings.develop_eggs_directory, os.path.join(self.here, "develop-eggs"))
        self.assertTrue(settings.offline)
        self.assertFalse(settings.newest)

    def test_neither_dest_nor_path_looks_at_buildouts_environment_alone(self) -> None:
        settings = _settings_for(None)
        self.assertTrue(settings.offline)
        self.assertFalse(os.path.exists(settings.eggs_directory))

    def test_versions_index_hosts_and_picking(self) -> None:
        easy_install.allow_picked_versions(False)
        settings = _settings_for("eggs", versions={"Demo": "1.0", "needed": ">=1"},
                                 allow_hosts=["*.example.com"], check_picked=False)
        self.assertEqual({name: pin.specifier for name, pin in settings.pins.items()},
                         {"demo": "==1.0", "needed": ">=1"})
        self.assertEqual(settings.allow_hosts, ("*.example.com",))
        self.assertTrue(settings.allow_picked_versions)
        self.assertEqual(settings.index, os.path.join(self.here, "index"))
        self.assertFalse(_settings_for("eggs").allow_picked_versions)

    def test_the_old_setters_return_the_previous_value(self) -> None:
        self.assertTrue(easy_install.prefer_final(False))
        self.assertFalse(easy_install.prefer_final())
        self.assertFalse(_settings_for("eggs").prefer_final)
        self.assertEqual(easy_install.default_versions({"Demo": "1.0"}), {})
        self.assertEqual(easy_install.default_versions(), {"Demo": "1.0"})
        self.assertEqual(easy_install.download_cache("cache"), None)
        self.assertEqual(easy_install.download_cache(None), os.path.join(self.here, "cache"))
        self.assertIsNone(easy_install.download_cache())
        self.assertEqual(easy_install.normalize_versions({"Zope.Interface": "5"}), {"zope-interface": "5"})

    def test_only_the_running_python(self) -> None:
        with self.assertRaises(UserError):
            easy_install.install(["demo"], "eggs", executable="/usr/bin/other-python")
        with self.assertRaises(UserError):
            easy_install.install(["demo"], "eggs", include_site_packages=True)


class InstallTests(_Isolated):
    def _quietly(self, function: Any, *args: Any, **kw: Any) -> Any:
        with contextlib.redirect_stdout(io.StringIO()):
            return function(*args, **kw)

    def test_install_returns_a_working_set_and_records_picks(self) -> None:
        ws = self._quietly(easy_install.install, ["demo"], "eggs", links=["dists"], path=["develop-eggs"])
        self.assertEqual([(d.project_name, d.version) for d in ws], [("demo", "1.0"), ("needed", "1.2")])
        picked, required_by = easy_install.get_picked_versions()
        self.assertEqual(picked, [("demo", "1.0"), ("needed", "1.2")])
        self.assertEqual(required_by["needed"], {"demo==1.0"})
        offline = easy_install.working_set(["demo"], sys.executable, ["develop-eggs", "eggs"])
        self.assertEqual([d.project_name for d in offline], ["demo", "needed"])
        old_form = easy_install.working_set(["demo"], ["develop-eggs", "eggs"])
        self.assertEqual([d.location for d in old_form], [d.location for d in ws])

    def test_every_installed_distribution_passes_through_get_dist(self) -> None:
        seen = []
        original = easy_install.Installer._get_dist

        def observing(self: Any, requirement: Any, ws: Any, *args: Any, **kw: Any) -> Any:
            dists = original(self, requirement, ws, *args, **kw)
            seen.extend(f"{requirement} -> {dist}" for dist in dists)
            return dists

        easy_install.Installer._get_dist = observing  # type: ignore[method-assign]
        self.addCleanup(setattr, easy_install.Installer, "_get_dist", original)
        self._quietly(easy_install.install, ["demo"], "eggs", links=["dists"])
        self.assertEqual(seen, ["demo==1.0 -> demo 1.0", "needed==1.2 -> needed 1.2"])

    def test_augmenting_a_working_set_and_sorting(self) -> None:
        ws = WorkingSet(())
        result = self._quietly(easy_install.install, ["needed"], "eggs", links=["dists"], working_set=ws)
        self.assertIs(result, ws)
        self._quietly(easy_install.install, ["demo"], "eggs", links=["dists"], working_set=ws)
        self.assertEqual([d.project_name for d in ws], ["needed", "demo"])
        outside = WorkingSet(())
        for dist in ws:
            outside.add(dist)
        sorted_ws = easy_install.sort_working_set(outside, "eggs", "develop-eggs")
        self.assertEqual([d.project_name for d in sorted_ws], ["needed", "demo"])

    def test_scripts_use_the_template_of_the_facade(self) -> None:
        ws = self._quietly(easy_install.install, ["demo"], "eggs", links=["dists"])
        with self.assertRaises(TypeError):
            easy_install.scripts("demo", ws, sys.executable, "bin")
        original = easy_install.script_template
        easy_install.script_template = easy_install.script_header + "\n# custom %(module_name)s\n"
        self.addCleanup(setattr, easy_install, "script_template", original)
        paths = self._quietly(easy_install.scripts, ["demo"], ws, sys.executable, "bin", interpreter="py")
        self.assertEqual(paths, [os.path.join("bin", "demo"), os.path.join("bin", "py")])
        with open(os.path.join("bin", "demo")) as file:
            self.assertEqual(file.read(), f"#!{sys.executable} -S\n# custom demo\n")

    def test_one_script_per_name(self) -> None:
        packages.wheel("dists", "other", "1.0",
                       entry_points={"console_scripts": {"demo": "other:main"}})
        ws = self._quietly(easy_install.install, ["demo", "other"], "eggs", links=["dists"])
        script = os.path.join("bin", "demo")
        for requests, module, warned in [
            (["demo", "other"], "demo", ["demo 1.0", "other 1.0"]),  # the first one wins
            (["other", "demo"], "other", ["other 1.0", "demo 1.0"]),
            (["demo", "other", ("demo", "needed", "main")], "needed", None),  # a triple wins
        ]:
            with self.subTest(requests=requests):
                with self.assertLogs("zc.buildout.easy_install") as logs:
                    paths = self._quietly(easy_install.scripts, requests, ws, sys.executable, "bin")
                    logging.getLogger("zc.buildout.easy_install").info("done")
                self.assertEqual(paths, [script])
                with open(script) as file:
                    self.assertIn(f"import {module}\n", file.read())
                warnings = [r.getMessage() for r in logs.records if r.levelname == "WARNING"]
                expected = [] if warned is None else [
                    f"Both {warned[0]} and {warned[1]} provide the script 'demo';"
                    f" generating the one of {warned[0]}. An entry-points line names the one"
                    f" to generate, e.g. 'demo={warned[1].split()[0]}:main'."]
                self.assertEqual(warnings, expected)


class WorkingSetCacheTests(_Isolated):
    def test_one_resolution_per_run_handed_out_as_copies(self) -> None:
        from zc.buildout.testing import Buildout
        from zc.recipe.egg import Egg

        with contextlib.redirect_stdout(io.StringIO()):
            buildout = Buildout()
            buildout["buildout"]["find-links"] = os.path.join(self.here, "dists")
            buildout["buildout"]["index"] = os.path.join(self.here, "index")
            calls = []
            original = easy_install.Installer.install

            def counting(self: Any, specs: Any, working_set: Any = None) -> Any:
                calls.append(list(specs))
                return original(self, specs, working_set)

            easy_install.Installer.install = counting  # type: ignore[method-assign]
            self.addCleanup(setattr, easy_install.Installer, "install", original)
            first = Egg(buildout, "a", {"eggs": "demo"})
            second = Egg(buildout, "b", {"eggs": "demo"})
            requirements, ws1 = first.working_set()
            _, ws2 = second.working_set()
            _, ws3 = second.working_set(extra=["needed"])
        self.assertEqual(requirements, ["demo"])
        self.assertEqual(calls, [["demo"], ["demo", "needed"]])
        self.assertIsNot(ws1, ws2)
        self.assertEqual([d.location for d in ws1], [d.location for d in ws2])
        cache = buildout._zc_recipe_egg_working_set_cache
        self.assertEqual(len(cache), 2)
        self.assertNotIn(ws1, cache.values())

    def test_a_plain_dict_as_options(self) -> None:
        from zc.buildout.testing import Buildout
        from zc.recipe.egg import Egg

        with contextlib.redirect_stdout(io.StringIO()):
            buildout = Buildout()
            options = {"eggs": "demo", "extra-paths": "lib", "relative-paths": "true"}
            egg = Egg(buildout, "a", options)
        self.assertEqual(egg.extra_paths, [os.path.join(self.here, "lib")])
        self.assertEqual(egg._relative_paths, self.here)
        self.assertEqual(options["bin-directory"], os.path.join(self.here, "bin"))
        self.assertEqual(options["_e"], options["eggs-directory"])


class BuildAndDevelopTests(_Isolated):
    def test_build_from_an_sdist_into_the_destination(self) -> None:
        packages.sdist("sdists", "built", "2.0")
        with contextlib.redirect_stdout(io.StringIO()):
            locations = easy_install.build("built", "develop-eggs", {"define": "X"}, links=["sdists"],
                                           index=os.path.join(self.here, "index"))
        (location,) = locations
        self.assertEqual(os.path.dirname(location), os.path.join(self.here, "develop-eggs"))
        self.assertTrue(os.path.basename(location).startswith("built-2.0-py"))
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(easy_install.build("built", "develop-eggs", {}, links=["sdists"]), locations)
        with self.assertRaises(UserError) as caught:
            easy_install.build("absent", "develop-eggs", {}, links=["sdists"])
        self.assertEqual(str(caught.exception), "Couldn't find a source distribution for 'absent'.")

    def test_develop_returns_the_egg_link(self) -> None:
        packages.project("proj", "proj", "0.1", backend="tiny")
        link = easy_install.develop(os.path.join("proj", "pyproject.toml"), "develop-eggs")
        self.assertEqual(link, os.path.join(self.here, "develop-eggs", "proj.egg-link"))
        with open(link) as file:
            self.assertEqual(file.read(), f"{os.path.join(self.here, 'proj', 'src')}\n..")


class NormalizerTests(unittest.TestCase):
    def test_upstream_normalizers(self) -> None:
        from zc.buildout import testing

        cases = [
            (testing.normalize_path, "Develop: '/tmp/buildoutSetUpab/_TEST_/sample-buildout/r'",
             "Develop: '/sample-buildout/r'"),
            (testing.normalize_egg_py, "eggs/Demo-1.0-py3.11-linux-x86_64.egg/x", "eggs/Demo-1.0-pyN.N.egg/x"),
            (testing.normalize_egg_py, "Demo-1.0-py3.12.egg", "Demo-1.0-pyN.N.egg"),
            (testing.normalize_endings, "a\r\nb\r\n", "a\nb\n"),
            (testing.normalize___pycache__, "d  __pycache__\n-  x.py\n", "-  x.py\n"),
            (testing.normalize_script, "-  demo-script.py\n-  demo.exe\n", "-  demo\n"),
            (testing.normalize_script, "#!/venv/bin/python -S\nimport sys\n", "#!/venv/bin/python\nimport sys\n"),
            (testing.normalize_exception_type_for_python_2_and_3,
             "zc.buildout.errors.UserError: oops", "UserError: oops"),
            (testing.not_found, "a\nNot found: http://x/y/\nb\n", "a\nb\n"),
        ]
        for (pattern, replacement), text, expected in cases:
            self.assertEqual(pattern.sub(replacement, text), expected)


class InstallingFromTheRunningEnvironmentTests(_Isolated):
    def test_install_develop_and_install(self) -> None:
        import types

        import zc.recipe.egg
        from zc.buildout.dists.store.eggs import InstalledEggs
        from zc.buildout.testing import install, install_develop

        test = types.SimpleNamespace(globs={"sample_buildout": self.here})
        self.assertIsNone(install_develop("zc.recipe.egg", test))  # as upstream: a doctest line shows nothing
        self.assertTrue(os.path.isfile(os.path.join(self.here, "develop-eggs", "zc.recipe.egg.egg-link")))
        self.assertIsNone(install("packaging", os.path.join(self.here, "eggs")))
        (egg,) = [os.path.join(self.here, "eggs", name) for name in os.listdir(os.path.join(self.here, "eggs"))
                  if name.startswith("packaging-")]
        self.assertTrue(os.path.isdir(os.path.join(egg, "packaging")))
        environment = InstalledEggs("eggs", "develop-eggs")
        (recipe,) = environment.find("zc.recipe.egg")
        self.assertTrue(recipe.develop)
        self.assertTrue(os.path.abspath(zc.recipe.egg.__file__).startswith(recipe.location + os.sep))
        (found,) = environment.find("packaging")
        self.assertEqual(found.location, egg)
        with self.assertRaises(UserError):
            install("zc.buildout", "eggs")  # installed in editable mode here

    def test_a_source_tree_egg_info_is_a_develop_project(self) -> None:
        # setuptools leaves <name>.egg-info in a develop project's source tree;
        # when that is what the running environment finds, the code is beside it.
        import sys
        import types

        from zc.buildout.testing import install, install_develop
        from zc.buildout.testing.installs import code_location

        source = os.path.join(self.here, "src")
        os.makedirs(os.path.join(source, "demo_tree.egg-info"))
        os.makedirs(os.path.join(source, "demo_tree"))
        with open(os.path.join(source, "demo_tree.egg-info", "PKG-INFO"), "w") as file:
            file.write("Metadata-Version: 2.1\nName: demo-tree\nVersion: 1.0\n")
        with open(os.path.join(source, "demo_tree.egg-info", "SOURCES.txt"), "w") as file:
            file.write("pyproject.toml\nsrc/demo_tree/__init__.py\n")
        sys.path.insert(0, source)
        self.addCleanup(sys.path.remove, source)
        self.assertEqual(code_location("demo-tree"), source)
        with self.assertRaises(UserError):
            install("demo-tree", "eggs")
        test = types.SimpleNamespace(globs={"sample_buildout": self.here})
        install_develop("demo-tree", test)
        (found,) = importlib.metadata.distributions(path=[os.path.join(self.here, "develop-eggs")])
        self.assertEqual((found.metadata["Name"], found.version), ("demo-tree", "1.0"))
        # A .pth names the code, as an editable install's does, so that a
        # buildout run of the test can import the project's recipes.
        with open(os.path.join(self.here, "develop-eggs", "__editable__.demo_tree-1.0.pth")) as file:
            self.assertEqual(file.read(), source + "\n")


class SampleBuildoutTests(unittest.TestCase):
    def test_sample_buildout_sees_the_build_tools_and_gets_eggs_in_eggs_v5(self) -> None:
        import types

        from zc.buildout import testing

        test = types.SimpleNamespace(globs={})
        testing.buildoutSetUp(test)
        self.addCleanup(testing.buildoutTearDown, test)
        sample = test.globs["sample_buildout"]
        with open(os.path.join(sample, "bin", "buildout")) as file:
            script = file.read()
        # Like upstream's sample buildouts, bin/buildout has setuptools
        # beside buildout when the test process has it.
        setuptools = str(importlib.metadata.distribution("setuptools").locate_file(""))
        self.assertIn(repr(setuptools), script)
        # ... and as an installed distribution, for offline resolutions.
        self.assertTrue([entry for entry in os.listdir(os.path.join(sample, "eggs", "v5"))
                         if entry.startswith("setuptools-")])
        eggs = os.path.join(sample, "eggs", "v5")
        for entry in os.listdir(eggs):
            if entry.startswith("packaging-"):  # bootstrap copied buildout's own
                shutil.rmtree(os.path.join(eggs, entry))
        testing.install("packaging", test)
        self.assertTrue([entry for entry in os.listdir(eggs) if entry.startswith("packaging-")])
