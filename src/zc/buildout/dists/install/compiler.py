"""Unpacking wheels, byte-compiling their code and linking eggs in worker processes.

All are CPU work (decompressing, hashing and writing files; compiling;
making thousands of links; walking trees of thousands of files, a system
call each): in threads the interpreter lock would serialise them with
resolving and downloading, and each call would pass that lock back and
forth, so a :class:`Compiler` keeps one worker process per processor, each
a ``python -c`` loop started with the running buildout's ``sys.path``. Any
thread may hand it work and wait for just that: a wheel to unpack, a tree
to link, walk or seal, or files to compile, cut into small batches that the
workers take in turn, so that an egg waits for its own files, never for a
whole run's. A big wheel is cut likewise, into a share of its files per
worker (:func:`~zc.buildout.dists.install.unpack.install_share`): the
biggest wheels come last (their downloads end last), and one worker alone
would leave the others idle while it unpacks them. Urgent work (a big
index page the resolver waits for, see
:mod:`~zc.buildout.dists.find.pinned_pages`) goes before the rest.

Compiling (:mod:`~zc.buildout.dists.install.bytecode`) is quiet, as pip's:
modules not meant to compile (Python 2 code, the skin scripts of Zope
products) are left as they are, without a word.
"""

from __future__ import annotations

import concurrent.futures
import gc
import itertools
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

from zc.buildout.errors import UserError

__all__ = ["SHARE", "Compiler", "python_files"]

_BATCH = 16
"""Files per batch: small enough to spread one big egg over all workers."""

# One line in: a JSON list of [source, directory to name in the compiled file]
# to compile, or an object naming a function of buildout's to call, with its
# arguments (unpacking a wheel, linking, walking or sealing a tree).
# One line out once done: a JSON object, with the function's result as
# "result", or describing its failure. What the work prints goes to stderr,
# so that the replies stay readable.
# A worker whose buildout is gone (killed, say) stops at once rather than
# write on into a directory the next run will remove. One told to stop (its
# input closed) exits at once too: buildout waits for that. It collects
# garbage as the process that started it does (gc.set_threshold).
_WORKER = """\
import gc, importlib, json, os, sys, threading, time, traceback, warnings
gc.set_threshold(*json.loads(sys.argv[3]))
def stop_when_orphaned(parent=int(sys.argv[2])):
    while os.getppid() == parent:
        time.sleep(0.1)
    os._exit(1)
threading.Thread(target=stop_when_orphaned, daemon=True).start()
warnings.simplefilter("ignore")
replies, sys.stdout = sys.stdout, sys.stderr
sys.path[:] = json.loads(sys.argv[1])
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
os._exit(0)  # all is written: no need to wait for the interpreter to take itself apart
"""

SHARE = 4 << 20
"""Bytes of a wheel's file per worker unpacking it, at least: a smaller wheel is unpacked by one worker,
as splitting it would cost more than it saves."""
_UNPACK = "zc.buildout.dists.install.unpack"

_Batch = tuple[int, int, "tuple[str, concurrent.futures.Future[Any]] | None"]
"""Work queued for the workers: its rank (urgent first, then the shares of big wheels, stopping last),
its number (first come, first served), the request line and its future; ``None`` to stop."""
_URGENT, _SHARED, _IN_TURN, _STOP = 0, 1, 2, 3


def python_files(directory: str, final: str) -> list[tuple[str, str]]:
    """The ``.py`` files below ``directory``, each with the directory it will have below ``final``.

    ``final`` is where ``directory`` is renamed to, so that compiled files
    name the paths the modules are imported from.
    """
    found = []
    for root, _, names in os.walk(directory):
        relative = os.path.relpath(root, directory)
        ddir = final if relative == os.curdir else os.path.join(final, relative)
        found += [(os.path.join(root, name), ddir) for name in names if name.endswith(".py")]
    return found


