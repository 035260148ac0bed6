"""The Options model: substitution, its errors, lazy initialisation and part order."""

from __future__ import annotations

import unittest
from typing import Any

from zc.buildout.config.loading import HistoryEntry, LoadedConfiguration, Value
from zc.buildout.config.options import Configuration, Options, bool_option
from zc.buildout.errors import MissingOption, MissingSection, UserError


class FakeRecipe:
    def __init__(self, buildout: Any, name: str, options: Options) -> None:
        self.name = name
        options["constructed"] = "yes"
        if "rewrite" in options:
            options["path"] = "/rewritten/" + name


class FakeRecipes:
    def __init__(self) -> None:
        self.loaded: list[str] = []

    def load(self, options: Options) -> Any:
        self.loaded.append(options.name)
        return FakeRecipe


def configuration(text: str) -> Configuration:
    """Sections from ``[section] key = value`` lines, each value at buildout.cfg:<line>."""
    sections: dict[str, dict[str, Value]] = {}
    current: dict[str, Value] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line.startswith("["):
            current = sections.setdefault(line[1:-1], {})
        elif line:
            key, _, value = line.partition("=")
            value = value.strip().replace("\\n", "\n")
            current[key.strip()] = Value(value, [HistoryEntry("SET", value, "buildout.cfg", number)])
    sections.setdefault("buildout", {})
    return Configuration(LoadedConfiguration(sections, "buildout.cfg"), FakeRecipes())


class SubstitutionTests(unittest.TestCase):
    def test_references_to_other_sections_and_the_current_one(self) -> None:
        buildout = configuration("""
            [a]
            x = 1
            y = ${:x}2
            [b]
            z = ${a:y}3 ${a:x}
        """)
        self.assertEqual(buildout["b"]["z"], "123 1")

    def test_double_dollar_prevents_substitution_and_is_kept(self) -> None:
        buildout = configuration("""
            [a]
            x = 1
            y = $${a:x} ${a:x} $$
        """)
        self.assertEqual(buildout["a"]["y"], "$${a:x} 1 $$")

    def test_section_name_pseudo_option(self) -> None:
        buildout = configuration("""
            [a]
            me = ${:_buildout_section_name_}
            other = ${b:_buildout_section_name_}
            [b]
        """)
        self.assertEqual(buildout["a"]["me"], "a")
        # As upstream: a missing option of another section falls back to the current name.
        self.assertEqual(buildout["a"]["other"], "a")

    def test_values_set_by_recipes_are_not_substituted_and_win(self) -> None:
        buildout = configuration("""
            [a]
            x = ${b:path}
            [b]
            recipe = fake
            rewrite = yes
            path = original
        """)
        buildout["a"]["literal"] = "${not:substituted}"
        self.assertEqual(buildout["a"]["literal"], "${not:substituted}")
        self.assertEqual(buildout["a"]["x"], "/rewritten/b")

    def test_sub_expands_arbitrary_text(self) -> None:
        buildout = configuration("""
            [a]
            x = 1
        """)
        self.assertEqual(buildout["a"]._sub("x=${a:x} $${a:x}", []), "x=1 $${a:x}")

    def test_missing_option_names_the_reference_and_where_it_is(self) -> None:
        buildout = configuration("""
            [a]
            b = 1
            [c]
            d = ${a:nope}
        """)
        with self.assertRaises(MissingOption) as caught:
            buildout["c"]
        self.assertEqual(
            str(caught.exception),
            "${a:nope} in [c] d at buildout.cfg:5 references missing option 'nope' of section 'a'",
        )

    def test_missing_option_at_depth_names_the_chain(self) -> None:
        buildout = configuration("""
            [a]
            b = ${:c}
            c = x${a:d}
            d = ${e:f}
            [e]
            g = 1
        """)
        with self.assertRaises(MissingOption) as caught:
            buildout["a"]
        self.assertEqual(
            str(caught.exception),
            "${e:f} in [a] d at buildout.cfg:5 references missing option 'f' of section 'e'\n"
            "  reached from ${a:d} in [a] c at buildout.cfg:4\n"
            "  reached from ${:c} in [a] b at buildout.cfg:3",
        )

    def test_missing_section(self) -> None:
        buildout = configuration("""
            [a]
            b = ${nowhere:x}
        """)
        with self.assertRaises(MissingSection) as caught:
            buildout["a"]
        self.assertEqual(
            str(caught.exception),
            "${nowhere:x} in [a] b at buildout.cfg:3 references section 'nowhere',"
            " which is not defined",
        )
        with self.assertRaisesRegex(MissingSection, "The referenced section, 'x', was not defined."):
            buildout["x"]

    def test_circular_references_list_every_step(self) -> None:
        buildout = configuration("""
            [a]
            x = ${b:y}
            [b]
            y = ${c:z}
            [c]
            z = ${a:x}
        """)
        with self.assertRaises(UserError) as caught:
            buildout["a"]
        self.assertEqual(
            str(caught.exception),
            "Circular reference in substitutions:\n"
            "  ${a:x} in [c] z at buildout.cfg:7\n"
            "  ${b:y} in [a] x at buildout.cfg:3\n"
            "  ${c:z} in [b] y at buildout.cfg:5",
        )

    def test_self_reference(self) -> None:
        buildout = configuration("""
            [a]
            x = ${:x}
        """)
        with self.assertRaisesRegex(UserError, r"(?s)Circular.*\$\{:x\} in \[a\] x"):
            buildout["a"]

    def test_syntax_errors_as_upstream_with_file_and_line(self) -> None:
        cases = {
            "${x}": "buildout.cfg:3: The substitution, ${x},\ndoesn't contain a colon.",
            "${a:b:c}": "buildout.cfg:3: The substitution, ${a:b:c},\nhas too many colons.",
            "${a/b:c}": "buildout.cfg:3: The section name in substitution, ${a/b:c},\n"
            "has invalid characters.",
            "${a:c!}": "buildout.cfg:3: The option name in substitution, ${a:c!},\n"
            "has invalid characters.",
        }
        for text, message in cases.items():
            buildout = configuration(f"[a]\n y = {text}".replace("\n", "\n\n"))
            with self.subTest(text), self.assertRaises(UserError) as caught:
                buildout["a"]
            self.assertEqual(str(caught.exception), message)

    def test_an_unused_broken_section_never_errors(self) -> None:
        buildout = configuration("""
            [a]
            x = 1
            [broken]
            y = ${a:missing}
        """)
        self.assertEqual(buildout["a"]["x"], "1")


