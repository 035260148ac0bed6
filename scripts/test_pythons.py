"""Run the test suite on every Python ``scripts/dev_setup.py`` prepared: ``bin/test [arguments]``.

``bin/test`` runs this. It runs ``bin/test-python`` (the suite on the
Python of ``.venv``) and then, one after the other, each
``.pythons/3.X/bin/test-python`` there is, oldest Python first, all with
the arguments given (``bin/test -t annotate`` runs those tests on every
Python). Then it says which Pythons ran and how each did; the exit status
is the first failure's, else 0. ``BUILDOUT_TEST_PYTHONS`` narrows the
choice: ``BUILDOUT_TEST_PYTHONS=3.12`` (or ``3.10,3.13``) runs only those,
``this`` only the Python of ``.venv``.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def environments() -> list[tuple[str, pathlib.Path, pathlib.Path]]:
    """``(version, test script, virtual environment)`` of every prepared Python, ``.venv``'s first."""
    found = [(ROOT / "bin" / "test-python", ROOT / ".venv")]
    others = ROOT / ".pythons"
    if others.is_dir():
        found += [(place / "bin" / "test-python", place / "venv")
                  for place in sorted(others.iterdir(), key=_minor)]
    return [(_version(venv), script, venv) for script, venv in found if script.exists()]


def _minor(place: pathlib.Path) -> tuple[int, ...]:
    return tuple(int(part) for part in place.name.split(".") if part.isdigit())


def _version(venv: pathlib.Path) -> str:
    """The full version of a virtual environment's Python, from its ``pyvenv.cfg``."""
    for line in (venv / "pyvenv.cfg").read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("version", "version_info"):
            return ".".join(value.strip().split(".")[:3])
    return "?"


def chosen(found: list[tuple[str, pathlib.Path, pathlib.Path]], wanted: str
           ) -> list[tuple[str, pathlib.Path, pathlib.Path]]:
    """The environments ``BUILDOUT_TEST_PYTHONS`` asks for (all when it is empty)."""
    if not wanted.strip():
        return found
    if wanted.strip() == "this":
        return found[:1]
    minors = {item.strip() for item in wanted.split(",")}
    return [entry for entry in found if ".".join(entry[0].split(".")[:2]) in minors]


def main(arguments: list[str]) -> int:
    found = chosen(environments(), os.environ.get("BUILDOUT_TEST_PYTHONS", ""))
    if not found:
        print("No Python to test with: run python3 scripts/dev_setup.py first"
              " (or check BUILDOUT_TEST_PYTHONS).", file=sys.stderr)
        return 1
    outcomes = []
    for version, script, _ in found:
        print(f"==== The suite on Python {version} ({script.relative_to(ROOT)}) ====", flush=True)
        outcomes.append((version, script, subprocess.run([str(script), *arguments]).returncode))
    print("\nPythons tested:")
    for version, script, status in outcomes:
        said = "passed" if status == 0 else f"failed (exit status {status})"
        print(f"  Python {version}: {said}")
    return next((status for _, _, status in outcomes if status), 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
