"""Unpacking wheels, byte-compiling their code and linking eggs in worker processes.

All are CPU work (decompressing, hashing and writing files; compiling;
making thousands of links): in threads the interpreter lock would serialise
them with resolving and downloading, so a :class:`Compiler`
keeps one worker process per processor, each a ``python -c`` loop started
with the running buildout's ``sys.path``. Any thread may hand it work and
wait for just that: a wheel to unpack, a tree to link, or files to compile,
cut into small batches that the workers take in turn, so that an egg waits
for its own files, never for a whole run's.

Compiling is quiet, as pip's: modules not meant to compile (Python 2 code,
the skin scripts of Zope products) are left as they are, without a word.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any

from zc.buildout.errors import UserError

__all__ = ["Compiler", "python_files"]

_BATCH = 16
"""Files per batch: small enough to spread one big egg over all workers."""

# One line in: a JSON list of [source, directory to name in the compiled file]
# to compile, or an object asking to unpack a wheel (Compiler.unpack) or to
# link a tree (Compiler.link).
# One line out once done: a JSON object, empty unless the work failed. What
# the work prints goes to stderr, so that the replies stay readable.
# A worker whose buildout is gone (killed, say) stops at once rather than
# write on into a directory the next run will remove.
_WORKER = """\
import compileall, json, os, sys, threading, time, traceback, warnings
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
        for source, ddir in request:
            compileall.compile_file(source, ddir=ddir, quiet=2)
    else:
        try:
            if "link" in request:
                from zc.buildout.dists.store.egg_cache import link_tree
                link_tree(*request["link"])
            else:
                from zc.buildout.dists.install.wheel import install_into
                install_into(request["wheel"], request["directory"], metadata=request["metadata"])
        except Exception as error:
            reply = {"kind": type(error).__name__, "message": " ".join(map(str, error.args)),
                     "hint": getattr(error, "hint", None), "errno": getattr(error, "errno", None),
                     "strerror": getattr(error, "strerror", None),
                     "filename": getattr(error, "filename", None),
                     "traceback": traceback.format_exc()}
    replies.write(json.dumps(reply) + "\\n")
    replies.flush()
"""

_Batch = tuple[str, "concurrent.futures.Future[None]"]


def python_files(directory: str, final: str) -> Iterator[tuple[str, str]]:
    """The ``.py`` files below ``directory``, each with the directory it will have below ``final``.

    ``final`` is where ``directory`` is renamed to, so that compiled files
    name the paths the modules are imported from.
    """
    for root, _, names in os.walk(directory):
        relative = os.path.relpath(root, directory)
        ddir = final if relative == os.curdir else os.path.join(final, relative)
        for name in names:
            if name.endswith(".py"):
                yield os.path.join(root, name), ddir


class Compiler:
    """Unpacks wheels and byte-compiles files on every processor; use it as a context manager.

    Worker processes start when first needed and stop at :meth:`close`.
    """

    def __init__(self, workers: int | None = None) -> None:
        self._size = workers or os.cpu_count() or 1
        self._batches: queue.SimpleQueue[_Batch | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
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
        """:func:`~zc.buildout.dists.install.wheel.install_into` in a worker; return when done.

        Its errors are raised here: a :class:`~zc.buildout.errors.UserError`
        or an :class:`OSError` as it was, anything else as a
        :class:`RuntimeError` holding the worker's traceback.
        """
        request = {"wheel": wheel_path, "directory": directory, "metadata": dict(metadata)}
        self._submit(request).result()

    def link(self, source: str, target: str) -> None:
        """:func:`~zc.buildout.dists.store.egg_cache.link_tree` in a worker; return when done.

        Its errors are raised here, as :meth:`unpack` raises them.
        """
        self._submit({"link": [source, target]}).result()

    def compile_tree(self, directory: str, final: str) -> None:
        """Compile the modules below ``directory``, which will be renamed to ``final``."""
        self.compile(list(python_files(directory, final)))

    def close(self) -> None:
        """Stop the workers, once they have done what they were given."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._batches.put(None)
        for thread in threads:
            thread.join()

    def _submit(self, request: object) -> concurrent.futures.Future[None]:
        future: concurrent.futures.Future[None] = concurrent.futures.Future()
        with self._lock:
            if not self._threads:
                for number in range(self._size):
                    thread = threading.Thread(target=self._serve, daemon=True,
                                              name=f"buildout-compile-{number}")
                    thread.start()
                    self._threads.append(thread)
            self._batches.put((json.dumps(request) + "\n", future))
        return future

    def _serve(self) -> None:
        """Feed batches to one worker process until told to stop; replace it if it dies."""
        worker: subprocess.Popen[str] | None = None
        try:
            while (batch := self._batches.get()) is not None:
                line, future = batch
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
                    worker = None  # the next batch gets a fresh process
                    future.set_exception(error)
                else:
                    failure = json.loads(reply)
                    if failure:
                        future.set_exception(_error(failure))
                    else:
                        future.set_result(None)
        finally:
            if worker is not None:
                _stop(worker)


def _error(failure: dict[str, Any]) -> Exception:
    """The exception a worker reported, rebuilt."""
    if failure["kind"] == "UserError":
        return UserError(failure["message"], hint=failure["hint"])
    if failure["errno"] is not None:
        return OSError(failure["errno"], failure["strerror"], failure["filename"])
    return RuntimeError(f"Unpacking or linking failed in a worker process:\n{failure['traceback']}")


def _start() -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _WORKER, json.dumps(sys.path), str(os.getpid())],
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
