"""Upstream's fixtures for recipe tests: sample distributions, the link server, ``zc.buildout.tests``."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import types
import unittest
import urllib.error
import urllib.request

from tests.builder_fixtures import ScratchTestCase
from zc.buildout import testing
from zc.buildout.errors import UserError
from zc.buildout.testing.server import LinkServer

PY = f"py{sys.version_info[0]}.{sys.version_info[1]}"
SETUP = "from setuptools import setup\nsetup(name='sample', version='1.0', py_modules=['sample'])\n"


class BuildHelperTests(ScratchTestCase):
    def project(self) -> str:
        testing.write(self.path("sample"), "setup.py", SETUP)
        testing.write(self.path("sample"), "sample.py", "value = 1\n")
        return self.path("sample")

    def test_bdist_egg_in_both_forms_returns_nothing(self) -> None:
        project = self.project()
        self.assertIsNone(testing.bdist_egg(project, sys.executable, self.path("new")))
        self.assertIsNone(testing.bdist_egg(os.path.join(project, "setup.py"), self.path("old")))
        for directory in ("new", "old"):
            self.assertEqual(os.listdir(self.path(directory)), [f"sample-1.0-{PY}.egg"])
        self.assertFalse(os.path.exists(os.path.join(project, "build")))

    def test_a_failing_egg_build_says_why(self) -> None:
        project = self.project()
        testing.write(project, "setup.py", "raise SystemExit('no such luck')\n")
        with self.assertRaises(UserError) as caught:
            testing.bdist_egg(project, sys.executable, self.path("dist"))
        self.assertIn("no such luck", str(caught.exception))

    def test_sdist_and_bdist_wheel_return_nothing(self) -> None:
        project = self.project()
        self.assertIsNone(testing.sdist(project, self.path("dist")))
        self.assertIsNone(testing.bdist_wheel(project, self.path("dist")))
        self.assertEqual(sorted(os.listdir(self.path("dist"))), ["sample-1.0-py3-none-any.whl", "sample-1.0.tar.gz"])


class InstallDevelopTests(ScratchTestCase):
    def test_a_project_with_metadata_in_its_tree_keeps_its_egg_info(self) -> None:
        source = self.path("src")
        testing.write(source, "inplace_demo.egg-info", "PKG-INFO",
                      "Metadata-Version: 2.1\nName: inplace-demo\nVersion: 1.0\n")
        testing.write(source, "inplace_demo.egg-info", "requires.txt", "six\n")
        testing.write(source, "inplace_demo.py", "")
        os.makedirs(self.path("develop-eggs"))
        sys.path.insert(0, source)
        self.addCleanup(sys.path.remove, source)
        testing.install_develop("inplace-demo", self.path("develop-eggs"))
        self.assertEqual(sorted(os.listdir(self.path("develop-eggs"))), [
            "__editable__.inplace_demo-1.0.pth", "inplace_demo-1.0.egg-info", "inplace_demo.egg-link"])
        with open(self.path("develop-eggs", "inplace_demo-1.0.egg-info", "requires.txt")) as file:
            self.assertEqual(file.read(), "six\n")


class LinkServerTests(ScratchTestCase):
    def get(self, url: str) -> tuple[str, str]:
        """What the server answered, and what it printed meanwhile."""
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            try:
                with urllib.request.urlopen(url) as response:
                    body = response.read().decode()
            except urllib.error.HTTPError as error:
                body = f"{error.code} {error.read().decode()}"
        return body, printed.getvalue()

    def test_pages_files_and_request_lines(self) -> None:
        testing.write(self.path("tree", "sub"), "a.txt", "A")
        testing.write(self.path("tree"), "b-1.0.egg", "zip")
        server = LinkServer(self.path("tree")).start()
        self.addCleanup(server.stop)
        url = server.localhost_url
        self.assertEqual(url, f"http://localhost:{server.port}/")
        self.assertEqual(self.get(url), (
            '<html><body>\n<a href="b-1.0.egg">b-1.0.egg</a><br>\n<a href="sub/">sub/</a><br>\n</body></html>\n', ""))
        self.assertEqual(self.get(url + "sub/a.txt"), ("A", ""))
        self.assertEqual(self.get(url + "enable_server_logging"),
                         ("<html><body>k</body></html>\n", "GET 200 /enable_server_logging\n"))
        self.assertEqual(self.get(url + "nothing"), ("404 <html><body>Not Found</body></html>", "GET 404 /nothing\n"))
        self.assertEqual(self.get(url + "../../etc/passwd")[0], "404 <html><body>Not Found</body></html>")
        self.assertEqual(self.get(url + "disable_server_logging"), ("<html><body>k</body></html>\n", ""))
        self.assertEqual(self.get(url + "sub/a.txt"), ("A", ""))


class EasyInstallSetUpTests(unittest.TestCase):
    def test_sample_distributions_served_and_zc_recipe_egg_developed(self) -> None:
        import zc.buildout.tests

        test = types.SimpleNamespace(globs={})
        zc.buildout.tests.easy_install_SetUp(test)
        self.addCleanup(testing.buildoutTearDown, test)
        sample_eggs = test.globs["sample_eggs"]
        expected = [
            f"bigdemo-0.1-{PY}.egg", f"demo-0.1-{PY}.egg", f"demo-0.2-{PY}.egg", f"demo-0.3-{PY}.egg",
            f"demo-0.4rc1-{PY}.egg", "demoneeded-1.0.tar.gz", "demoneeded-1.1.tar.gz", "demoneeded-1.2rc1.tar.gz",
            f"du_zipped-1.0-{PY}.egg", "extdemo-1.4.tar.gz", "index", "mixedcase-0.5.tar.gz", f"other-1.0-{PY}.egg"]
        self.assertEqual(sorted(os.listdir(sample_eggs)), expected)
        test.globs["update_extdemo"]()
        self.assertIn("extdemo-1.5.tar.gz", os.listdir(sample_eggs))
        with urllib.request.urlopen(test.globs["link_server"]) as response:
            self.assertIn(f'<a href="demo-0.2-{PY}.egg">', response.read().decode())
        develop_eggs = os.path.join(test.globs["sample_buildout"], "develop-eggs")
        self.assertIn("zc.recipe.egg.egg-link", os.listdir(develop_eggs))

    def test_normalize_bang(self) -> None:
        from zc.buildout.tests import normalize_bang

        pattern, replacement = normalize_bang
        self.assertEqual(pattern.sub(replacement, f"#!{sys.executable}\nimport sys\n"),
                         "#!/usr/local/bin/python2.7\nimport sys\n")
