"""Printing log messages in docs pages that call buildout's API in-process."""

from __future__ import annotations

import logging

from zc.buildout.testing.sandbox import Sandbox

__all__ = ["print_log"]


class _Print(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        print(record.getMessage())


def print_log(sandbox: Sandbox, name: str = "zc.buildout", level: int = logging.INFO) -> None:
    """Print the messages of logger ``name`` (at ``level`` and up) until the sandbox closes.

    Messages print bare, as buildout shows its own; they stop propagating
    to the root logger meanwhile. Everything is restored on close.
    """
    logger = logging.getLogger(name)
    handler = _Print()
    sandbox.callback(logger.removeHandler, handler)
    sandbox.callback(logger.setLevel, logger.level)
    sandbox.callback(setattr, logger, "propagate", logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
