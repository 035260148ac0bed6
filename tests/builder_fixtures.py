"""Shared fixture of the builder tests: a scratch directory and installer settings."""

from __future__ import annotations

import os
import shutil
import tempfile
import unittest
from unittest import mock

from zc.buildout.dists.build.isolation import BuildEnvironments
from zc.buildout.dists.installer import install_build_requirements
from zc.buildout.dists.settings import InstallerSettings

__all__ = ["ScratchTestCase"]


class ScratchTestCase(unittest.TestCase):
    """Each test runs in a fresh directory with ``self.settings`` pointing into it."""

    def setUp(self) -> None:
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="buildout-builder-"))
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.settings = InstallerSettings(self.path("eggs"), self.path("develop-eggs"))
        patched = mock.patch.dict(os.environ, {"XDG_CACHE_HOME": self.path("user-cache")})
        patched.start()  # the working state of the eggs directory (dists.store.state)
        self.addCleanup(patched.stop)

    @property
    def environments(self) -> BuildEnvironments:
        """Build environments for ``self.settings``, installing what buildout's environment lacks."""
        return BuildEnvironments(self.settings, install_build_requirements)

    def path(self, *names: str) -> str:
        return os.path.join(self.root, *names)


def tree(directory: str) -> list[str]:
    """The files below ``directory``, as sorted relative paths (byte code left out)."""
    found = []
    for root, directories, files in os.walk(directory):
        directories[:] = [d for d in directories if d != "__pycache__"]
        found += [os.path.relpath(os.path.join(root, f), directory) for f in files]
    return sorted(found)
