"""zc.buildout.buildout as recipes and extensions use it, also outside a run."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import textwrap
import unittest

from zc.buildout.buildout import (
    Buildout,
    MissingOption,
    MissingSection,
    Options,
    _buildout_default_options,
    bool_option,
)
from zc.buildout.testing import Sandbox
from zc.buildout.testing.files import write

CONFIG = """\
[buildout]
parts = show

[versions]
demo = 1.0

[data]
y = 1

[show]
recipe = zc.buildout:debug
x = ${data:y}
"""


class BuildoutApiTests(unittest.TestCase):
    def setUp(self) -> None:
        self.sandbox = Sandbox()
        self.addCleanup(self.sandbox.close)
        self.addCleanup(sys.path.__setitem__, slice(None), list(sys.path))
        write("buildout.cfg", CONFIG)

    def test_constructed_outside_a_run(self) -> None:
        buildout = Buildout(
            "buildout.cfg", [("data", "y", "2")], user_defaults=False, windows_restart=True
        )
        self.assertEqual(os.getcwd(), self.sandbox.sample_buildout)
        self.assertEqual(buildout["buildout"]["directory"], self.sandbox.sample_buildout)
        self.assertEqual(buildout._raw["data"]["y"], "2")
        history = buildout._annotated["data"]["y"].history
        self.assertEqual(history[-1].source, "COMMAND_LINE_VALUE")
        self.assertEqual(buildout.versions["demo"], "1.0")
        self.assertEqual(buildout._logger.name, "zc.buildout")
        self.assertEqual(buildout._log_level, logging.INFO)
        self.assertEqual(buildout._parts, [])
        show = buildout.get("show")
        self.assertIsInstance(show, Options)
        self.assertEqual(show["x"], "2")
        self.assertEqual(type(show.recipe).__name__, "Debug")
        self.assertEqual(buildout._parts, ["show"])
        self.assertIn("data", buildout)
        self.assertIsNone(buildout.get("nothing"))
        with self.assertRaises(MissingSection):
            buildout["nothing"]
        with self.assertRaises(MissingOption):
            buildout["data"]["nothing"]
        self.assertEqual(_buildout_default_options["parts-directory"], "parts")

    def test_links_and_allowed_hosts_for_recipes_that_install(self) -> None:
        # slapos.recipe.build hands these to easy_install.Installer.
        buildout = Buildout("buildout.cfg", [
            ("buildout", "find-links", "https://dists.example/links\n  /srv/dists"),
            ("buildout", "allow-hosts", "*.example\nlocalhost"),
        ], user_defaults=False)
        self.assertEqual(buildout._links, ("https://dists.example/links", "/srv/dists"))
        self.assertEqual(buildout._allow_hosts, ("*.example", "localhost"))
        self.assertFalse(bool_option(buildout["buildout"], "offline"))

    def test_upstream_keyword_and_print_options(self) -> None:
        buildout = Buildout("buildout.cfg", [], use_user_defaults=False)
        buildout["show"]
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            buildout.print_options(base_path="BASE")
        self.assertEqual(output.getvalue(), textwrap.dedent("""\
            [data]
            y = 1
            [show]
            recipe = zc.buildout:debug
            x = 1
        """))

    def test_print_options_hides_passwords(self) -> None:
        buildout = Buildout("buildout.cfg", [("show", "index", "https://joe:s3cret@example.com/simple/")],
                            use_user_defaults=False)
        buildout["show"]
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            buildout.print_options()
        self.assertIn("index = https://joe:****@example.com/simple/\n", output.getvalue())
        self.assertNotIn("s3cret", output.getvalue())

    def test_the_debug_recipe_hides_passwords(self) -> None:
        buildout = Buildout("buildout.cfg", [("show", "index", "https://joe:s3cret@example.com/simple/")],
                            use_user_defaults=False)
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            buildout["show"].recipe.install()
        self.assertIn("  index='https://joe:****@example.com/simple/'\n", output.getvalue())

    def test_install_and_the_installed_part_options(self) -> None:
        buildout = Buildout("buildout.cfg", [])
        self.assertEqual(buildout._read_installed_part_options(),
                         ({"buildout": {"parts": "", "installed_develop_eggs": ""}}, False))
        with contextlib.redirect_stdout(io.StringIO()) as output:
            buildout.install([])
        self.assertIn("Installing show.", output.getvalue())
        sections, exists = buildout._read_installed_part_options()
        self.assertTrue(exists)
        self.assertEqual(sections["buildout"]["parts"], "show")
        self.assertEqual(sections["show"]["x"], "1")
        self.assertEqual(sections["show"]["__buildout_installed__"], "")

    def test_init_bootstraps_then_installs_when_given_arguments(self) -> None:
        # zc.recipe.testrunner's tests call Buildout(...).init('fake-argument').
        with contextlib.redirect_stdout(io.StringIO()) as output:
            Buildout("buildout.cfg", []).init(())
        self.assertTrue(os.path.isfile(os.path.join("bin", "buildout")))
        self.assertFalse(os.path.exists(".installed.cfg"))
        with contextlib.redirect_stdout(io.StringIO()) as output:
            Buildout("buildout.cfg", []).init("fake-argument")
        self.assertIn("Installing show.", output.getvalue())


if __name__ == "__main__":
    unittest.main()
