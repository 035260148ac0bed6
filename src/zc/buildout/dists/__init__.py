"""Installing distributions: indexes, resolution, building, the eggs directory."""

from zc.buildout.dists.settings import InstallerSettings, Pin

__all__ = ["InstallerSettings", "Pin"]