class OptionsMappingTests(unittest.TestCase):
    def setUp(self) -> None:
        self.buildout = configuration("""
            [a]
            x = 1
            y = ${:x}
        """)
        self.options = self.buildout["a"]

    def test_mapping_api(self) -> None:
        options = self.options
        self.assertEqual(options.get("nope"), None)
        self.assertEqual(options.get("nope", "d"), "d")
        self.assertEqual(options.setdefault("z", "3"), "3")
        self.assertEqual(sorted(options), ["x", "y", "z"])
        self.assertEqual(len(options), 3)
        self.assertIn("x", options)
        self.assertEqual(options.copy(), {"x": "1", "y": "1", "z": "3"})
        del options["x"]
        self.assertNotIn("x", options)
        with self.assertRaises(KeyError):
            del options["x"]
        with self.assertRaisesRegex(MissingOption, "Missing option: a:x"):
            options["x"]

    def test_values_must_be_strings(self) -> None:
        with self.assertRaisesRegex(TypeError, "Option values must be strings"):
            self.options["x"] = 1  # type: ignore[assignment]

    def test_created_only_while_installing(self) -> None:
        with self.assertRaises(TypeError):
            self.options.created("foo")
        with self.options.recording_created() as created:
            self.assertEqual(self.options.created("a", "b"), ["a", "b"])
            self.assertEqual(self.options.created(), ["a", "b"])
        self.assertEqual(created, ["a", "b"])

    def test_bool_option(self) -> None:
        self.options["t"] = "true"
        self.options["bad"] = "yes"
        self.assertTrue(bool_option(self.options, "t"))
        self.assertFalse(bool_option(self.options, "missing", "false"))
        self.assertTrue(bool_option(self.options, "missing", default=True))  # recipes pass bools
        self.assertFalse(bool_option(self.options, "missing", default=False))
        with self.assertRaisesRegex(UserError, "Invalid value for 'bad' option: 'yes'"):
            bool_option(self.options, "bad")


class PartOrderTests(unittest.TestCase):
    def test_referenced_parts_and_dependencies_come_first(self) -> None:
        buildout = configuration("""
            [buildout]
            parts = b
            [a]
            recipe = fake
            [b]
            recipe = fake
            v = ${a:constructed}
            <part-dependencies> = c
            [c]
            recipe = fake
            [data]
            x = 1
        """)
        buildout["b"]
        self.assertEqual(buildout._parts, ["a", "c", "b"])
        self.assertEqual(buildout["b"]["v"], "yes")

    def test_sections_added_by_meta_recipes_become_parts(self) -> None:
        buildout = configuration("[x]\n")
        buildout["made"] = {"recipe": "fake", "number": 3}
        self.assertEqual(buildout._parts, ["made"])
        self.assertEqual(buildout["made"]["number"], "3")
        with self.assertRaises(KeyError):
            buildout["made"] = {}
        with self.assertRaises(NotImplementedError):
            del buildout["made"]
        self.assertEqual(buildout.get("nothing"), None)


if __name__ == "__main__":
    unittest.main()
