"""Output normalisation for docs pages and recipe tests, in one place."""

from __future__ import annotations

import os
import re
import sys
import tempfile

from zope.testing import renormalizing

__all__ = ["docs_checker", "normalize_executable", "normalize_loopback_port", "normalize_sandbox"]

# Paths inside a sandbox print as if the sandbox were the file system root:
# ``/tmp/buildout-test-x1y2/sample-buildout/bin`` becomes ``/sample-buildout/bin``.
normalize_sandbox = (
    re.compile(re.escape(os.path.realpath(tempfile.gettempdir())) + r"/buildout-test-[^/\s'\"]+"),
    "",
)

# Loopback servers listen on a port the system picks: ``127.0.0.1:<PORT>``.
normalize_loopback_port = (re.compile(r"\b127\.0\.0\.1:\d+"), "127.0.0.1:<PORT>")

# The Python running the tests, wherever it lives, shows as ``/usr/bin/python``
# (as in the ``#!`` line of generated scripts).
normalize_executable = (re.compile(re.escape(sys.executable) + r"(?![\w.-])"), "/usr/bin/python")


def docs_checker() -> renormalizing.OutputChecker:
    """The output checker every docs page runs with."""
    return renormalizing.RENormalizing([normalize_executable, normalize_sandbox, normalize_loopback_port])
