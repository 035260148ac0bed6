"""Loading: sources, precedence, += / -=, extends, user defaults, directories, macros."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import textwrap
import unittest
from unittest import mock

from zc.buildout.config.loading import DEFAULT_OPTIONS, LoadedConfiguration, expand_macros, load
from zc.buildout.errors import MissingOption, UserError


class LoadingTestCase(unittest.TestCase):
    def setUp(self) -> None:
        stack = contextlib.ExitStack()
        self.addCleanup(stack.close)
        self.root = os.path.realpath(stack.enter_context(tempfile.TemporaryDirectory()))
        self.home = os.path.join(self.root, "home")
        stack.enter_context(mock.patch.dict(os.environ, {"HOME": self.home}))
        os.environ.pop("BUILDOUT_HOME", None)
        old = os.getcwd()
        stack.callback(os.chdir, old)
        os.chdir(self.root)

    def write(self, name: str, text: str) -> str:
        path = os.path.join(self.root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as file:
            file.write(textwrap.dedent(text))
        return path

    def option(self, config: LoadedConfiguration, section: str, option: str) -> str:
        return config.sections[section][option].text

    def history(self, config: LoadedConfiguration, section: str, option: str) -> list[tuple[str, str, object]]:
        return [
            (entry.operation, os.path.basename(entry.source), entry.line)
            for entry in config.sections[section][option].history
        ]


class PrecedenceTests(LoadingTestCase):
    def test_defaults_and_computed_directory(self) -> None:
        self.write("buildout.cfg", "[buildout]\nparts =\n")
        config = load("buildout.cfg")
        buildout = config.sections["buildout"]
        self.assertEqual(config.config_file, os.path.join(self.root, "buildout.cfg"))
        self.assertEqual(buildout["directory"].text, self.root)
        self.assertEqual(buildout["directory"].history[0].source, "COMPUTED_VALUE")
        self.assertEqual(buildout["log-level"].location.source, "DEFAULT_VALUE")
        self.assertLessEqual(set(DEFAULT_OPTIONS), set(buildout))

    def test_extends_depth_first_later_wins(self) -> None:
        self.write("d.cfg", "[s]\na = d\nb = d\nc = d\n")
        self.write("b.cfg", "[buildout]\nextends = d.cfg\n[s]\na = b\nb = b\n")
        self.write("c.cfg", "[buildout]\nextends = d.cfg\n[s]\na = c\n")
        self.write("buildout.cfg", "[buildout]\nextends = b.cfg c.cfg\n[s]\na = top\n")
        config = load("buildout.cfg")
        # c.cfg re-applies d.cfg, so d's b wins over b.cfg's (upstream's diamond).
        self.assertEqual(
            [self.option(config, "s", name) for name in "abc"], ["top", "d", "d"]
        )
        self.assertNotIn("extends", config.sections["buildout"])

    def test_assignments_win_and_create_sections(self) -> None:
        self.write("buildout.cfg", "[buildout]\nparts = a\n")
        config = load("buildout.cfg", [("buildout", "parts", "b"), ("new", "x", "1")])
        self.assertEqual(self.option(config, "buildout", "parts"), "b")
        self.assertEqual(self.history(config, "buildout", "parts")[-1], ("OVERRIDE", "COMMAND_LINE_VALUE", None))
        self.assertEqual(self.option(config, "new", "x"), "1")

    def test_command_line_extends_apply_after_the_file(self) -> None:
        self.write("buildout.cfg", "[buildout]\nparts = a\n[s]\nx = 1\n")
        self.write("more/extra.cfg", "[s]\nx = 2\n")
        config = load("buildout.cfg", [("buildout", "extends", "more/extra.cfg"), ("s", "x+", "3")])
        self.assertEqual(self.option(config, "s", "x"), "2\n3")

    def test_no_configuration_file(self) -> None:
        config = load(None)
        self.assertIsNone(config.config_file)
        self.assertEqual(self.option(config, "buildout", "directory"), self.root)


class IncrementTests(LoadingTestCase):
    def test_add_and_remove_work_on_lines_of_the_value_below(self) -> None:
        self.write("base.cfg", "[s]\nx =\n  a\n  b\n  c d\n")
        self.write("buildout.cfg", "[buildout]\nextends = base.cfg\n[s]\nx -= b\n  c\nx += e\n")
        config = load("buildout.cfg")
        self.assertEqual(self.option(config, "s", "x"), "a\nc d\ne")
        self.assertEqual(
            [op for op, _, _ in self.history(config, "s", "x")], ["SET", "ADD", "REMOVE"]
        )

    def test_add_applies_to_the_value_set_in_the_same_file(self) -> None:
        self.write("base.cfg", "[s]\nx = base\n")
        self.write("buildout.cfg", "[buildout]\nextends = base.cfg\n[s]\nx = own\nx += more\n")
        self.assertEqual(self.option(load("buildout.cfg"), "s", "x"), "own\nmore")

    def test_add_without_base_is_an_implicit_empty_value(self) -> None:
        self.write("buildout.cfg", "[s]\nx += a\ny -= a\n")
        config = load("buildout.cfg")
        self.assertEqual((self.option(config, "s", "x"), self.option(config, "s", "y")), ("a", ""))
        self.assertEqual(self.history(config, "s", "x")[0], ("SET", "IMPLICIT_VALUE", None))
        self.assertEqual(str(config.sections["s"]["x"].location), os.path.join(self.root, "buildout.cfg") + ":2")

    def test_add_to_a_default(self) -> None:
        self.write("buildout.cfg", "[buildout]\nallow-hosts += example.com\n")
        self.assertEqual(self.option(load("buildout.cfg"), "buildout", "allow-hosts"), "*\nexample.com")

    def test_command_line_increments(self) -> None:
        self.write("buildout.cfg", "[buildout]\nparts = a\n  b\n")
        config = load("buildout.cfg", [("buildout", "parts+", "c"), ("buildout", "parts-", "a")])
        self.assertEqual(self.option(config, "buildout", "parts"), "b\nc")


class UserDefaultsTests(LoadingTestCase):
    def test_user_defaults_sit_under_the_project_files(self) -> None:
        self.write("home/.buildout/default.cfg", "[buildout]\nparts = user\nnewest = false\n[s]\nx = user\n")
        self.write("buildout.cfg", "[buildout]\nparts += project\n")
        config = load("buildout.cfg")
        self.assertEqual(self.option(config, "buildout", "parts"), "user\nproject")
        self.assertEqual(self.option(config, "buildout", "newest"), "false")
        self.assertEqual(self.option(load("buildout.cfg", user_defaults=False), "buildout", "newest"), "true")

    def test_buildout_home_and_extends_in_defaults(self) -> None:
        self.write("elsewhere/base.cfg", "[s]\nx = from-base\n")
        self.write("elsewhere/default.cfg", "[buildout]\nextends = base.cfg\n")
        self.write("buildout.cfg", "[buildout]\n")
        with mock.patch.dict(os.environ, {"BUILDOUT_HOME": os.path.join(self.root, "elsewhere")}):
            self.assertEqual(self.option(load("buildout.cfg"), "s", "x"), "from-base")


class ExtendsErrorTests(LoadingTestCase):
    def error(self, *args: object) -> str:
        with self.assertRaises(UserError) as caught:
            load(*args)  # type: ignore[arg-type]
        return str(caught.exception)

    def test_missing_main_file(self) -> None:
        self.assertEqual(self.error("nope.cfg"), f"Couldn't open {self.root}/nope.cfg")

    def test_missing_extended_file_names_the_extends_line(self) -> None:
        self.write("buildout.cfg", "[buildout]\nparts =\nextends = gone.cfg\n")
        self.assertEqual(
            self.error("buildout.cfg"), f"{self.root}/buildout.cfg:3: Couldn't open {self.root}/gone.cfg"
        )

    def test_recursive_extends(self) -> None:
        self.write("a.cfg", "[buildout]\nextends = b.cfg\n")
        self.write("b.cfg", "[buildout]\nextends = a.cfg\n")
        self.assertEqual(
            self.error("a.cfg"),
            f"{self.root}/b.cfg:2: Recursive file include:"
            f" {self.root}/a.cfg extends {self.root}/b.cfg extends {self.root}/a.cfg",
        )

    def test_extended_by_is_gone(self) -> None:
        self.write("buildout.cfg", "[buildout]\nextended-by = x.cfg\n")
        self.assertIn('No-longer supported "extended-by" option', self.error("buildout.cfg"))

    def test_buildout_section_cannot_use_macros(self) -> None:
        self.write("buildout.cfg", "[buildout]\n<= s\n[s]\n")
        self.assertIn("buildout.cfg:2: The buildout section cannot use macros", self.error("buildout.cfg"))


class OptionalExtendsTests(LoadingTestCase):
    def test_existence_is_checked_next_to_the_extending_file(self) -> None:
        self.write("project/buildout.cfg", "[buildout]\noptional-extends = local.cfg missing.cfg\n")
        self.write("project/local.cfg", "[s]\nx = local\n")
        os.mkdir("elsewhere")
        os.chdir("elsewhere")
        with contextlib.redirect_stderr(io.StringIO()), self.assertLogs("zc.buildout") as logs:
            config = load("../project/buildout.cfg")
        self.assertEqual(self.option(config, "s", "x"), "local")
        self.assertEqual(
            logs.output,
            [f"WARNING:zc.buildout:optional-extends file not found: {self.root}/project/missing.cfg"],
        )


class DirectoryTests(LoadingTestCase):
    def test_directories_relative_to_the_right_base(self) -> None:
        self.write("shared/base.cfg", "[buildout]\neggs-directory = eggs\ndownload-cache = ~/cache\n")
        self.write(
            "project/buildout.cfg",
            "[buildout]\nextends = ../shared/base.cfg\nbin-directory = scripts\ninstalled =\n",
        )
        config = load("project/buildout.cfg", [("buildout", "extends-cache", "ext")])
        project = os.path.join(self.root, "project")
        expect = {
            "directory": project,
            "eggs-directory": os.path.join(self.root, "shared", "eggs", "v5"),
            "download-cache": os.path.join(self.home, "cache"),
            "extends-cache": os.path.join(project, "ext"),
            "bin-directory": os.path.join(project, "scripts"),
            "parts-directory": os.path.join(project, "parts"),
            "develop-eggs-directory": os.path.join(project, "develop-eggs"),
            "installed": "",
        }
        self.assertEqual({name: self.option(config, "buildout", name) for name in expect}, expect)
        self.assertEqual(self.history(config, "buildout", "bin-directory")[-1][0], "DIRECTORY")

    def test_substitutions_are_left_alone_and_version_can_be_empty(self) -> None:
        self.write(
            "buildout.cfg",
            "[buildout]\nbin-directory = ${buildout:directory}/b\neggs-directory-version =\n",
        )
        config = load("buildout.cfg")
        self.assertEqual(self.option(config, "buildout", "bin-directory"), "${buildout:directory}/b")
        self.assertEqual(self.option(config, "buildout", "eggs-directory"), os.path.join(self.root, "eggs"))

    def test_url_configuration_needs_a_directory(self) -> None:
        with self.assertRaises(MissingOption):
            from zc.buildout.config.directories import resolve_file_relative

            resolve_file_relative({}, self.root)


class VersionsTests(LoadingTestCase):
    def test_default_pins_unless_pinned(self) -> None:
        self.write("buildout.cfg", "[buildout]\n[versions]\nZC_Recipe.Egg = 2.0.7\n")
        versions = load("buildout.cfg").sections["versions"]
        self.assertEqual(versions["zc.buildout"].text, ">=7.0.0.dev0")
        self.assertEqual(versions["zc.buildout"].location.source, "DEFAULT_VALUE")
        self.assertNotIn("zc.recipe.egg", versions)

    def test_named_versions_section_and_disabled_pinning(self) -> None:
        self.write("buildout.cfg", "[buildout]\nversions = pins\n")
        self.assertIn("zc.recipe.egg", load("buildout.cfg").sections["pins"])
        self.assertNotIn("versions", load("buildout.cfg", [("buildout", "versions", "")]).sections)


class MacroTests(LoadingTestCase):
    def test_bases_in_order_own_options_win_pending_increments(self) -> None:
        self.write(
            "base.cfg",
            "[one]\na = 1\nb = 1\nlist = x\n[two]\nb = 2\nc = 2\n[user]\n<= one\n  two\nlist += z\n",
        )
        self.write("buildout.cfg", "[buildout]\nextends = base.cfg\n[user]\nc = own\nlist += y\n")
        config = load("buildout.cfg")
        self.assertIn("list +", config.sections["user"])
        user = expand_macros(config.sections, "user")
        self.assertEqual(
            {name: value.text for name, value in user.items()},
            {"a": "1", "b": "2", "c": "own", "list": "x\nz\ny"},
        )
        self.assertIs(user["a"], config.sections["one"]["a"])

    def test_macros_of_macros_and_removal(self) -> None:
        self.write("buildout.cfg", "[a]\nx = 1\n  2\n[b]\n<= a\n[c]\n<= b\nx -= 1\n")
        self.assertEqual(expand_macros(load("buildout.cfg").sections, "c")["x"].text, "2")

    def test_errors_name_the_macro_line(self) -> None:
        self.write("buildout.cfg", "[a]\n<= b\n[b]\n<= a\n[c]\n<= nothere\n")
        sections = load("buildout.cfg").sections
        path = os.path.join(self.root, "buildout.cfg")
        for name, message in (
            ("a", f"{path}:4: Infinite extending loop 'a'"),
            ("c", f"{path}:6: No section named 'nothere'"),
        ):
            with self.subTest(name), self.assertRaises(UserError) as caught:
                expand_macros(sections, name)
            self.assertEqual(str(caught.exception), message)

    def test_section_without_macro_is_returned_as_is(self) -> None:
        self.write("buildout.cfg", "[a]\nx = 1\n")
        sections = load("buildout.cfg").sections
        self.assertEqual(expand_macros(sections, "a"), sections["a"])


class RemoteTests(LoadingTestCase):
    def setUp(self) -> None:
        super().setUp()
        from zc.buildout.testing.server import FileServer

        self.write("served/base.cfg", "[s]\nx = remote\n")
        self.server = FileServer(os.path.join(self.root, "served")).start()
        self.addCleanup(self.server.stop)

    def test_user_defaults_decide_how_the_project_fetches(self) -> None:
        self.write("home/.buildout/default.cfg", "[buildout]\noffline = true\n")
        self.write("buildout.cfg", f"[buildout]\nextends = {self.server.url}base.cfg\n")
        with self.assertRaises(UserError) as caught:
            load("buildout.cfg")
        self.assertIn("in offline mode", str(caught.exception))
        self.assertEqual(self.option(load("buildout.cfg", user_defaults=False), "s", "x"), "remote")
        self.assertEqual(self.server.requests, ["GET /base.cfg"])

    def test_extends_cache_cannot_use_substitutions(self) -> None:
        self.write(
            "buildout.cfg",
            f"[buildout]\nextends-cache = ${{buildout:directory}}/c\nextends = {self.server.url}base.cfg\n",
        )
        with self.assertRaises(UserError) as caught:
            load("buildout.cfg")
        self.assertTrue(str(caught.exception).startswith(
            f"{self.root}/buildout.cfg:2: extends-cache cannot use substitutions"
        ))
