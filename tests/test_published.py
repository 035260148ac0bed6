"""Every module path and name published recipes and tools use (shared/COMPAT.md) still imports."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tempfile
import unittest

PUBLISHED: dict[str, tuple[str, ...]] = {
    "zc.buildout": ("UserError", "__version__"),
    "zc.buildout.buildout": (
        "Buildout", "Options", "bool_option", "MissingOption", "MissingSection",
        "_buildout_default_options", "_default_globals", "main", "print_", "_dir_hash",
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
        "_execute_permission", "_constrained_requirement", "_distutils_script",
        "_get_matching_dist_in_location", "_move_to_eggs_dir_and_compile",
        "buildout_and_setuptools_dists", "buildout_and_setuptools_path",
        "check_namespace_init_file", "find_namespace_init_files",
    ),
    "zc.buildout.pep425tags": (
        "get_abbr_impl", "get_impl_ver", "get_impl_version_info", "get_abi_tag", "get_platform",
        "get_supported", "get_config_var",
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

    def test_buildout_module_makes_download_an_attribute(self) -> None:
        code = "import zc.buildout.buildout, zc.buildout; print(zc.buildout.download.Download.__name__)"
        output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        self.assertEqual(output.stdout, "Download\n")

    def test_version_conflict_of_one_message(self) -> None:
        from zc.buildout.legacy.stand_ins import pkg_resources

        self.assertEqual(str(pkg_resources.VersionConflict("demo 1.0 conflicts")), "demo 1.0 conflicts")

    def test_namespace_init_files(self) -> None:
        from zc.buildout import easy_install

        with tempfile.TemporaryDirectory() as tmp:
            for package, text in (("ns", "__import__('pkg_resources').declare_namespace(__name__)\n"),
                                  ("plain", "VALUE = 1\n")):
                os.makedirs(os.path.join(tmp, package))
                with open(os.path.join(tmp, package, "__init__.py"), "w") as file:
                    file.write(text)
            self.assertEqual(easy_install.find_namespace_init_files(tmp), [os.path.join(tmp, "ns", "__init__.py")])
            self.assertFalse(easy_install.check_namespace_init_file(os.path.join(tmp, "plain", "__init__.py")))

    def test_buildout_main_exits_with_the_status_of_a_failed_run(self) -> None:
        from zc.buildout import buildout

        with tempfile.TemporaryDirectory() as tmp, self.assertRaises(SystemExit) as raised:
            buildout.main(["-c", os.path.join(tmp, "missing.cfg"), "-q"])
        self.assertNotEqual(raised.exception.code, 0)
