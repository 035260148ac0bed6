"""Benchmark installing a pinned set: ``python scripts/bench/install_bench.py [scenario ...]``.

For each scenario (``small``, ``medium``, ``large``, and ``binary``, a few
large binary wheels such as numpy, pandas and pyarrow: pinned sets of real
distributions in ``scenarios/``), installs the same pins with this buildout
and with upstream zc.buildout 6.0.1 (the same buildout: one ``zc.recipe.egg``
part with an interpreter), and with ``uv pip install``, each in a throwaway
virtual environment this script creates with pip (kept in ``--work`` between
invocations; this tree is reinstalled into its environment each time), and
times:

- cold: empty eggs directory (or target environment) and empty caches;
- warm: eggs directory (or target environment) removed, caches kept;

(buildout's caches are its download cache and its working state, kept
under ``XDG_CACHE_HOME``: both live in the tool's cache directory, as uv's
cache does);
- no-op: everything installed, run again (``NOOP_RUNS`` times a round).

Beside the times, the table shows the peak memory of the cold runs: that
of the tool's process and its workers together (their proportional set
sizes summed, sampled every 20 ms, the largest sum seen), and the largest
maximum resident set size of any one process (the kernel's own figure,
which ``/usr/bin/time -v`` reports).

Buildout byte-compiles what it installs by default, as pip does; ``ours-nopyc``
is this buildout with ``byte-compile = false``. ``uv-pyc`` is uv byte-compiling
(``--compile-bytecode``); plain ``uv`` does not compile. Like is compared with
like: ours with uv-pyc, ours-nopyc with uv.

``--baseline DIR`` adds the buildout of another checkout (an earlier
commit, say) as the tools ``base`` and ``base-nopyc``, so that before and
after are measured in one invocation, under the same load.

All of them use the same index: the one this buildout would use by default
(pip's configuration, else pip's own default). Network access to it is
needed. Prints the median of ``--runs`` runs of each, and the ratios. The
tools take turns, a scenario at a time: each round runs every tool once
(cold, warm, no-op), so that a machine whose speed moves (a virtual one's
does, by half within minutes) slows all of them alike, rather than the
runs of whichever tool it was timing then; and each round starts with the
next tool, so that none always runs after the same one. A tool that
fails (upstream sometimes does) has its output shown and its failed runs
counted; the table still reports every run that finished.

What a run removes is renamed into a trash directory, deleted only once
every run of the invocation is over. On ext4 without a journal (this
machine's), the kernel will not reuse an inode freed less than 60 seconds
ago, or 360 while its inode table block is dirty (which creating files in
that block makes it), and looks past every such inode when it creates a
file. A run after a big deletion then spends seconds of system time
creating its files: after another tool's 187,000 files were deleted, this
buildout installed the large set in 11.3 to 12.6 s for 4 minutes, and in
5.8 to 6.6 s from the fifth minute on (7.0 to 7.2 s just before the
deletion). Deleting between the tools would time the previous tool's
deletion rather than the tool; the trash (a few gigabytes for the large
set) waits instead, and an invocation starting less than 400 seconds
after the last one emptied it waits that long first.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
import venv

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
UPSTREAM = ["zc.buildout==6.0.1", "zc.recipe.egg"]


MODES = ("cold", "warm", "no-op")

NOOP_RUNS = 5
"""No-op runs a round times (each is timed): one lasts about as long as this
machine's pauses, so a single one says more about the machine than the tool."""


class RunFailed(Exception):
    """A command under test (or preparing for one) exited with an error."""


def run(argv: list[str], cwd: pathlib.Path | None = None, env: dict[str, str] | None = None,
        quiet: bool = True) -> Timed:
    """Run ``argv``; return how long it took and its memory. A failure shows its output and raises RunFailed."""
    start = time.perf_counter()
    with subprocess.Popen(argv, cwd=cwd, env={**os.environ, **(env or {})},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        sampler = TreeMemory(process.pid)
        sampler.start()
        assert process.stdout is not None
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        sampler.stop()
    if process.returncode or not quiet:
        print(output[-5000:])
    if process.returncode:
        raise RunFailed(f"exit status {process.returncode}: {' '.join(argv)}")
    return Timed(elapsed, sampler.peak / 2**20, usage.ru_maxrss / 2**10)


@dataclasses.dataclass
class Timed:
    """What one command cost."""

    seconds: float
    tree_mb: float
    """The peak of the summed proportional set sizes of the process and its descendants (sampled)."""
    process_mb: float
    """The largest maximum resident set size of the process or one of its descendants,
    as ``/usr/bin/time -v`` reports it (exact, from the kernel)."""


class TreeMemory(threading.Thread):
    """Samples the memory of a process and its descendants together, keeping the peak.

    The kernel keeps only each process's own peak; the peak of the sum (a
    main process and its workers at once) has to be watched for. Each
    process counts its proportional set size (PSS): pages shared with
    another process (a child forked but not yet running its own program,
    the interpreter's libraries) are split between them rather than counted
    twice. Reading a few ``/proc`` files every 20 ms costs next to nothing.
    """

    INTERVAL = 0.02

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.INTERVAL):
            self.peak = max(self.peak, sum(_pss(pid) for pid in _tree(self.pid)))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants still running."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as file:
                    pending += [int(child) for child in file.read().split()]
        except OSError:
            continue
    return found


