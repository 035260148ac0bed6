"""Byte-compiling installed code in worker processes, while downloads and installs go on.

Compiling is CPU work: in threads the interpreter lock would serialise it, so
a :class:`Compiler` keeps one worker process per processor, each a plain
``python -c`` loop (standard library only: a worker may not find
zc.buildout). Any thread may hand it files and wait for just those; the files
are cut into small batches that the workers take in turn, so an egg waits for
its own files, never for a whole run's.

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
from collections.abc import Iterator, Sequence
from types import TracebackType

__all__ = ["Compiler", "python_files"]

_BATCH = 16
"""Files per batch: small enough to spread one big egg over all workers."""

# One line in: a JSON list of [source, directory to name in the compiled file].
# One empty line out once they are compiled. Anything a compiler prints goes
# to stderr, so that the replies stay readable.
_WORKER = """\
import compileall, json, os, sys, warnings
warnings.simplefilter("ignore")
replies, sys.stdout = sys.stdout, sys.stderr
for line in sys.stdin:
    for source, ddir in json.loads(line):
        compileall.compile_file(source, ddir=ddir, quiet=2)
    replies.write("\\n")
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
    """Byte-compiles files on every processor; use it as a context manager.

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

    def compile_tree(self, directory: str, final: str) -> None:
        """Compile the modules below ``directory``, which will be renamed to ``final``."""
        self.compile(list(python_files(directory, final)))

    def close(self) -> None:
        """Stop the workers, once they have compiled what they were given."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._batches.put(None)
        for thread in threads:
            thread.join()

    def _submit(self, files: Sequence[tuple[str, str]]) -> concurrent.futures.Future[None]:
        future: concurrent.futures.Future[None] = concurrent.futures.Future()
        with self._lock:
            if not self._threads:
                for number in range(self._size):
                    thread = threading.Thread(target=self._serve, daemon=True,
                                              name=f"buildout-compile-{number}")
                    thread.start()
                    self._threads.append(thread)
            self._batches.put((json.dumps(files) + "\n", future))
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
                    if worker.stdout.readline() != "\n":
                        raise OSError("a byte-compiling process stopped unexpectedly")
                except OSError as error:
                    if worker is not None:
                        _stop(worker)
                    worker = None  # the next batch gets a fresh process
                    future.set_exception(error)
                else:
                    future.set_result(None)
        finally:
            if worker is not None:
                _stop(worker)


def _start() -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, encoding="utf-8",
    )


def _stop(worker: subprocess.Popen[str]) -> None:
    assert worker.stdin is not None and worker.stdout is not None
    try:
        worker.stdin.close()
    except OSError:
        pass
    worker.wait()
    worker.stdout.close()
