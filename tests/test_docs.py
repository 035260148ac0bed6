"""Run every page under docs/ as a test, each in a fresh sandbox."""

from __future__ import annotations

import doctest
import pathlib
import unittest

import manuel.capture
import manuel.codeblock
import manuel.doctest
import manuel.testing

from zc.buildout.testing import Sandbox, docs_checker

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"

OPTIONFLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _set_up(test: manuel.testing.TestCase) -> None:
    sandbox = Sandbox()
    test.globs.update(sandbox.globs())
    test.globs["__sandbox__"] = sandbox


def _tear_down(test: manuel.testing.TestCase) -> None:
    test.globs["__sandbox__"].close()


def test_suite() -> unittest.TestSuite:
    m = manuel.doctest.Manuel(optionflags=OPTIONFLAGS, checker=docs_checker())
    m += manuel.codeblock.Manuel()
    m += manuel.capture.Manuel()
    pages = sorted(str(path) for path in DOCS.rglob("*.rst"))
    return manuel.testing.TestSuite(m, *pages, setUp=_set_up, tearDown=_tear_down)
