"""Helpers for testing buildouts and recipes: sandboxes, fake indexes, normalisers.

Docs pages, this project's tests and recipe authors' tests use the same
helpers; see ``docs/topics/testing.rst``.
"""

from zc.buildout.testing import packages
from zc.buildout.testing.normalizers import docs_checker, normalize_sandbox
from zc.buildout.testing.sandbox import Sandbox, buildout_command

__all__ = ["Sandbox", "buildout_command", "docs_checker", "normalize_sandbox", "packages"]