def _pss(pid: int) -> int:
    """The proportional set size of ``pid`` in bytes (its resident size where the kernel has no
    ``smaps_rollup``; 0 once it is gone)."""
    for path, field in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            with open(path) as file:
                for line in file:
                    if line.startswith(field):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError):
            continue
    return 0


def make_venv(path: pathlib.Path, *requirements: str, constraints: pathlib.Path | None = None) -> None:
    if (path / "bin" / "python").exists():
        return
    print(f"Creating {path.name} ...", flush=True)
    venv.create(path, with_pip=True)
    extra = ["-c", str(constraints)] if constraints else []
    run([str(path / "bin" / "python"), "-m", "pip", "install", "-q", *requirements, *extra])


def pins(scenario: str) -> list[str]:
    lines = (HERE / "scenarios" / scenario / "requirements.txt").read_text().splitlines()
    return [line.strip() for line in lines if "==" in line and not line.lstrip().startswith("#")]


def eggs(scenario: str) -> list[str]:
    lines = (HERE / "scenarios" / scenario / "requirements.in").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def installed_versions(python: pathlib.Path) -> dict[str, str]:
    output = subprocess.run([str(python), "-m", "pip", "list", "--format", "json"],
                            stdout=subprocess.PIPE, text=True, check=True).stdout
    return {entry["name"]: entry["version"] for entry in json.loads(output)}


class Trash:
    """Where removed trees wait, so that no deletion happens while tools are timed."""

    SETTLE = 360.0 + 40.0
    """Seconds after a deletion before a run is timed: how long the kernel treats freed inodes as
    recently deleted (at most), and a margin."""

    def __init__(self, work: pathlib.Path) -> None:
        self.directory = work / "trash"
        self._emptied = work / "trash-emptied"
        """When the trash was last emptied (seconds since the epoch)."""

    def discard(self, path: pathlib.Path) -> None:
        if path.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            path.rename(self.directory / uuid.uuid4().hex)

    def empty(self) -> None:
        if self.directory.exists():
            shutil.rmtree(self.directory)
            self._emptied.write_text(f"{time.time()}\n")

    def settle(self) -> None:
        """Wait until what was last deleted no longer slows creating files."""
        try:
            emptied = float(self._emptied.read_text())
        except (OSError, ValueError):
            return
        wait = emptied + self.SETTLE - time.time()
        if wait > 0:
            print(f"Waiting {wait:.0f} s: the last invocation's deletions would slow creating files.",
                  flush=True)
            time.sleep(wait)


class Tool:
    """One installer under test, in its own directory."""

    name = ""

    def __init__(self, work: pathlib.Path, scenario: str, index: str, trash: Trash) -> None:
        self.work = work
        self.scenario = scenario
        self.index = index
        self.trash = trash
        self.directory = work / "runs" / scenario / self.name
        self.cache = self.directory / "cache"

    def prepare(self) -> None:
        raise NotImplementedError

    def reset(self, keep_cache: bool) -> None:
        raise NotImplementedError

    def install(self) -> Timed:
        raise NotImplementedError


class BuildoutTool(Tool):
    """A buildout directory; subclasses say how to run it."""

    settings: tuple[str, ...] = ()
    """More ``[buildout]`` lines."""
    venv: pathlib.Path
    """The tool's environment, made by :meth:`prepare`."""

    def write_config(self, extra_pins: dict[str, str]) -> None:
        lines = [
            "[buildout]", "parts = app", f"index = {self.index}", f"download-cache = {self.cache}",
            "allow-picked-versions = false", *self.settings, "", "[app]", "recipe = zc.recipe.egg",
            "interpreter = py", "eggs =", *(f"    {egg}" for egg in eggs(self.scenario)),
            "", "[versions]",
        ]
        lines += [pin.replace("==", " = ", 1) for pin in pins(self.scenario)]
        lines += [f"{name} = {version}" for name, version in extra_pins.items()]
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "buildout.cfg").write_text("\n".join(lines) + "\n")

    def own_pins(self, names: tuple[str, ...]) -> dict[str, str]:
        """Pins for the tool's own distributions, as its environment has them."""
        own = installed_versions(self.venv / "bin" / "python")
        pinned = {pin.split("==")[0].lower() for pin in pins(self.scenario)}
        return {name: version for name, version in own.items()
                if name.lower() in names and name.lower() not in pinned}

    def install(self) -> Timed:
        env = {"PIP_CACHE_DIR": str(self.cache / "pip"), "XDG_CACHE_HOME": str(self.cache / "state")}
        return run([str(self.venv / "bin" / "buildout")], cwd=self.directory, env=env)

    def reset(self, keep_cache: bool) -> None:
        for name in ("eggs", "develop-eggs", "bin", "parts", ".installed.cfg"):
            self.trash.discard(self.directory / name)
        if not keep_cache:
            self.trash.discard(self.cache)
        self.cache.mkdir(parents=True, exist_ok=True)


