"""Every module path and name published recipes and tools use (shared/COMPAT.md) still imports."""

from __future__ import annotations

import importlib
import unittest

PUBLISHED: dict[str, tuple[str, ...]] = {
    "zc.buildout": ("UserError", "__version__"),
    "zc.buildout.buildout": (
        "Buildout", "Options", "bool_option", "MissingOption", "MissingSection",
        "_buildout_default_options", "_default_globals",
    ),
    "zc.buildout.configparser": ("parse", "ParsingError", "MissingSectionHeaderError", "Error"),
    "zc.buildout.download": (
        "Download", "ChecksumError", "DownloadError", "check_md5sum", "locate_at", "remove",
        "unpack_archive", "UnrecognizedFormat",
    ),
    "zc.buildout.easy_install": (
        "install", "working_set", "scripts", "build", "develop", "default_versions",
        "sort_working_set", "Installer", "VersionConflict", "MissingDistribution",
        "IncompatibleConstraintError", "prefer_final", "allow_picked_versions", "index_url",
        "download_cache", "install_from_cache", "get_picked_versions", "use_dependency_links",
        "store_required_by", "clear_index_cache", "normalize_versions",
        "_relativitize", "_safe_arg", "script_template", "script_header", "logger",
    ),
    "zc.buildout.rmtree": ("rmtree",),
    "zc.buildout.testrecipes": ("Debug",),
    "zc.buildout.testing": (
        "buildoutSetUp", "buildoutTearDown", "install", "install_develop", "normalize_path",
        "normalize_script", "normalize_egg_py", "normalize_endings", "not_found",
        "system", "write", "cat", "ls", "mkdir", "remove", "rmdir", "get", "print_", "read",
        "eqs", "clear_here", "run_buildout", "run_buildout_in_process", "sdist", "bdist_wheel",
        "bdist_egg", "wait_until", "Buildout",
    ),
    "zc.recipe.egg": ("Egg", "Eggs", "Scripts", "Custom", "Develop"),
    "zc.recipe.egg.egg": ("Egg", "Eggs", "Scripts"),
}

PRIVATE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "zc.buildout.buildout:Buildout": (
        "_read_installed_part_options", "_log_level", "_links", "_allow_hosts", "install",
        "bootstrap", "print_options",
    ),
    "zc.buildout.buildout:Options": ("_sub", "get", "setdefault", "copy", "keys", "items", "created"),
    "zc.buildout.easy_install:Installer": ("_get_dist", "install", "build"),
    "zc.recipe.egg:Egg": ("working_set",),
}


class PublishedNamesTests(unittest.TestCase):
    def test_published_modules_and_names(self) -> None:
        missing = [
            f"{module}.{name}"
            for module, names in PUBLISHED.items()
            for name in names
            if not hasattr(importlib.import_module(module), name)
        ]
        self.assertEqual(missing, [])

    def test_private_names_recipes_use(self) -> None:
        missing = []
        for where, names in PRIVATE_ATTRIBUTES.items():
            module, _, cls = where.partition(":")
            found = getattr(importlib.import_module(module), cls)
            missing += [f"{where}.{name}" for name in names if not hasattr(found, name)]
        self.assertEqual(missing, [])

    def test_stand_ins_import_under_their_names(self) -> None:
        for module in ("zc.buildout.legacy.stand_ins.pkg_resources",
                       "zc.buildout.legacy.stand_ins.setuptools.archive_util"):
            with self.subTest(module):
                importlib.import_module(module)
