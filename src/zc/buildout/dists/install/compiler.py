"""Unpacking wheels, byte-compiling their code and linking eggs in worker processes.

All are CPU work (decompressing, hashing and writing files; compiling;
making thousands of links; walking trees of thousands of files, a system
call each): in threads the interpreter lock would serialise them with
resolving and downloading, and each call would pass that lock back and
forth, so a :class:`Compiler` keeps one worker process per processor
(:mod:`~zc.buildout.dists.install.workers`). Any
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
import itertools
import json
import os
import queue
import threading
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

from zc.buildout.dists.install.workers import (
    Worker,
    launch_workers,
    raised,
    request,
    start_worker,
    stop_worker,
)

__all__ = ["SHARE", "Compiler", "python_files"]

_BATCH = 16
"""Files per batch: small enough to spread one big egg over all workers."""

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
        self._launched: list[Worker] | None = None
        """The workers started together, until each serving thread has taken one (``None``: not yet)."""
        self._launching = threading.Lock()

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

    def unpack(self, wheel_path: str, directory: str, metadata: Mapping[str, str], *,
               read_only: bool = False) -> None:
        """:func:`~zc.buildout.dists.install.unpack.install_into` in a worker (its files ``read_only``, if
        so); return when done.

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
            self.call(f"{_UNPACK}:install_into", wheel_path, directory, metadata=dict(metadata), read_only=read_only)
            return
        futures = [self._submit(request(f"{_UNPACK}:install_share", wheel_path, directory,
                                        share=share, shares=shares, read_only=read_only), _SHARED)
                   for share in range(shares)]
        concurrent.futures.wait(futures)
        written = [future.result() for future in futures]
        self.call(f"{_UNPACK}:finish_install", directory, written, metadata=dict(metadata), read_only=read_only,
                  urgent=True)

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
        with self._launching:
            unused, self._launched = self._launched or [], []
        for worker in unused:  # told first: the first worker, when it stops, waits for the others
            worker.requests.close()
        for _ in threads:
            self._batches.put((_STOP, next(self._numbers), None))
        for thread in threads:
            thread.join()
        for worker in unused:
            stop_worker(worker)
        with self._launching:
            self._launched = None  # used again, it starts workers anew

    def call(self, function: str, *args: object, urgent: bool = False, **keywords: object) -> Any:
        """``function`` (``module:name``, one of buildout's) called in a worker; its result, as JSON carries it.

        ``urgent`` work goes before the work waiting its turn. Its errors are
        raised here, as :meth:`unpack` raises them.
        """
        return self._submit(request(function, *args, **keywords), _URGENT if urgent else _IN_TURN).result()

    def start(self) -> None:
        """Start the worker processes now, not when first given work (each takes a moment to start)."""
        with self._lock:
            if self._threads:
                return
        for _ in range(self._size):
            self._submit(request("json:dumps", None))

    def idle(self) -> bool:
        """Whether urgent work given now would start soon: the workers are started, and one is doing
        nothing or other urgent work (which is short)."""
        with self._lock:
            return self._busy < len(self._threads)

    def _submit(self, payload: object, rank: int = _IN_TURN) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with self._lock:
            if not self._threads:
                for number in range(self._size):
                    thread = threading.Thread(target=self._serve, daemon=True,
                                              name=f"buildout-compile-{number}")
                    thread.start()
                    self._threads.append(thread)
            self._batches.put((rank, next(self._numbers), (json.dumps(payload) + "\n", future)))
        return future

    def _serve(self) -> None:
        """Feed batches to one worker process until told to stop; replace it if it dies."""
        worker: Worker | None = None
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
                    worker = self._run(worker or self._launched_worker(), line, future)
                finally:
                    with self._lock:
                        self._busy -= busy
        finally:
            if worker is not None:
                stop_worker(worker)


    def _launched_worker(self) -> Worker | None:
        """One of the workers started together (by the first thread to ask); ``None`` once each is taken.

        A worker that died is replaced by one started alone.
        """
        with self._launching:
            if self._launched is None:
                try:
                    self._launched = launch_workers(self._size)
                except OSError:  # reported when the serving thread starts one alone
                    self._launched = []
            return self._launched.pop(0) if self._launched else None

    @staticmethod
    def _run(worker: Worker | None, line: str, future: concurrent.futures.Future[Any]) -> Worker | None:
        """Have ``worker`` (a new one, if ``None``) do the request ``line``; the worker to go on with."""
        try:
            worker = worker or start_worker()
            worker.requests.write(line)
            worker.requests.flush()
            reply = worker.replies.readline()
            if not reply:
                raise OSError("a worker process (unpacking, byte-compiling) stopped unexpectedly")
        except OSError as error:
            if worker is not None:
                stop_worker(worker)
            future.set_exception(error)
            return None  # the next batch gets a fresh process
        answer = json.loads(reply)
        if "kind" in answer:
            future.set_exception(raised(answer))
        else:
            future.set_result(answer.get("result"))
        return worker


