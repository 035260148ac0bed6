"""Shared fixtures of the builder tests: a scratch directory and installer settings.

``Settings`` stands in for ``zc.buildout.dists.settings.InstallerSettings``
(the fields building and fetching read) until that lands.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import unittest

__all__ = ["ScratchTestCase", "Settings"]


@dataclasses.dataclass(frozen=True)
class Settings:
    eggs_directory: str
    develop_eggs_directory: str
    download_cache: str | None = None
    install_from_cache: bool = False
    offline: bool = False


class ScratchTestCase(unittest.TestCase):
    """Each test runs in a fresh directory with ``self.settings`` pointing into it."""

    def setUp(self) -> None:
        self.root = os.path.realpath(tempfile.mkdtemp(prefix="buildout-builder-"))
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.settings = Settings(self.path("eggs"), self.path("develop-eggs"))

    def path(self, *names: str) -> str:
        return os.path.join(self.root, *names)