class Ours(BuildoutTool):
    name = "ours"
    root = ROOT
    """The source tree of the buildout under test."""

    def prepare(self) -> None:
        self.venv = self.work / f"venv-{self.name.split('-')[0]}-{self.scenario}"
        constraints = HERE / "scenarios" / self.scenario / "requirements.txt"
        recipe = str(self.root / "zc.recipe.egg_")
        make_venv(self.venv, str(self.root), recipe, constraints=constraints)
        # The environment is kept between invocations; the code under test is the tree's.
        run([str(self.venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
             "--force-reinstall", str(self.root), recipe])
        self.write_config({})


class OursUncompiled(Ours):
    """This buildout leaving byte-compiling to Python, as plain uv does."""

    name = "ours-nopyc"
    settings = ("byte-compile = false",)


def baseline(root: pathlib.Path) -> dict[str, type[Tool]]:
    """``base`` and ``base-nopyc``: the buildout of another source tree (an earlier commit, say)."""

    class Base(Ours):
        name = "base"

    class BaseUncompiled(Base):
        name = "base-nopyc"
        settings = OursUncompiled.settings

    Base.root = root
    return {"base": Base, "base-nopyc": BaseUncompiled}


class Upstream(BuildoutTool):
    name = "upstream"

    def prepare(self) -> None:
        self.venv = self.work / "venv-upstream"
        make_venv(self.venv, *UPSTREAM)
        # Upstream pins its own tool chain too (it may upgrade itself otherwise).
        self.write_config(self.own_pins(("zc.buildout", "zc.recipe.egg", "setuptools", "pip", "wheel")))


class UV(Tool):
    name = "uv"
    options: tuple[str, ...] = ()

    def prepare(self) -> None:
        self.venv = self.work / "venv-uv"
        make_venv(self.venv, "uv")
        self.uv = str(self.venv / "bin" / "uv")
        self.target = self.directory / "target"
        self.requirements = HERE / "scenarios" / self.scenario / "requirements.txt"

    def reset(self, keep_cache: bool) -> None:
        if not keep_cache:
            self.trash.discard(self.cache)
        self.trash.discard(self.target)
        run([self.uv, "venv", "-q", "--python", sys.executable, str(self.target)])

    def install(self) -> Timed:
        return run([self.uv, "pip", "install", "-q", "--python", str(self.target / "bin" / "python"),
                    "--index-url", self.index, "-r", str(self.requirements), *self.options],
                   env={"UV_CACHE_DIR": str(self.cache)})


class UVCompiled(UV):
    """uv byte-compiling what it installs, as buildout (and pip) do."""

    name = "uv-pyc"
    options = ("--compile-bytecode",)


@dataclasses.dataclass
class Measured:
    """One tool's timings on one scenario, the memory of its cold runs, and how many runs failed."""

    times: dict[str, list[float]] = dataclasses.field(default_factory=lambda: {mode: [] for mode in MODES})
    tree_mb: list[float] = dataclasses.field(default_factory=list)
    process_mb: list[float] = dataclasses.field(default_factory=list)
    failed: int = 0

    def median(self, mode: str) -> float | None:
        return statistics.median(self.times[mode]) if self.times[mode] else None


def measure(tools: list[Tool], runs: dict[str, int]) -> dict[str, Measured]:
    """Time ``runs[tool.name]`` runs of each of ``tools`` (one scenario), taking turns: each round runs
    every tool once, so that the machine's moods fall on all of them alike, each round starting with
    the next tool, so that none always follows the same one (whose writes the kernel is still
    writing back)."""
    measured = {tool.name: Measured() for tool in tools}
    ready = []
    for tool in tools:
        try:
            tool.prepare()
        except RunFailed as error:
            print(f"  {tool.scenario} {tool.name} could not be prepared: {error}", flush=True)
            measured[tool.name].failed = runs[tool.name]
        else:
            ready.append(tool)
    for number in range(max(runs.values(), default=0)):
        turn = number % len(ready) if ready else 0
        for tool in ready[turn:] + ready[:turn]:
            if number < runs[tool.name]:
                print(f"  {tool.scenario} {tool.name} run {number + 1}/{runs[tool.name]}", flush=True)
                run_once(tool, measured[tool.name], number)
    return measured


def run_once(tool: Tool, measured: Measured, number: int) -> None:
    """Time one cold and one warm run of ``tool``, and its no-op runs, into ``measured``."""
    try:
        tool.reset(keep_cache=False)
        cold = tool.install()
        tool.reset(keep_cache=True)
        warm = tool.install()
        noops = [tool.install() for _ in range(NOOP_RUNS)]
    except RunFailed as error:
        print(f"  {tool.scenario} {tool.name} run {number + 1} failed: {error}", flush=True)
        measured.failed += 1
        return
    measured.times["cold"].append(cold.seconds)
    measured.times["warm"].append(warm.seconds)
    measured.times["no-op"] += [noop.seconds for noop in noops]
    measured.tree_mb.append(cold.tree_mb)
    measured.process_mb.append(cold.process_mb)


def default_index(work: pathlib.Path) -> str:
    """The index this buildout uses by default, asked of it (no host names here)."""
    probe = work / "venv-ours-probe"
    make_venv(probe, str(ROOT))
    code = "from zc.buildout.dists.settings import default_index; print(default_index())"
    return subprocess.run([str(probe / "bin" / "python"), "-c", code],
                          stdout=subprocess.PIPE, text=True, check=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenarios", nargs="*", default=["small", "medium"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--upstream-runs", type=int, default=1,
                        help="runs for upstream zc.buildout, which is slow (default 1)")
    parser.add_argument("--tools", default="ours,ours-nopyc,upstream,uv,uv-pyc")
    parser.add_argument("--baseline", help="another checkout of this buildout, measured as the tools"
                        " base and base-nopyc (add them to --tools): before and after in one invocation")
    parser.add_argument("--work", default=os.path.join(os.path.expanduser("~"), ".cache",
                                                        "buildout-install-bench"))
    options = parser.parse_args()
    work = pathlib.Path(options.work)
    work.mkdir(parents=True, exist_ok=True)
    index = default_index(work)
    print(f"Index: {index}")
    classes: dict[str, type[Tool]] = {"ours": Ours, "ours-nopyc": OursUncompiled,
                                      "upstream": Upstream, "uv": UV, "uv-pyc": UVCompiled}
    if options.baseline:
        classes.update(baseline(pathlib.Path(options.baseline).resolve()))
    trash = Trash(work)
    trash.settle()
    results: dict[tuple[str, str], Measured] = {}
    try:
        for scenario in options.scenarios:
            names = options.tools.split(",")
            runs = {name: options.upstream_runs if name == "upstream" else options.runs for name in names}
            measured = measure([classes[name](work, scenario, index, trash) for name in names], runs)
            results.update(((scenario, name), measured[name]) for name in names)
    finally:
        trash.empty()
    report(results, options.scenarios)


def report(results: dict[tuple[str, str], Measured], scenarios: list[str]) -> None:
    print(f"\n{'scenario':10}{'tool':11}{'cold':>9}{'warm':>9}{'no-op':>9}{'cold MB':>9}{'1 proc':>9}"
          "   (median seconds; peak memory of a cold run, MB: the process and its workers together (PSS),"
          " and the largest single process (max RSS))")
    for (scenario, name), measured in results.items():
        cells = "".join(_seconds(measured.median(mode)) for mode in MODES)
        cells += "".join(f"{max(sizes):9.0f}" if sizes else f"{'':9}"
                         for sizes in (measured.tree_mb, measured.process_mb))
        failed = f"   {measured.failed} of its runs failed" if measured.failed else ""
        print(f"{scenario:10}{name:11}{cells}{failed}")
    for scenario in scenarios:
        for name, others in (("ours", ("uv-pyc", "uv", "upstream", "base")),
                             ("ours-nopyc", ("uv", "upstream", "base-nopyc"))):
            ours = results.get((scenario, name))
            if ours is None:
                continue
            ratios = []
            for other in others:
                theirs = results.get((scenario, other))
                if theirs is not None:
                    ratios.append(other + " " + ", ".join(
                        f"{mode} {_ratio(ours.median(mode), theirs.median(mode))}" for mode in MODES))
            if ratios:
                print(f"{scenario}: {name} relative to " + "; ".join(ratios))


def _seconds(value: float | None) -> str:
    return f"{value:9.3f}" if value is not None else f"{'failed':>9}"


def _ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:.2f}x" if ours is not None and theirs is not None else "n/a"


if __name__ == "__main__":
    main()
