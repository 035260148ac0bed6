"""Time ``buildout annotate`` on a large configuration: this buildout against upstream 6.0.1.

Run with the development environment's Python::

    .venv/bin/python scripts/bench/config_bench.py [--runs 7] [--upstream-venv DIR]

It writes a synthetic configuration into a temporary directory (1,000
sections, 5,000 ``${section:option}`` references, 20 files joined by
``extends``, some ``+=`` and conditional sections), installs upstream
zc.buildout 6.0.1 into a throwaway virtual environment with pip (this needs
the package index; give ``--upstream-venv`` to reuse one), runs both
``buildout -U annotate`` a few times each and prints the medians and their
ratio. The target is upstream/ours >= 3.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import venv

FILES = 20
SECTIONS = 1000
OPTIONS_PER_SECTION = 5
UPSTREAM = "zc.buildout==6.0.1"


def write_configuration(directory: str) -> None:
    """File k extends files 2k+1 and 2k+2 (a binary tree); file 0 is buildout.cfg."""
    per_file = SECTIONS // FILES
    for index in range(FILES):
        children = [f"part{child:02d}.cfg" for child in (2 * index + 1, 2 * index + 2) if child < FILES]
        lines = ["[buildout]"]
        if index == 0:
            lines.append("parts =")
        if children:
            lines.append("extends = " + " ".join(children))
        lines += ["", "[common]", f"files += part{index:02d}", ""]
        for number in range(index * per_file, (index + 1) * per_file):
            lines.append(f"[section{number}]")
            for option in range(OPTIONS_PER_SECTION):
                target = (number * 7 + option * 13 + 1) % SECTIONS
                lines.append(f"option{option} = value {number}.{option} ${{section{target}:option{option}}}")
            lines.append("")
        lines += [f"[section{index * per_file}: python3]", "conditional = yes", ""]
        name = "buildout.cfg" if index == 0 else f"part{index:02d}.cfg"
        with open(os.path.join(directory, name), "w", encoding="utf-8") as file:
            file.write("\n".join(lines))


def upstream_buildout(venv_directory: str | None, scratch: str) -> str:
    """The upstream ``buildout`` script, installing it first when needed."""
    if venv_directory is None:
        venv_directory = os.path.join(scratch, "upstream-venv")
    script = os.path.join(venv_directory, "bin", "buildout")
    if not os.path.exists(script):
        print(f"Installing {UPSTREAM} into {venv_directory} ...", flush=True)
        venv.create(venv_directory, with_pip=True)
        pip = [os.path.join(venv_directory, "bin", "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run(pip + [UPSTREAM], check=True)
    return script


def median_seconds(command: list[str], directory: str, runs: int) -> tuple[float, str]:
    """Median wall time of ``runs`` runs after one warm-up run, and the last output."""
    env = dict(os.environ, HOME=directory)
    env.pop("BUILDOUT_HOME", None)
    output = ""
    times = []
    for run in range(runs + 1):
        start = time.perf_counter()
        completed = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if completed.returncode:
            sys.exit(f"{' '.join(command)} failed:\n{completed.stdout}{completed.stderr}")
        output = completed.stdout
        if run:
            times.append(elapsed)
    return statistics.median(times), output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--upstream-venv", help="a virtual environment holding upstream zc.buildout")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="config-bench-") as scratch:
        project = os.path.join(scratch, "project")
        os.mkdir(project)
        write_configuration(project)
        upstream = upstream_buildout(arguments.upstream_venv, scratch)
        ours_time, ours_output = median_seconds(
            [sys.executable, "-m", "zc.buildout", "-U", "annotate"], project, arguments.runs
        )
        upstream_time, upstream_output = median_seconds(
            [upstream, "-U", "annotate"], project, arguments.runs
        )
    sections = [output.count("\n[") for output in (ours_output, upstream_output)]
    if sections[0] != sections[1]:
        sys.exit(f"The outputs differ: {sections[0]} sections against {sections[1]}.")
    print(f"configuration: {FILES} files, {SECTIONS} sections, "
          f"{SECTIONS * OPTIONS_PER_SECTION} substitutions ({sections[0]} sections annotated)")
    print(f"ours:     {ours_time * 1000:8.1f} ms (median of {arguments.runs})")
    print(f"upstream: {upstream_time * 1000:8.1f} ms (median of {arguments.runs})")
    print(f"upstream/ours: {upstream_time / ours_time:.1f}x (target: 3x or more)")


if __name__ == "__main__":
    main()
