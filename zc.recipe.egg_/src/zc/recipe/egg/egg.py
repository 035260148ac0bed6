"""The ``eggs`` recipe (install distributions) and the ``scripts`` recipe (and their scripts).

Other recipes build on :class:`Eggs` too: ``Egg(buildout, name,
options).working_set()`` gives the requirements of a part's ``eggs``
option and the working set they need. Working sets are computed once per
buildout run for the same arguments and handed out as copies.
"""

from __future__ import annotations

import copy
import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from typing import Any

import zc.buildout.easy_install
from zc.buildout.errors import UserError
from zc.buildout.legacy.working_set import WorkingSet

__all__ = ["Egg", "Eggs", "Scripts"]

logger = logging.getLogger("zc.buildout")

_ENTRY_POINT = re.compile(r"([^=]+)=(\w+(?:[.]\w+)*):(\w+(?:[.]\w+)*)$")
"""``name=module.path:attr.path``, as the ``entry-points`` option lists them."""


def _flag(options: Mapping[str, str], section: str, name: str, default: str) -> bool:
    """A ``true``/``false`` option; anything else is a user error naming it."""
    value = options.get(name, default)
    if value not in ("true", "false"):
        raise UserError(f"Invalid value for {section}:{name}: {value!r}", hint="Use true or false.")
    return value == "true"


def _log(records: Iterable[logging.LogRecord]) -> None:
    for record in records:
        logger.handle(record)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


class Eggs:
    """Installs the distributions of the ``eggs`` option (default: the part's name)."""

    _WORKING_SET_CACHE_ATTR_NAME = "_zc_recipe_egg_working_set_cache"

    def __init__(self, buildout: Any, name: str, options: MutableMapping[str, str]) -> None:
        self.buildout = buildout
        self.name = name
        self.options = options
        section = buildout["buildout"]
        links = options.get("find-links", section.get("find-links", "")).split()
        if links:
            options["find-links"] = "\n".join(links)
        self.links: tuple[str, ...] = tuple(links)
        index = options.get("index", section.get("index"))
        if index is not None:
            options["index"] = index
        self.index: str | None = index or None
        self.allow_hosts = tuple(_lines(section.get("allow-hosts", "*"))) or ("*",)
        options["eggs-directory"] = options["_e"] = section["eggs-directory"]
        options["develop-eggs-directory"] = options["_d"] = section["develop-eggs-directory"]
        self._held: list[logging.LogRecord] = []
        """What :meth:`prepare` logged, to show when the part is installed."""

    def working_set(self, extra: Iterable[str] = ()) -> tuple[list[str], WorkingSet]:
        """The requirements of the ``eggs`` option, and the working set they (and ``extra``) need."""
        held, self._held = self._held, []
        _log(held)  # what preparing the part held back: it is being installed now
        options = self.options
        section = self.buildout["buildout"]
        options["executable"] = sys.executable
        requirements = _lines(options.get("eggs", self.name))
        working_set = self._working_set(
            [*requirements, *extra],
            options["eggs-directory"],
            options["develop-eggs-directory"],
            offline=section.get("offline") == "true",
            newest=section.get("newest") == "true",
            links=self.links,
            index=self.index,
            allow_hosts=self.allow_hosts,
            allow_unknown_extras=section.get("allow-unknown-extras") == "true",
        )
        return requirements, working_set

    def _working_set(
        self,
        distributions: Sequence[str],
        eggs_dir: str,
        develop_eggs_dir: str,
        offline: bool = False,
        newest: bool = True,
        links: Iterable[str] = (),
        index: str | None = None,
        allow_hosts: Iterable[str] = ("*",),
        allow_unknown_extras: bool = False,
    ) -> WorkingSet:
        """The working set of ``distributions``, computed once per run for the same arguments."""
        key = (tuple(distributions), eggs_dir, develop_eggs_dir, offline, newest,
               tuple(links), index, tuple(allow_hosts), allow_unknown_extras)
        cache = self._cache()
        if key not in cache:
            if offline:
                found = zc.buildout.easy_install.working_set(
                    distributions, [develop_eggs_dir, eggs_dir], own_words=True)
            else:
                found = zc.buildout.easy_install.install(
                    distributions, eggs_dir, links=links, index=index, path=[develop_eggs_dir],
                    newest=newest, allow_hosts=allow_hosts, allow_unknown_extras=allow_unknown_extras,
                )
            cache[key] = zc.buildout.easy_install.sort_working_set(found, eggs_dir, develop_eggs_dir)
        return copy.deepcopy(cache[key])

    def _cache(self) -> dict[tuple[object, ...], WorkingSet]:
        """This run's working sets, kept on the buildout object."""
        cache: dict[tuple[object, ...], WorkingSet] | None = getattr(
            self.buildout, self._WORKING_SET_CACHE_ATTR_NAME, None
        )
        if cache is None:
            cache = {}
            try:
                setattr(self.buildout, self._WORKING_SET_CACHE_ATTR_NAME, cache)
            except AttributeError:  # a plain mapping as the buildout: nothing to keep it on
                pass
        return cache

    def prepare(self) -> None:
        """Install the part's distributions ahead, holding back what that logs.

        Buildout asks this of a part it is about to install again before it
        sets the part's previous installation aside, so that an impossible
        pin or a conflict fails while that installation is untouched. What
        the installation logged is shown when the part is installed (at once
        if it failed), so the output reads as it always did.
        """
        held: list[logging.LogRecord] = []

        def hold(record: logging.LogRecord) -> bool:
            held.append(record)
            return False

        logger.addFilter(hold)
        try:
            self.working_set()
        except BaseException:
            logger.removeFilter(hold)
            _log(held)
            raise
        finally:
            logger.removeFilter(hold)
        self._held = held

    def install(self) -> Sequence[str]:
        self.working_set()
        return ()

    update = install


