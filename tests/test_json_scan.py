"""A pinned project's JSON page, scanned for one version: what decoding it whole gives, or nothing."""

from __future__ import annotations

import json
import unittest
from typing import Any

from packaging.version import Version

from zc.buildout.dists.find.json_scan import pinned_listing
from zc.buildout.dists.find.pages import json_listing


def entry(filename: str, first: bool = False, **extra: Any) -> dict[str, Any]:
    """A file entry as an index gives it; with ``first``, the ``extra`` keys come before the name."""
    usual = {"filename": filename, "hashes": {"sha256": "ab" * 32}, "requires-python": ">=3.8",
             "size": 123, "url": f"https://files.invalid/{filename}", "yanked": False}
    if first:
        return {**extra, **{key: value for key, value in usual.items() if key not in extra}}
    return {**usual, **extra}


FILES = [
    entry("demo-pkg-0.9.tar.gz"),
    entry("demo_pkg-1.0-py3-none-any.whl", **{"core-metadata": {"sha256": "cd" * 32},
                                              "data-dist-info-metadata": {"sha256": "cd" * 32}}, first=True),
    entry("demo_pkg-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
    entry("demo_pkg-1.0-1-cp311-cp311-win_amd64.whl", yanked="broken {see} }{ the notes", first=True),
    entry("demo-pkg-1.0.tar.gz"),
    entry("demo_pkg-1.0.0-py3-none-any.whl"),
    entry("demo_pkg-1.0+cpu-py3-none-any.whl"),
    entry("demo_pkg-1.1rc1-py3-none-any.whl"),
    entry("demo_pkg-1.0-py3.11.egg"),
    entry("demo_pkg-2.0-oops.whl"),
    entry("unrelated-notes.txt"),
    entry("demo_pkg-2.0-py3-none-any.whl"),
    entry("demo_pkg-1.0-py2-none-any.whl"),
]


def page(files: list[dict[str, Any]], **dumps: Any) -> bytes:
    return json.dumps({"meta": {"api-version": "1.1"}, "name": "demo-pkg", "files": files,
                       "versions": ["0.9", "1.0", "1.1rc1", "2.0"]}, **dumps).encode()


def decoded_whole(data: bytes, only: Version) -> dict[Version, list[Any]]:
    """What the page says of ``only``'s files when decoded whole, every version listed."""
    return {version: entries if version == only else [] for version, entries in json_listing(data, "demo-pkg").items()}


class PinnedListingTests(unittest.TestCase):
    def assert_as_decoded_whole(self, data: bytes) -> None:
        for text in ("0.9", "1.0", "1.0.0", "1.0+cpu", "1.1rc1", "2.0", "3.0"):
            only = Version(text)
            with self.subTest(only=text):
                scanned = pinned_listing(data, "demo-pkg", only)
                assert scanned is not None
                whole = decoded_whole(data, only)
                self.assertEqual(list(scanned), list(whole))
                self.assertEqual(json_listing(data, "demo-pkg", only), whole)
                self.assertEqual([entry["filename"] for entry in scanned.get(only, [])],
                                 [entry[1] for entry in whole.get(only, [])])

    def test_as_decoding_the_page_whole_gives(self) -> None:
        self.assert_as_decoded_whole(page(FILES))

    def test_compact_pages_too(self) -> None:
        self.assert_as_decoded_whole(page(FILES, separators=(",", ":")))

    def test_pages_written_with_characters_beyond_ascii_too(self) -> None:
        files = [entry("demo_pkg-1.0-py3-none-any.whl", yanked="cass\u00e9 \u2014 see the notes"), *FILES]
        self.assert_as_decoded_whole(page(files, ensure_ascii=False))

    def test_a_value_reading_like_a_name_key_leaves_the_page_to_decoding_it_whole(self) -> None:
        # A pinned entry is made text up to the next '"filename"': here a string value, within it.
        data = page([entry("demo_pkg-1.0-py3-none-any.whl", yanked="filename"), *FILES])
        self.assertIsNone(pinned_listing(data, "demo-pkg", Version("1.0")))
        self.assertEqual(json_listing(data, "demo-pkg", Version("1.0")), decoded_whole(data, Version("1.0")))
        # Where it is not in a pinned entry, it changes nothing.
        self.assert_as_decoded_whole(page([*FILES, entry("demo_pkg-4.0-py3-none-any.whl", yanked="filename")]))

    def test_the_pinned_version_has_its_entries_whole(self) -> None:
        scanned = pinned_listing(page(FILES), "demo-pkg", Version("1.0"))
        assert scanned is not None
        first = scanned[Version("1.0")][0]
        self.assertEqual(first, FILES[1])
        self.assertEqual(scanned[Version("1.0")][2]["yanked"], "broken {see} }{ the notes")

    def test_other_pages_are_left_to_decoding_them_whole(self) -> None:
        nameless = [*FILES, {"url": "https://files.invalid/demo_pkg-3.0-py3-none-any.whl"}]
        for data in (
            page([*FILES, entry("demo_pkg-3.0-py3-none-any-\u00e9.whl")]),  # a name with an escape
            page(nameless),
            page([*FILES, {**entry("demo_pkg-3.0-py3-none-any.whl"), "url": None}][::-1]),
            page([]),
            b"<html><body>not json</body></html>",
            b'{"files": 3}',
            b"\xff\xfe",
        ):
            with self.subTest(data=data[:60]):
                self.assertIsNone(pinned_listing(data, "demo-pkg", Version("3.0")))

    def test_whole_decoding_still_answers_for_them(self) -> None:
        nameless = [*FILES, {"url": "https://files.invalid/demo_pkg-3.0-py3-none-any.whl"}]
        listing = json_listing(page(nameless), "demo-pkg", Version("3.0"))
        self.assertEqual([entry[1] for entry in listing[Version("3.0")]], [None])
        with self.assertRaises(ValueError):
            json_listing(b'{"files": 3}', "demo-pkg", Version("1.0"))


if __name__ == "__main__":
    unittest.main()
