"""The old ``easy_install`` calls mapped onto the installer, the object model and script generation.

Each call becomes a frozen :class:`~zc.buildout.dists.settings.InstallerSettings`
(the current run's, with what the call says) handed to
:class:`zc.buildout.dists.installer.Installer`, which reports what it picked
and used to the current run; its results become a
:class:`~zc.buildout.legacy.working_set.WorkingSet`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from zc.buildout.dists import installer as core_installer
from zc.buildout.dists.resolve.conflicts import MissingDistribution
from zc.buildout.dists.store.state import eggs_state
from zc.buildout.errors import UserError
from zc.buildout.legacy import dist_scripts
from zc.buildout.legacy.defaults import pins
from zc.buildout.legacy.distribution import DEVELOP_DIST, Distribution
from zc.buildout.legacy.requirement import Requirement
from zc.buildout.legacy.working_set import WorkingSet
from zc.buildout.run.scripts import real_paths
from zc.buildout.run.state import current_run

if TYPE_CHECKING:
    from zc.buildout.dists.settings import InstallerSettings
    from zc.buildout.dists.store.eggs import InstalledDistribution

__all__ = ["Installer", "build", "develop", "install", "scripts", "sort_working_set", "working_set"]


# -- installing ---------------------------------------------------------------


def _settings_for(
    dest: str | None,
    links: Iterable[str] = (),
    index: str | None = None,
    path: Sequence[str] | None = None,
    newest: bool = True,
    versions: Mapping[str, str] | None = None,
    allow_hosts: Iterable[str] = ("*",),
    check_picked: bool = True,
    allow_unknown_extras: bool = False,
) -> InstallerSettings:
    """The settings of one old-style call: the defaults, with what the call says.

    ``dest`` is the eggs directory; the first ``path`` entry is the
    develop-eggs directory. Without ``dest`` nothing is installed: the
    distributions come from the ``path`` directories (develop-eggs, then the
    eggs directory; a single one is the eggs directory) or, without
    ``path``, from buildout's own environment alone.
    """
    base = current_run().settings
    directories = [os.path.abspath(entry) for entry in path or ()]
    if dest is not None:
        eggs, develop_eggs = os.path.abspath(dest), directories[:1]
    elif directories:
        eggs, develop_eggs = directories[-1], directories[:-1][:1]
    else:  # only buildout's own environment, as upstream: an eggs directory that does not exist
        eggs, develop_eggs = eggs_state(base.eggs_directory, "no-eggs", create=False), []
    changes: dict[str, Any] = {
        "eggs_directory": eggs,
        # Without a develop-eggs directory, one that does not exist: no develop projects.
        "develop_eggs_directory": develop_eggs[0] if develop_eggs else eggs_state(
            eggs, "no-develop-eggs", create=False),
        "find_links": tuple(links),
        "allow_hosts": tuple(allow_hosts) or ("*",),
        "newest": newest and dest is not None and not base.offline,
        "offline": dest is None or base.offline,
        "allow_unknown_extras": allow_unknown_extras,
    }
    if index is not None:
        changes["index"] = index
    if versions is not None:
        changes["pins"] = pins(versions)
    if not check_picked:
        changes["allow_picked_versions"] = True
    return base._replace(**changes)


def _check_python(executable: object, *unsupported: object) -> None:
    if executable != sys.executable:
        raise UserError(
            f"Buildout installs distributions for the Python it runs with ({sys.executable}),"
            f" not {executable}."
        )
    if any(value is not None for value in unsupported):
        raise UserError("include-site-packages and allowed-eggs-from-site-packages are not supported.")


class Installer:
    """The old installer object: settings given once, then :meth:`install` and :meth:`build`.

    Every distribution installed (not a develop one) passes through
    :meth:`_get_dist` on its way into the working set, so code that wraps
    it (plone.versioncheck) sees each pick.
    """

    def __init__(
        self,
        dest: str | None = None,
        links: Iterable[str] = (),
        index: str | None = None,
        executable: str = sys.executable,
        always_unzip: object = None,
        path: Sequence[str] | None = None,
        newest: bool = True,
        versions: Mapping[str, str] | None = None,
        use_dependency_links: object = None,
        allow_hosts: Iterable[str] = ("*",),
        check_picked: bool = True,
        allow_unknown_extras: bool = False,
        *,
        own_words: bool = False,
    ) -> None:
        _check_python(executable)
        self._settings = _settings_for(
            dest, links, index, path, newest, versions, allow_hosts, check_picked, allow_unknown_extras
        )
        if use_dependency_links is not None:
            self._settings = self._settings._replace(use_dependency_links=bool(use_dependency_links))
        self._got: dict[str, Distribution] = {}
        self._upstream_offline_error = dest is None and not own_words

    def install(self, specs: Iterable[str], working_set: WorkingSet | None = None) -> WorkingSet:
        """Install ``specs`` and their dependencies; return the working set holding them."""
        run = current_run()
        core = core_installer.Installer(self._settings, picked=run.picked, used=run.used)
        try:
            installed = core.install([str(spec) for spec in specs])
        except MissingDistribution as error:
            if not self._upstream_offline_error:
                raise
            raise UserError(  # upstream's words: tests of recipes compare them
                f"We don't have a distribution for {error.wanted}\n"
                "and can't install one in offline (no-install) mode.\n") from None
        result = WorkingSet(()) if working_set is None else working_set
        for dist in installed:
            self._add(result, dist)
        return result

    def _add(self, result: WorkingSet, installed: InstalledDistribution) -> None:
        dist = Distribution.from_installed(installed)
        if dist.precedence == DEVELOP_DIST:
            result.add(dist)
            return
        self._got[dist.key] = dist
        for got in self._get_dist(Requirement.pinned(dist.project_name, dist.version), result):
            result.add(got)

    def _get_dist(self, requirement: Requirement, ws: WorkingSet, *args: object, **kwargs: object) -> list[Distribution]:
        """The distributions obtained for ``requirement`` (a pinned ``name==version``)."""
        return [self._got[requirement.key]]

    def build(self, spec: str, build_ext: Mapping[str, str]) -> list[str]:
        """Build ``spec`` from its source distribution with ``build_ext`` settings; return locations."""
        from zc.buildout.dists import custom  # start-up: only custom builds need the build tools

        return [custom.build_custom(spec, build_ext, self._settings).location]


def install(
    specs: Iterable[str],
    dest: str | None,
    links: Iterable[str] = (),
    index: str | None = None,
    executable: str = sys.executable,
    always_unzip: object = None,
    path: Sequence[str] | None = None,
    working_set: WorkingSet | None = None,
    newest: bool = True,
    versions: Mapping[str, str] | None = None,
    use_dependency_links: object = None,
    allow_hosts: Iterable[str] = ("*",),
    include_site_packages: object = None,
    allowed_eggs_from_site_packages: object = None,
    check_picked: bool = True,
    allow_unknown_extras: bool = False,
    *,
    own_words: bool = False,
) -> WorkingSet:
    """Install ``specs`` into ``dest`` (``None``: use only what ``path`` holds); return a working set.

    Without ``dest``, a missing distribution is reported in upstream's
    words (recipes' tests compare them), or with ``own_words`` in
    buildout's, which say who required it.
    """
    _check_python(executable, include_site_packages, allowed_eggs_from_site_packages)
    installer = Installer(
        dest, links, index, executable, always_unzip, path, newest, versions,
        use_dependency_links, allow_hosts, check_picked, allow_unknown_extras, own_words=own_words,
    )
    return installer.install(specs, working_set)


def working_set(
    specs: Iterable[str],
    executable: str | Sequence[str],
    path: Sequence[str] | None = None,
    include_site_packages: object = None,
    allowed_eggs_from_site_packages: object = None,
    *,
    own_words: bool = False,
) -> WorkingSet:
    """The working set of ``specs`` from the directories of ``path``, installing nothing.

    The old form ``working_set(specs, path)`` is accepted too; ``own_words``
    as for :func:`install`.
    """
    if not isinstance(executable, str):
        executable, path = sys.executable, executable
    _check_python(executable, include_site_packages, allowed_eggs_from_site_packages)
    return install(specs, None, path=path, own_words=own_words)


def build(
    spec: str,
    dest: str,
    build_ext: Mapping[str, str],
    links: Iterable[str] = (),
    index: str | None = None,
    executable: str = sys.executable,
    path: Sequence[str] | None = None,
    newest: bool = True,
    versions: Mapping[str, str] | None = None,
    allow_hosts: Iterable[str] = ("*",),
) -> list[str]:
    """Build ``spec`` from source with ``build_ext`` settings into ``dest``; return its locations."""
    installer = Installer(dest, links, index, executable, path=[dest, *(path or ())], newest=newest,
                          versions=versions, allow_hosts=allow_hosts)
    return installer.build(spec, build_ext)


def develop(
    setup: str, dest: str, build_ext: Mapping[str, str] | None = None, executable: str = sys.executable
) -> str:
    """Install the project of ``setup`` (a directory or its setup file) in editable mode into ``dest``.

    Returns the path of the ``.egg-link`` written into ``dest``.
    """
    from zc.buildout.dists import custom  # start-up: only custom builds need the build tools

    _check_python(executable)
    project = os.path.abspath(os.path.expanduser(setup))
    if os.path.isfile(project):
        project = os.path.dirname(project)
    settings = _settings_for(os.path.abspath(dest), path=[dest])
    return custom.develop_custom(project, build_ext or {}, settings).egg_link


# -- scripts ------------------------------------------------------------------


def scripts(
    reqs: Iterable[dist_scripts.ScriptRequest],
    working_set: WorkingSet,
    executable: str,
    dest: str | None = None,
    scripts: Mapping[str, str] | None = None,
    extra_paths: Iterable[str] = (),
    arguments: str = "",
    interpreter: str | None = None,
    initialization: str = "",
    relative_paths: str | bool = False,
    *,
    template: str,
    include_site_packages: bool = False,
) -> list[str]:
    """Write console scripts (and an interpreter) into ``dest``; return their paths.

    Console scripts are written from ``template`` (see
    :data:`zc.buildout.run.scripts.script_template`). They see the
    interpreter's site-packages only with ``include_site_packages``.
    """
    if dest is None:
        raise TypeError("scripts() needs dest, the directory to write the scripts into.")
    return dist_scripts.generate(
        reqs, working_set, executable=executable, dest=dest, names=scripts,
        extra_paths=extra_paths, arguments=arguments, interpreter=interpreter,
        initialization=initialization, relative_to=str(relative_paths) if relative_paths else None,
        template=template, include_site_packages=include_site_packages,
    )


def sort_working_set(ws: WorkingSet, eggs_dir: str, develop_eggs_dir: str) -> WorkingSet:
    """A new working set: develop distributions first, then those in ``eggs_dir``, then the rest."""
    eggs = os.path.realpath(eggs_dir) + os.sep
    dists = list(ws)
    ranks = [0 if dist.precedence == DEVELOP_DIST else 1 if real.startswith(eggs) else 2
             for dist, real in zip(dists, real_paths(dist.location for dist in dists))]
    result = WorkingSet(())
    for _, dist in sorted(zip(ranks, dists), key=lambda ranked: ranked[0]):
        result.add(dist)
    return result
