"""Build the development environment: ``python3 scripts/dev_setup.py``.

Creates ``.venv`` with the running Python (3.10 or later), installs this
project (zc.buildout, with its test dependencies, and zc.recipe.egg from
``zc.recipe.egg_/``) into it in editable mode, and writes ``bin/test``, which runs the whole test suite with zope.testrunner.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import venv

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"

TEST_SCRIPT = """\
#!{python}
\"\"\"Run every test of the project (docs pages and tests/).\"\"\"
import sys

import zope.testrunner

sys.exit(zope.testrunner.run([
    "--path", {root!r}, "--package", "tests", "--auto-color",
] + sys.argv[1:]))
"""


def main() -> None:
    if sys.version_info < (3, 10):
        sys.exit("Buildout needs Python 3.10 or later.")
    if not VENV.exists():
        venv.create(VENV, with_pip=True)
    python = VENV / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet",
         "-e", f"{ROOT}[test]", "-e", str(ROOT / "zc.recipe.egg_")],
        check=True,
    )
    bin_directory = ROOT / "bin"
    bin_directory.mkdir(exist_ok=True)
    test = bin_directory / "test"
    test.write_text(TEST_SCRIPT.format(python=python, root=str(ROOT)))
    test.chmod(0o755)
    print(f"Generated script '{test}'.")


if __name__ == "__main__":
    main()
