"""Upstream's own test fixtures that recipe authors' suites import: ``zc.buildout.tests``.

Some published recipes' suites import this module (most only import it)
and a few use ``normalize_bang`` or the sample distributions of
``easy_install_SetUp``: a link server on ``sample_eggs`` holding

- ``demoneeded`` 1.0, 1.1 and 1.2rc1, sdists of the module
  ``eggrecipedemoneeded`` (``y`` is 0, 1, 2);
- ``demo`` 0.1 to 0.3 and 0.4rc1, eggs of ``eggrecipedemo`` (``x`` is 1 to
  4) requiring ``demoneeded``, whose ``demo`` console script prints ``x``
  and ``y``;
- ``other`` 1.0 and ``du_zipped`` 1.0, eggs with a distutils script;
- ``mixedcase`` 0.5, an sdist of the project ``MIXEDCASE`` (its file name
  lower-cased), requiring ``demoneeded``;
- ``bigdemo`` 0.1, an egg requiring ``demo``;
- ``extdemo`` 1.4, an sdist of a C extension (``update_extdemo()`` adds
  1.5), and an empty ``index`` directory.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from typing import Any

from zc.buildout.testing import packages
from zc.buildout.testing.compat import buildoutSetUp
from zc.buildout.testing.files import write
from zc.buildout.testing.helpers import sdist
from zc.buildout.testing.installs import install_develop

__all__ = ["add_source_dist", "create_sample_eggs", "easy_install_SetUp", "normalize_bang"]

normalize_bang = (re.compile(re.escape(f"#!{sys.executable}") + "(?: -S)?"),
                  "#!/usr/local/bin/python2.7")
"""Shows the ``#!`` line of scripts for this Python as upstream's tests print it (without ``-S``)."""

_DISTUTILS_SCRIPT = (
    "#!/usr/bin/python\n"
    "# -*- coding: utf-8 -*-\n"
    '"""A script installed the distutils way."""\n'
    "import sys; sys.stdout.write('distutils!\\n')\n"
)

_EXTENSION_C = """\
#include <Python.h>
#include <extdemo.h>

static struct PyModuleDef definition = {PyModuleDef_HEAD_INIT, "extdemo", "", -1, NULL};

PyMODINIT_FUNC PyInit_extdemo(void)
{
    PyObject *module = PyModule_Create(&definition);
#ifdef TWO
    PyModule_AddObject(module, "val", PyLong_FromLong(2));
#else
    PyModule_AddObject(module, "val", PyLong_FromLong(EXTDEMO));
#endif
    return module;
}
"""

_EXTENSION_SETUP = """\
import os
from setuptools import Extension, setup

if os.environ.get('test_environment_variable'):
    print('Have environment test_environment_variable: %s' % os.environ['test_environment_variable'])

setup(name='extdemo', version='{version}', url='http://www.zope.org', author='Demo',
      author_email='demo@demo.com', ext_modules=[Extension('extdemo', ['extdemo.c'])])
"""


def create_sample_eggs(test: Any, executable: str = sys.executable) -> None:
    """Write the sample distributions (the module docstring lists them) into ``sample_eggs``."""
    dest = test.globs["sample_eggs"]
    for minor, suffix in ((0, ""), (1, ""), (2, "rc1")):
        packages.sdist(dest, "demoneeded", f"1.{minor}{suffix}", backend="setup.py", modules={
            "eggrecipedemoneeded.py": f"y={minor}\ndef f():\n  pass\n"})
    for name in ("other", "du_zipped"):
        packages.egg(dest, name, "1.0", modules={
            "eggrecipedemoneeded.py": "y=2\ndef f():\n  pass\n",
            "EGG-INFO/scripts/distutilsscript": _DISTUTILS_SCRIPT})
    for release, suffix in ((1, ""), (2, ""), (3, ""), (4, "rc1")):
        packages.egg(dest, "demo", f"0.{release}{suffix}", requires=["demoneeded"], modules={
            "eggrecipedemo.py": (
                "import eggrecipedemoneeded, sys\n"
                "def print_(*a):\n"
                "    sys.stdout.write(' '.join(map(str, a))+'\\n')\n"
                f"x={release}\n"
                "def main():\n"
                "   print_(x, eggrecipedemoneeded.y)\n")},
            entry_points={"console_scripts": {"demo": "eggrecipedemo:main"}})
    mixed = packages.sdist(dest, "MIXEDCASE", "0.5", backend="setup.py", requires=["demoneeded"],
                           modules={"mixedcase.py": "def f():\n  pass\n"})
    os.rename(mixed, os.path.join(dest, os.path.basename(mixed).lower()))
    packages.egg(dest, "bigdemo", "0.1", requires=["demo"], modules={"eggrecipebigdemo.py": "import eggrecipedemo\n"})


def add_source_dist(test: Any, version: str | float = 1.4) -> None:
    """Write an sdist of ``extdemo`` ``version`` (a C extension) into ``sample_eggs``."""
    if "extdemo" not in test.globs:
        test.globs["extdemo"] = test.globs["tmpdir"]("extdemo")
    project = test.globs["extdemo"]
    write(project, "extdemo.c", _EXTENSION_C)
    write(project, "setup.py", _EXTENSION_SETUP.format(version=version))
    write(project, "README", "")
    write(project, "MANIFEST.in", "include *.c\n")
    with tempfile.TemporaryDirectory() as built:
        sdist(project, built)
        for name in os.listdir(built):
            shutil.move(os.path.join(built, name), os.path.join(test.globs["sample_eggs"], name))


def easy_install_SetUp(test: Any) -> None:
    """:func:`~zc.buildout.testing.buildoutSetUp`, the sample distributions and a server for them.

    Adds the globals ``sample_eggs``, ``link_server`` (its URL) and
    ``update_extdemo``; zc.recipe.egg is registered in develop-eggs.
    """
    buildoutSetUp(test)
    sample_eggs = test.globs["sample_eggs"] = test.globs["tmpdir"]("sample_eggs")
    os.mkdir(os.path.join(sample_eggs, "index"))
    create_sample_eggs(test)
    add_source_dist(test)
    test.globs["link_server"] = test.globs["start_server"](sample_eggs)
    test.globs["update_extdemo"] = lambda: add_source_dist(test, 1.5)
    install_develop("zc.recipe.egg", test)
