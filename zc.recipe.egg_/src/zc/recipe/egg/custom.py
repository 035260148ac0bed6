"""The ``custom`` and ``develop`` recipes: builds with custom compiler (``build_ext``) settings.

``custom`` builds a distribution from its source distribution; ``develop``
installs a develop project. Either way the result is specific to this
buildout and goes into the develop-eggs directory. The settings reach the
build backend without changing the project's files (see
:mod:`zc.buildout.dists.custom`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from zc.buildout.dists.settings import InstallerSettings
from zc.buildout.errors import UserError
from zc.buildout.run.state import installer_settings

__all__ = ["Custom", "Develop", "build_ext"]

logger = logging.getLogger("zc.buildout")

_DIRECTORY_LISTS = ("include-dirs", "library-dirs")
_VERBATIM = ("define", "undef", "libraries", "link-objects", "debug", "force", "compiler",
             "swig-cpp", "swig-opts")
_RPATH_TOKENS = ("$ORIGIN", "$LIB", "$PLATFORM", "${ORIGIN}", "${LIB}", "${PLATFORM}")
"""Dynamic-linker tokens an ``rpath`` entry may start with; such entries stay as written."""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def build_ext(buildout: Any, options: MutableMapping[str, str]) -> dict[str, str]:
    """The ``build_ext`` settings of a part; paths are made absolute and written back."""
    directory = buildout["buildout"]["directory"]
    result = {}
    for name in _DIRECTORY_LISTS:
        if name in options:
            value = os.pathsep.join(os.path.join(directory, path) for path in _lines(options[name]))
            options[name] = result[name] = value
    if "rpath" in options:
        value = os.pathsep.join(
            path if path.startswith(_RPATH_TOKENS) else os.path.join(directory, path)
            for path in _lines(options["rpath"])
        )
        options["rpath"] = result["rpath"] = value
    if options.get("swig"):
        options["swig"] = result["swig"] = os.path.join(directory, options["swig"])
    for name in _VERBATIM:
        if name in options:
            result[name] = options[name]
    return result


class _Base:
    def __init__(self, buildout: Any, name: str, options: MutableMapping[str, str]) -> None:
        self.buildout = buildout
        self.name = name
        self.options = options
        options["_d"] = buildout["buildout"]["develop-eggs-directory"]
        self.build_ext = build_ext(buildout, options)
        environment = options.get("environment")
        self.environment: Mapping[str, str] = buildout[environment] if environment else {}
        options["_environment-data"] = repr(sorted(self.environment.items()))

    def _settings(self, **changes: Any) -> InstallerSettings:
        return installer_settings(self.buildout)._replace(**changes)

    def _environ(self) -> dict[str, str]:
        """The environment section's variables, each ``%(NAME)s`` replaced from this environment."""
        result = {}
        for key, value in self.environment.items():
            try:
                result[key] = value % os.environ
            except KeyError as error:
                raise UserError(
                    f"The environment variable {error.args[0]!r} used by {key!r} in"
                    f" [{self.options.get('environment')}] is not set."
                ) from None
            except (ValueError, TypeError) as error:
                raise UserError(
                    f"Invalid value of {key!r} in [{self.options.get('environment')}]: {error}",
                    hint="Write %(NAME)s for an environment variable and %% for a percent sign.",
                ) from None
        return result

    def update(self) -> Sequence[str]:
        return self.install()

    def install(self) -> Sequence[str]:
        raise NotImplementedError


class Custom(_Base):
    """Builds the ``egg`` option's distribution (default: the part's name) from source."""

    def __init__(self, buildout: Any, name: str, options: MutableMapping[str, str]) -> None:
        super().__init__(buildout, name, options)
        section = buildout["buildout"]
        links = options.get("find-links", section.get("find-links", "")).split()
        if links:
            options["find-links"] = "\n".join(links)
        self.links = tuple(links)
        index = options.get("index", section.get("index"))
        if index is not None:
            options["index"] = index
        self.index = index or None
        options["_e"] = section["eggs-directory"]
        self.offline = section.get("offline") == "true"
        self.newest = section.get("newest") == "true"

    def install(self) -> Sequence[str]:
        if self.offline:
            return ()
        options = self.options
        if "egg" not in options and "eggs" in options:
            logger.warning("The eggs option is deprecated. Use egg instead")
        spec = options.get("egg", options.get("eggs", self.name)).strip()
        changes: dict[str, Any] = {"find_links": self.links, "newest": self.newest}
        if self.index:
            changes["index"] = self.index
        from zc.buildout.dists import custom  # build tools: imported only when building

        dist = custom.build_custom(spec, self.build_ext, self._settings(**changes), self._environ())
        return [dist.location]


class Develop(_Base):
    """Installs the develop project of the ``setup`` option (its directory or setup file)."""

    def __init__(self, buildout: Any, name: str, options: MutableMapping[str, str]) -> None:
        super().__init__(buildout, name, options)
        options["setup"] = os.path.join(buildout["buildout"]["directory"], options["setup"])

    def install(self) -> Sequence[str]:
        project = self.options["setup"]
        if os.path.isfile(project):
            project = os.path.dirname(project)
        from zc.buildout.dists import custom  # build tools: imported only when building

        result = custom.develop_custom(project, self.build_ext, self._settings(), self._environ())
        return list(result.created)
