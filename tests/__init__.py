"""The project's tests (the docs pages run through :mod:`tests.test_docs`).

Buildout keeps the working state of each eggs directory in the user's cache;
the many eggs directories tests make keep theirs in a temporary cache,
removed when the tests end, rather than in the developer's own.
"""

import atexit
import os
import shutil
import tempfile

if "BUILDOUT_TESTS_CACHE" not in os.environ:  # set once: child test processes share it
    os.environ["BUILDOUT_TESTS_CACHE"] = os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(
        prefix="buildout-tests-cache-")
    atexit.register(shutil.rmtree, os.environ["BUILDOUT_TESTS_CACHE"], ignore_errors=True)
