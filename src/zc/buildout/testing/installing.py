"""Install distributions as a buildout would, in this process, for docs pages and tests."""

from __future__ import annotations

import logging
import os

__all__ = ["install"]


def install(*requirements: str, config: str = "buildout.cfg") -> None:
    """Install ``requirements`` with the installer settings of configuration ``config``.

    What is logged (``Getting distribution for ...``, errors as ``Error:``
    lines) is printed; the picked versions are reported at the end, as at
    the end of a buildout run. The working directory and logging are left
    as they were.
    """
    from zc.buildout.buildout import Buildout
    from zc.buildout.dists import Installer, InstallerSettings, report_picked_versions
    from zc.buildout.errors import UserError

    directory = os.getcwd()
    loggers = [logging.getLogger(), logging.getLogger("zc.buildout")]
    saved = [(logger.level, logger.propagate, list(logger.handlers)) for logger in loggers]
    try:
        buildout = Buildout(os.path.abspath(config), [])
        settings = InstallerSettings.from_buildout(buildout)
        installer = Installer(settings)
        installer.install(requirements)
        report_picked_versions(installer.picked_versions, settings)
    except UserError as error:
        print(f"Error: {error}")
    finally:
        os.chdir(directory)
        for logger, (level, propagate, handlers) in zip(loggers, saved):
            logger.setLevel(level)
            logger.propagate = propagate
            logger.handlers[:] = handlers
