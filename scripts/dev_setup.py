"""Build the development environment: ``python3 scripts/dev_setup.py``.

Creates ``.venv`` with the running Python (3.10 or later) and installs this
project's two distributions, zc.buildout and zc.recipe.egg (from
``zc.recipe.egg_/``), into it in editable mode with their runtime
dependencies only. Then the buildout being developed runs on the
repository's ``buildout.cfg``, which installs the test dependencies at the
pinned versions and writes ``bin/test-python`` with zc.recipe.testrunner.

Every other Python the project supports that this machine has (on ``PATH``
as ``python3.X``, or a pyenv version) gets the same, in
``.pythons/3.X/``: a virtual environment, and a buildout run of
``buildout.cfg`` whose scripts, parts, develop-eggs and installation
database go there (the eggs directory is shared: eggs are named by
Python). Finally ``bin/test`` is written: it runs ``scripts/test_pythons.py``,
which runs the suite on each of these Pythons in turn.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import sys
import venv

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHONS = ROOT / ".pythons"
"""One directory per other Python: ``.pythons/3.12/{venv,bin,parts,develop-eggs}``."""
SUPPORTED = ((3, 10), (3, 11), (3, 12), (3, 13))

_LAUNCHER = """\
#!/bin/sh
# Written by scripts/dev_setup.py: the suite on every Python it prepared.
exec "{python}" "{runner}" "$@"
"""


def main() -> None:
    if sys.version_info < (3, 10):
        sys.exit("Buildout needs Python 3.10 or later.")
    if not VENV.exists():
        venv.create(VENV, with_pip=True)
    develop(VENV / "bin" / "python", [])
    running = sys.version_info[:2]
    for version, python in other_pythons(running):
        place = PYTHONS / f"{version[0]}.{version[1]}"
        print(f"Preparing Python {version[0]}.{version[1]} ({python}) in {place.relative_to(ROOT)}.",
              flush=True)
        if not (place / "venv").exists():
            subprocess.run([python, "-m", "venv", str(place / "venv")], check=True)
        develop(place / "venv" / "bin" / "python", [
            f"bin-directory={place / 'bin'}",
            f"parts-directory={place / 'parts'}",
            f"develop-eggs-directory={place / 'develop-eggs'}",
            f"installed={place / '.installed.cfg'}",
        ])
    launcher = ROOT / "bin" / "test"
    launcher.write_text(_LAUNCHER.format(python=VENV / "bin" / "python",
                                         runner=ROOT / "scripts" / "test_pythons.py"))
    launcher.chmod(0o755)


def develop(python: pathlib.Path, assignments: list[str]) -> None:
    """Install the project editable with ``python``, then run buildout.cfg with ``assignments``."""
    pip = [str(python), "-m", "pip", "--quiet", "--disable-pip-version-check"]
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
        [str(python.parent / "buildout"), "-c", str(ROOT / "buildout.cfg"), *assignments],
        cwd=ROOT,
    )
    if completed.returncode:
        sys.exit(completed.returncode)


def other_pythons(running: tuple[int, ...]) -> list[tuple[tuple[int, int], str]]:
    """The supported Pythons besides ``running`` this machine has: ``((3, 12), path)``, oldest first."""
    found: dict[tuple[int, int], str] = {}
    for version in SUPPORTED:
        if version == running:
            continue
        for candidate in _candidates(version):
            if _version_of(candidate) == version:
                found[version] = candidate
                break
    return sorted(found.items())


def _candidates(version: tuple[int, int]) -> list[str]:
    """Where Python ``version`` may be: ``python3.X`` on PATH, then the newest pyenv version."""
    candidates = []
    on_path = shutil.which(f"python{version[0]}.{version[1]}")
    if on_path:
        candidates.append(on_path)
    pyenv = shutil.which("pyenv")
    if pyenv:
        listed = subprocess.run([pyenv, "versions", "--bare"], capture_output=True, text=True).stdout
        pattern = re.compile(rf"^{version[0]}\.{version[1]}\.(\d+)$")
        patches = sorted((int(match[1]), line) for line in listed.split()
                         if (match := pattern.match(line)))
        if patches:
            prefix = subprocess.run([pyenv, "prefix", patches[-1][1]], capture_output=True,
                                    text=True).stdout.strip()
            candidates.append(os.path.join(prefix, "bin", "python3"))
    return candidates


def _version_of(python: str) -> tuple[int, int] | None:
    """The version a Python says it is (``None`` if it does not run: a pyenv shim of another version)."""
    try:
        completed = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True, text=True, timeout=60)
    except OSError:
        return None
    if completed.returncode:
        return None
    major, minor = completed.stdout.split()
    return int(major), int(minor)


if __name__ == "__main__":
    main()
