"""Installing distributions: indexes, resolution, building, the eggs directory."""

from zc.buildout.dists.environment import Environment, InstalledDistribution
from zc.buildout.dists.installer import Installer
from zc.buildout.dists.picked import PickedVersions
from zc.buildout.dists.picked import report as report_picked_versions
from zc.buildout.dists.settings import InstallerSettings, Pin

__all__ = [
    "Environment",
    "InstalledDistribution",
    "Installer",
    "InstallerSettings",
    "Pin",
    "PickedVersions",
    "report_picked_versions",
]