class Compiler:
    """Unpacks wheels and byte-compiles files on every processor; use it as a context manager.

    Worker processes start when first needed and stop at :meth:`close`.
    """

    def __init__(self, workers: int | None = None) -> None:
        self._size = workers or os.cpu_count() or 1
        self._batches: queue.PriorityQueue[_Batch] = queue.PriorityQueue()
        self._numbers = itertools.count()
        self._threads: list[threading.Thread] = []
        self._busy = 0
        """Workers doing work in turn (or starting): urgent work given now would wait for them."""
        self._lock = threading.Lock()

    def __enter__(self) -> Compiler:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def compile(self, files: Sequence[tuple[str, str]]) -> None:
        """Compile ``(source, directory named in the compiled file)`` pairs; return when done."""
        futures = [self._submit(files[start:start + _BATCH])
                   for start in range(0, len(files), _BATCH)]
        for future in futures:
            future.result()

    def unpack(self, wheel_path: str, directory: str, metadata: Mapping[str, str]) -> None:
        """:func:`~zc.buildout.dists.install.unpack.install_into` in a worker; return when done.

        A big wheel is unpacked in shares, a share per worker at most and
        :data:`SHARE` bytes of it at least per share, each share by whichever
        worker is free first, before the smaller work waiting its turn (the
        longest work first: the run ends when its last work does).

        Errors are raised here: a :class:`~zc.buildout.errors.UserError` or
        an :class:`OSError` as it was, anything else as a
        :class:`RuntimeError` holding the worker's traceback.
        """
        shares = self._shares(wheel_path)
        if shares < 2:
            self.call(f"{_UNPACK}:install_into", wheel_path, directory, metadata=dict(metadata))
            return
        futures = [self._submit(_request(f"{_UNPACK}:install_share", wheel_path, directory,
                                         share=share, shares=shares), _SHARED)
                   for share in range(shares)]
        concurrent.futures.wait(futures)
        written = [future.result() for future in futures]
        self.call(f"{_UNPACK}:finish_install", directory, written, metadata=dict(metadata), urgent=True)

    def shared(self, wheel_path: str) -> bool:
        """Whether :meth:`unpack` cuts the wheel at ``wheel_path`` into shares (it is big)."""
        return self._shares(wheel_path) > 1

    def _shares(self, wheel_path: str) -> int:
        return min(self._size, os.path.getsize(wheel_path) // SHARE)

    def link(self, source: str, target: str) -> None:
        """:func:`~zc.buildout.dists.store.egg_cache.link_tree` in a worker; return when done.

        Its errors are raised here, as :meth:`unpack` raises them; so are those of the walks below.
        """
        self.call("zc.buildout.dists.store.egg_cache:link_tree", source, target)

    def unchanged(self, entry: str, manifest: str) -> bool:
        """:func:`~zc.buildout.dists.store.egg_cache.unchanged` in a worker."""
        return bool(self.call("zc.buildout.dists.store.egg_cache:unchanged", entry, manifest))

    def seal_entry(self, staged: str, manifest: str, entry: str) -> None:
        """:func:`~zc.buildout.dists.store.egg_cache.seal_entry` in a worker."""
        self.call("zc.buildout.dists.store.egg_cache:seal_entry", staged, manifest, entry)

    def link_if_unchanged(self, entry: str, manifest: str | None, target: str) -> bool:
        """:func:`~zc.buildout.dists.store.egg_cache.link_if_unchanged` in a worker."""
        return bool(self.call("zc.buildout.dists.store.egg_cache:link_if_unchanged", entry, manifest, target))

    def compile_tree(self, directory: str, final: str) -> None:
        """Compile the modules below ``directory``, which will be renamed to ``final``.

        A worker finds them; all compile them.
        """
        found = self.call("zc.buildout.dists.install.compiler:python_files", directory, final)
        self.compile([(source, ddir) for source, ddir in found])

    def close(self) -> None:
        """Stop the workers, once they have done what they were given."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._batches.put((_STOP, next(self._numbers), None))
        for thread in threads:
            thread.join()

    def call(self, function: str, *args: object, urgent: bool = False, **keywords: object) -> Any:
        """``function`` (``module:name``, one of buildout's) called in a worker; its result, as JSON carries it.

        ``urgent`` work goes before the work waiting its turn. Its errors are
        raised here, as :meth:`unpack` raises them.
        """
        return self._submit(_request(function, *args, **keywords), _URGENT if urgent else _IN_TURN).result()

    def start(self) -> None:
        """Start the worker processes now, not when first given work (each takes a moment to start)."""
        with self._lock:
            if self._threads:
                return
        for _ in range(self._size):
            self._submit(_request("json:dumps", None))

    def idle(self) -> bool:
        """Whether urgent work given now would start soon: the workers are started, and one is doing
        nothing or other urgent work (which is short)."""
        with self._lock:
            return self._busy < len(self._threads)

    def _submit(self, request: object, rank: int = _IN_TURN) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with self._lock:
            if not self._threads:
                for number in range(self._size):
                    thread = threading.Thread(target=self._serve, daemon=True,
                                              name=f"buildout-compile-{number}")
                    thread.start()
                    self._threads.append(thread)
            self._batches.put((rank, next(self._numbers), (json.dumps(request) + "\n", future)))
        return future

    def _serve(self) -> None:
        """Feed batches to one worker process until told to stop; replace it if it dies."""
        worker: subprocess.Popen[str] | None = None
        try:
            while True:
                rank, _, work = self._batches.get()
                if work is None:
                    break
                line, future = work
                busy = rank != _URGENT or worker is None  # starting a worker is not short
                with self._lock:
                    self._busy += busy
                try:
                    worker = self._run(worker, line, future)
                finally:
                    with self._lock:
                        self._busy -= busy
        finally:
            if worker is not None:
                _stop(worker)


    @staticmethod
    def _run(worker: subprocess.Popen[str] | None, line: str, future: concurrent.futures.Future[Any]
             ) -> subprocess.Popen[str] | None:
        """Have ``worker`` (a new one, if ``None``) do the request ``line``; the worker to go on with."""
        try:
            worker = worker or _start()
            assert worker.stdin is not None and worker.stdout is not None
            worker.stdin.write(line)
            worker.stdin.flush()
            reply = worker.stdout.readline()
            if not reply:
                raise OSError("a worker process (unpacking, byte-compiling) stopped unexpectedly")
        except OSError as error:
            if worker is not None:
                _stop(worker)
            future.set_exception(error)
            return None  # the next batch gets a fresh process
        answer = json.loads(reply)
        if "kind" in answer:
            future.set_exception(_error(answer))
        else:
            future.set_result(answer.get("result"))
        return worker


def _request(function: str, *args: object, **keywords: object) -> dict[str, Any]:
    """The request to call ``function`` (``module:name``) with these arguments, as a worker reads it."""
    return {"call": function, "args": args, "keywords": keywords}


def _error(failure: dict[str, Any]) -> Exception:
    """The exception a worker reported, rebuilt."""
    if failure["kind"] == "UserError":
        return UserError(failure["message"], hint=failure["hint"])
    if failure["errno"] is not None:
        return OSError(failure["errno"], failure["strerror"], failure["filename"])
    return RuntimeError(f"Unpacking or linking failed in a worker process:\n{failure['traceback']}")


def _start() -> subprocess.Popen[str]:
    arguments = [json.dumps(sys.path), str(os.getpid()), json.dumps(gc.get_threshold())]
    return subprocess.Popen(
        [sys.executable, "-c", _WORKER, *arguments],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, encoding="utf-8",
    )


def _stop(worker: subprocess.Popen[str]) -> None:
    assert worker.stdin is not None and worker.stdout is not None
    try:
        worker.stdin.close()
    except OSError:
        pass
    worker.wait()
    worker.stdout.close()
