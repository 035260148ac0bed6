"""The installer settings this package reads, until ``dists.settings`` lands."""

from __future__ import annotations

from typing import Protocol

__all__ = ["SettingsLike"]


class SettingsLike(Protocol):
    """The fields of ``InstallerSettings`` that building and fetching use."""

    @property
    def eggs_directory(self) -> str: ...
    @property
    def develop_eggs_directory(self) -> str: ...
    @property
    def download_cache(self) -> str | None: ...
    @property
    def install_from_cache(self) -> bool: ...
    @property
    def offline(self) -> bool: ...
