"""Build the development environment: ``python3 scripts/dev_setup.py``.

Creates ``.venv`` with the running Python (3.10 or later) and installs this
project's two distributions, zc.buildout and zc.recipe.egg (from
``zc.recipe.egg_/``), into it in editable mode with their runtime
dependencies only. Then the buildout being developed runs on the
repository's ``buildout.cfg``, which installs the test dependencies at the
pinned versions and writes ``bin/test`` with zc.recipe.testrunner.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys
import venv

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"


def main() -> None:
    if sys.version_info < (3, 10):
        sys.exit("Buildout needs Python 3.10 or later.")
    if not VENV.exists():
        venv.create(VENV, with_pip=True)
    python = str(VENV / "bin" / "python")
    pip = [python, "-m", "pip", "--quiet", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "install", "-e", str(ROOT), "-e", str(ROOT / "zc.recipe.egg_")],
        check=True,
    )
    # Older Pythons seed every virtual environment with an old setuptools;
    # it is no runtime dependency, and build backends and the tests take
    # theirs from the buildout, at the version pinned there.
    subprocess.run([*pip, "uninstall", "--yes", "setuptools"], check=True,
                   stderr=subprocess.DEVNULL)
    completed = subprocess.run(
        [str(VENV / "bin" / "buildout"), "-c", str(ROOT / "buildout.cfg")],
        cwd=ROOT,
    )
    if completed.returncode:
        sys.exit(completed.returncode)


if __name__ == "__main__":
    main()
