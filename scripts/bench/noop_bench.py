"""Benchmark a no-op re-run: ``python scripts/bench/noop_bench.py [--parts N] [--runs N]``.

Builds a buildout with N parts (200 by default) of a cheap recipe from a
develop project, installs it, then times re-runs with nothing to do, for
this buildout and for upstream zc.buildout 6.0.1 (installed with pip into a
throwaway virtual environment, kept between runs of this script; network
needed the first time). Prints the median of each and their ratio.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv

UPSTREAM = "zc.buildout==6.0.1"

RECIPE = '''\
class Cheap:
    def __init__(self, buildout, name, options):
        self.options = options
        options.setdefault("path", buildout["buildout"]["parts-directory"] + "/" + name)

    def install(self):
        return ()

    def update(self):
        pass
'''

PYPROJECT = '''\
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "cheap-recipes"
version = "1.0"

[project.entry-points."zc.buildout"]
default = "cheap:Cheap"
'''


def make_buildout(directory: str, parts: int) -> None:
    os.makedirs(os.path.join(directory, "recipes"))
    with open(os.path.join(directory, "recipes", "cheap.py"), "w") as file:
        file.write(RECIPE)
    with open(os.path.join(directory, "recipes", "pyproject.toml"), "w") as file:
        file.write(PYPROJECT)
    names = [f"part{number}" for number in range(parts)]
    lines = ["[buildout]", "develop = recipes", "parts = " + " ".join(names), ""]
    for name in names:
        lines += [f"[{name}]", "recipe = cheap-recipes", "value = ${buildout:directory}", ""]
    with open(os.path.join(directory, "buildout.cfg"), "w") as file:
        file.write("\n".join(lines))


def upstream_buildout(cache: str) -> str:
    """The ``buildout`` script of upstream 6.0.1, installed into ``cache`` if needed."""
    script = os.path.join(cache, "bin", "buildout")
    if not os.path.exists(script):
        venv.create(cache, with_pip=True)
        subprocess.run([os.path.join(cache, "bin", "python"), "-m", "pip", "install",
                        "--quiet", UPSTREAM], check=True)
    return script


def timed_runs(command: list[str], directory: str, runs: int, env: dict[str, str]) -> list[float]:
    def run() -> float:
        start = time.perf_counter()
        completed = subprocess.run(command, cwd=directory, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if completed.returncode:
            sys.exit(f"{' '.join(command)} failed:\n{completed.stdout}{completed.stderr}")
        return elapsed

    run()  # install everything
    run()  # and once more, so both start from a settled directory
    return [run() for _ in range(runs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--upstream-venv",
                        default=os.path.join(tempfile.gettempdir(), "buildout-bench-upstream"))
    arguments = parser.parse_args()

    root = tempfile.mkdtemp(prefix="noop-bench-")
    try:
        env = dict(os.environ, HOME=os.path.join(root, "home"))
        # Both sides may keep their byte code: a real user's would.
        for name in ("BUILDOUT_HOME", "PYTHONDONTWRITEBYTECODE"):
            env.pop(name, None)
        ours_dir, upstream_dir = os.path.join(root, "ours"), os.path.join(root, "upstream")
        make_buildout(ours_dir, arguments.parts)
        make_buildout(upstream_dir, arguments.parts)
        ours = timed_runs([sys.executable, "-m", "zc.buildout", "-N"], ours_dir,
                          arguments.runs, env)
        theirs = timed_runs([upstream_buildout(arguments.upstream_venv), "-N"], upstream_dir,
                            arguments.runs, env)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    print(f"no-op re-run of {arguments.parts} parts, median of {arguments.runs} runs:")
    print(f"  this buildout:       {ours_median:.3f} s")
    print(f"  zc.buildout 6.0.1:   {theirs_median:.3f} s")
    print(f"  ratio:               {theirs_median / ours_median:.1f}x faster")


if __name__ == "__main__":
    main()
