"""The installation database: upstream's format, read and written exactly."""

from __future__ import annotations

import os
import tempfile
import unittest

from hypothesis import given, settings, strategies

from zc.buildout.run.database import InstalledDatabase, decode_value, encode_value, read_sections

# What zc.buildout 6 leaves behind after installing two parts, then removing
# one: it appends a new [buildout] section rather than rewriting the file.
UPSTREAM_6 = """\
[buildout]
installed_develop_eggs = /sample-buildout/develop-eggs/demo.egg-link
\t/sample-buildout/develop-eggs/__editable__.demo-1.0.pth
\t/sample-buildout/develop-eggs/demo-1.0.dist-info
parts = data-dir debug

[data-dir]
__buildout_installed__ = /sample-buildout/mystuff
__buildout_signature__ = demo-1b0a0f3e5ed54d2d5ef8a9e3a4b9f6c2
path = /sample-buildout/mystuff
recipe = demo:mkdir

[debug]
__buildout_installed__ = 
__buildout_signature__ = zc.buildout-6.0.1-py3.11.egg setuptools-80.9.0-py3.11.egg
block = l1
\t%(__buildout_space_n__)s%(__buildout_space__)s%(__buildout_space__)sl2
\tl3
indented = %(__buildout_space__)s%(__buildout_space__)sleading and trailing%(__buildout_space__)s
literal = $${not} 100% %(other)s
recipe = zc.buildout:debug
starts-blank = %(__buildout_space_n__)sfirst

[buildout]
parts = data-dir
"""


class UpstreamFileTests(unittest.TestCase):
    def setUp(self) -> None:
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.path = os.path.join(directory.name, ".installed.cfg")
        with open(self.path, "w") as file:
            file.write(UPSTREAM_6)

    def test_reads_parts_develop_eggs_and_options(self) -> None:
        database = InstalledDatabase(self.path)
        self.assertTrue(database.exists)
        # The appended [buildout] section wins for parts; develop eggs carry over.
        self.assertEqual(database.parts, ["data-dir"])
        self.assertEqual(database.develop_eggs, [
            "/sample-buildout/develop-eggs/demo.egg-link",
            "/sample-buildout/develop-eggs/__editable__.demo-1.0.pth",
            "/sample-buildout/develop-eggs/demo-1.0.dist-info",
        ])
        self.assertEqual(database.options("data-dir"), {
            "__buildout_installed__": "/sample-buildout/mystuff",
            "__buildout_signature__": "demo-1b0a0f3e5ed54d2d5ef8a9e3a4b9f6c2",
            "path": "/sample-buildout/mystuff",
            "recipe": "demo:mkdir",
        })
        self.assertEqual(database.installed_paths("data-dir"), ["/sample-buildout/mystuff"])

    def test_whitespace_tokens_are_decoded(self) -> None:
        debug = read_sections(UPSTREAM_6)["debug"]
        self.assertEqual(debug["block"], "l1\n\n  l2\nl3")
        self.assertEqual(debug["indented"], "  leading and trailing ")
        self.assertEqual(debug["literal"], "$${not} 100% %(other)s")
        self.assertEqual(debug["starts-blank"], "\nfirst")
        self.assertEqual(debug["__buildout_installed__"], "")

    def test_rewriting_keeps_the_format(self) -> None:
        database = InstalledDatabase(self.path)
        database.record("debug", read_sections(UPSTREAM_6)["debug"])
        database.save()
        with open(self.path) as file:
            text = file.read()
        # Byte for byte what upstream wrote before it appended the last section.
        self.assertEqual(text, UPSTREAM_6.split("\n[buildout]\nparts = data-dir\n")[0])
        self.assertEqual(InstalledDatabase(self.path).as_sections()["debug"]["block"], "l1\n\n  l2\nl3")

    def test_nothing_installed_removes_the_file(self) -> None:
        database = InstalledDatabase(self.path)
        database.forget("data-dir")
        database.develop_eggs = []
        database.save()  # during a run it stays, empty: recipes may read it (as upstream's)
        self.assertEqual(InstalledDatabase(self.path).parts, [])
        database.save(final=True)
        self.assertFalse(os.path.exists(self.path))


class EncodingTests(unittest.TestCase):
    def test_examples(self) -> None:
        self.assertEqual(encode_value("a\nb"), "a\n\tb")
        self.assertEqual(encode_value(" a "), "%(__buildout_space__)sa%(__buildout_space__)s")
        self.assertEqual(encode_value("a\n"), "a%(__buildout_space_n__)s")
        self.assertEqual(encode_value("a \n b"), "a%(__buildout_space__)s\n\t%(__buildout_space__)sb")
        self.assertEqual(encode_value("a\r\nb"), "a%(__buildout_space_r__)s\n\tb")
        self.assertEqual(decode_value("x%(__buildout_space_f__)s%(__buildout_space_v__)s"), "x\f\v")
        self.assertEqual(read_sections("[p]\na = 0\n\t\t\n")["p"], {"a": "0\n\t"})

    @settings(deadline=None)  # a loaded machine must not fail it
    @given(strategies.dictionaries(
        strategies.from_regex(r"[a-z][a-z0-9_.<>-]{0,8}", fullmatch=True),
        strategies.text(strategies.characters(blacklist_categories=("Cs",)), max_size=30),
    ))
    def test_any_value_round_trips(self, options: dict[str, str]) -> None:
        options = {key: value for key, value in options.items() if "%(__buildout_space" not in value}
        database = InstalledDatabase(None)
        database.record("part", options)
        text = database._text()
        self.assertEqual(read_sections(text)["part"], options)


if __name__ == "__main__":
    unittest.main()