class Scripts(Eggs):
    """Also generates the console scripts of the distributions, entry points and an interpreter."""

    def __init__(self, buildout: Any, name: str, options: MutableMapping[str, str]) -> None:
        super().__init__(buildout, name, options)
        section = buildout["buildout"]
        options["bin-directory"] = options["_b"] = section["bin-directory"]
        directory = section["directory"]
        self.extra_paths = [os.path.join(directory, path) for path in _lines(options.get("extra-paths", ""))]
        if self.extra_paths:
            options["extra-paths"] = "\n".join(self.extra_paths)
        relative = options.get("relative-paths", section.get("relative-paths", "false"))
        if _flag({"relative-paths": relative}, name, "relative-paths", "false"):
            options["buildout-directory"] = directory
            self._relative_paths = directory
        else:
            self._relative_paths = ""
        include = options.get("include-site-packages", section.get("include-site-packages", "false"))
        self.include_site_packages = _flag(
            {"include-site-packages": include}, name, "include-site-packages", "false")

    def install(self) -> Sequence[str]:
        requirements, working_set = self.working_set()
        options = self.options
        scripts = options.get("scripts")
        # An empty `scripts` writes no console scripts; an `interpreter` asked for is still written.
        if scripts is not None and not scripts.strip() and not options.get("interpreter"):
            return ()
        names = None if scripts is None else dict(
            (token.partition("=")[0], token.partition("=")[2] or token) for token in scripts.split()
        )
        requests: list[str | tuple[str, ...]] = list(requirements)
        requests += self._entry_points()
        if _flag(options, self.name, "dependent-scripts", "false"):
            requests += [dist.project_name for dist in working_set
                         if dist.project_name != "setuptools" and dist.project_name not in requirements]
        return zc.buildout.easy_install.scripts(
            requests, working_set, sys.executable, options["bin-directory"],
            scripts=names, extra_paths=self.extra_paths,
            interpreter=options.get("interpreter"),
            initialization=options.get("initialization", ""),
            arguments=options.get("arguments", ""),
            relative_paths=self._relative_paths,
            include_site_packages=self.include_site_packages,
        )

    update = install

    def _entry_points(self) -> list[tuple[str, ...]]:
        found = []
        for text in self.options.get("entry-points", "").split():
            match = _ENTRY_POINT.match(text)
            if match is None:
                raise UserError(
                    f"Invalid entry point {text!r} in {self.name}:entry-points",
                    hint="Write each entry point as name=module:attribute.",
                )
            found.append(match.groups())
        return found


Egg = Scripts
