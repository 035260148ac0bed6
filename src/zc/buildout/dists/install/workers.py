"""The worker processes of a :class:`~zc.buildout.dists.install.compiler.Compiler`: their program,
what they are asked and answer, starting them and stopping them.

A worker is a ``python -c`` loop with the running buildout's ``sys.path``.
Where a process can fork, one is started, and it forks the others once it
has imported what they need: one interpreter starts and imports, where one
per processor did (an interpreter's start and the imports took each worker
60 to 70 ms of processor time).
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import IO, Any, NamedTuple

from zc.buildout.errors import UserError

__all__ = ["FORKS", "Worker", "launch_workers", "raised", "request", "start_worker", "stop_worker"]

# One line in: a JSON list of [source, directory to name in the compiled file]
# to compile, or an object naming a function of buildout's to call, with its
# arguments (unpacking a wheel, linking, walking or sealing a tree).
# One line out once done: a JSON object, with the function's result as
# "result", or describing its failure. What the work prints goes to stderr,
# so that the replies stay readable.
# The first worker forks the others ("siblings", given their pipes) once it
# has imported what they need, before it starts a thread; it waits for them
# before it exits. A worker whose buildout (forked: whose first worker) is
# gone (killed, say) stops at once rather than write on into a directory the
# next run will remove. One told to stop (its input closed) exits at once
# too: buildout waits for that. It collects garbage as its starter does.
_WORKER = """\
import gc, importlib, json, os, sys, threading, time, traceback, warnings
sys.path[:] = json.loads(sys.argv[1])
gc.set_threshold(*json.loads(sys.argv[2]))
siblings, parent, children = json.loads(sys.argv[3]), int(sys.argv[4]), []
for name in ("install.wheel", "install.unpack", "install.bytecode", "find.pinned_pages") if siblings else ():
    importlib.import_module(f"zc.buildout.dists.{name}")
for requests, replies in siblings:
    child = os.fork()
    if child:
        children.append(child)
        continue
    os.dup2(requests, 0)
    os.dup2(replies, 1)
    parent, children = os.getppid(), []
    break
for descriptor in [descriptor for pipes in siblings for descriptor in pipes]:
    os.close(descriptor)
def stop_when_orphaned(parent=parent):
    while os.getppid() == parent:
        time.sleep(0.1)
    os._exit(1)
threading.Thread(target=stop_when_orphaned, daemon=True).start()
warnings.simplefilter("ignore")
replies, sys.stdout = sys.stdout, sys.stderr
for line in sys.stdin:
    request, reply = json.loads(line), {}
    if isinstance(request, list):
        from zc.buildout.dists.install.bytecode import compile_module
        for source, ddir in request:
            compile_module(source, ddir)
    else:
        try:
            module, function = request["call"].split(":")
            function = getattr(importlib.import_module(module), function)
            reply = {"result": function(*request["args"], **request["keywords"])}
        except Exception as error:
            reply = {"kind": type(error).__name__, "message": " ".join(map(str, error.args)),
                     "hint": getattr(error, "hint", None), "errno": getattr(error, "errno", None),
                     "strerror": getattr(error, "strerror", None),
                     "filename": getattr(error, "filename", None),
                     "traceback": traceback.format_exc()}
    replies.write(json.dumps(reply) + "\\n")
    replies.flush()
for child in children:
    os.waitpid(child, 0)
os._exit(0)  # all is written: no need to wait for the interpreter to take itself apart
"""

FORKS = hasattr(os, "fork") and sys.platform != "darwin"
"""Whether the first worker forks the others: not where forking without starting a new program is
unsafe (macOS), nor where there is no fork (Windows)."""


def request(function: str, *args: object, **keywords: object) -> dict[str, Any]:
    """The request to call ``function`` (``module:name``) with these arguments, as a worker reads it."""
    return {"call": function, "args": args, "keywords": keywords}


def raised(failure: dict[str, Any]) -> Exception:
    """The exception a worker reported, rebuilt."""
    if failure["kind"] == "UserError":
        return UserError(failure["message"], hint=failure["hint"])
    if failure["errno"] is not None:
        return OSError(failure["errno"], failure["strerror"], failure["filename"])
    return RuntimeError(f"Unpacking or linking failed in a worker process:\n{failure['traceback']}")


class Worker(NamedTuple):
    """A worker process's pipes, and the process where buildout started it (not a forked one)."""

    requests: IO[str]
    replies: IO[str]
    process: subprocess.Popen[str] | None = None


def launch_workers(size: int) -> list[Worker]:
    """``size`` workers: one started, which forks the others (where it can), each with its pipes."""
    if size < 2 or not FORKS:
        return [start_worker()]  # the others start when first needed
    pipes = [(*os.pipe(), *os.pipe()) for _ in range(size - 1)]
    # Each: its requests' read end (the sibling's), their write end (ours), then its replies' likewise.
    theirs, ours = [(pipe[0], pipe[3]) for pipe in pipes], [(pipe[1], pipe[2]) for pipe in pipes]
    try:
        first = start_worker(theirs)
    except OSError:
        _close(ours)
        raise
    finally:
        _close(theirs)
    return [first, *(Worker(open(requests, "w", encoding="utf-8"), open(replies, encoding="utf-8"))
                     for requests, replies in ours)]


def _close(pipes: Sequence[tuple[int, int]]) -> None:
    for descriptor in itertools.chain.from_iterable(pipes):
        os.close(descriptor)


def start_worker(siblings: Sequence[tuple[int, int]] = ()) -> Worker:
    """A worker, which forks one more for each of ``siblings`` (the read end of its requests' pipe, the
    write end of its replies')."""
    arguments = [json.dumps(sys.path), json.dumps(gc.get_threshold()), json.dumps(siblings), str(os.getpid())]
    process = subprocess.Popen(
        [sys.executable, "-c", _WORKER, *arguments],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, encoding="utf-8", pass_fds=list(itertools.chain.from_iterable(siblings)),
    )
    assert process.stdin is not None and process.stdout is not None
    return Worker(process.stdin, process.stdout, process)


def stop_worker(worker: Worker) -> None:
    """Close the worker's input and wait for it to exit (a forked one: until its replies end)."""
    try:
        worker.requests.close()
    except OSError:
        pass
    if worker.process is not None:
        worker.process.wait()
    else:
        worker.replies.read()
    worker.replies.close()
