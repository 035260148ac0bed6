"""The installer: requirements -> resolved -> fetched and installed -> the distributions to use.

Who does what: :class:`Installer` holds what lasts a run (the HTTP client,
the index pages read, the picked versions); :func:`~zc.buildout.dists.resolve.resolver.resolve`
chooses versions; :func:`~zc.buildout.dists.install.fetch.materialise` downloads and
installs what is missing, concurrently.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, cast

from zc.buildout.dists.resolve.picked import PickedVersions
from zc.buildout.dists.resolve.result import log_choices
from zc.buildout.dists.store.closure import own_distributions
from zc.buildout.dists.store.eggs import InstalledDistribution, InstalledEggs
from zc.buildout.errors import UserError

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from zc.buildout.dists.build.isolation import BuildEnvironments
    from zc.buildout.dists.find.index import Finder
    from zc.buildout.dists.find.pages import DistributionFile
    from zc.buildout.dists.install.compiler import Compiler
    from zc.buildout.dists.install.editable import DevelopResult
    from zc.buildout.dists.install.fetch import Fetcher
    from zc.buildout.dists.lock.file import LockedDistribution
    from zc.buildout.dists.resolve.resolver import Resolved
    from zc.buildout.dists.settings import InstallerSettings
    from zc.buildout.net.httpclient import HTTPClient

__all__ = ["Installer", "install_build_requirements"]

logger = logging.getLogger("zc.buildout")


class Installer:
    """Installs requirements into the eggs directory, as ``settings`` say.

    One installer serves a whole run: each index page is read once, and
    :attr:`picked_versions` collects what every :meth:`install` picked.
    """

    def __init__(
        self,
        settings: InstallerSettings,
        *,
        client: HTTPClient | None = None,
        picked: PickedVersions | None = None,
        used: dict[str, LockedDistribution] | None = None,
    ) -> None:
        self.settings = settings
        self.picked_versions = PickedVersions() if picked is None else picked
        """What the installations picked; a run passes the one all its installations share."""
        self.used: dict[str, LockedDistribution] = {} if used is None else used
        """What the installations used, for the lock file (by canonical name); shared likewise."""
        self._client = client
        self._finder: Finder | None = None
        self._own: dict[str, InstalledDistribution] | None = None
        self._lock = threading.Lock()
        self._installing = False
        self._fetcher: Fetcher | None = None
        self._index_asked = False
        """Whether the resolution going on has asked for the index."""
        self._warned_pins: set[str] = set()
        """Pins of buildout's own distributions set aside (and warned about) for this process."""

    def install(self, requirements: Sequence[str]) -> list[InstalledDistribution]:
        """Resolve ``requirements``, install what is missing, return the whole set.

        The order is breadth-first from the requirements, as they are given.
        Requirements whose marker is false here are left out.
        """
        if not requirements:
            return []
        if logger.isEnabledFor(logging.DEBUG) and (wanted := _requirements(requirements)):
            logger.debug("Installing %s.", ", ".join(repr(str(requirement)) for requirement in wanted))
        self._installing = True
        try:
            found = self._resolve(requirements)
            if found is None:
                return []
            resolved, settled, fixed = found
            log_choices(resolved)
            self.picked_versions.check(resolved, self.settings)
            locked = self._lock_entries(resolved)
            installed = self._materialise(resolved)
            if self.settings.use_dependency_links:
                _say_dependency_links_are_ignored(
                    dist for dist, was in zip(installed, resolved) if was.installed is None)
            if locked:
                from zc.buildout.dists.lock.checks import with_fetched_archives  # start-up: lock files only
                from zc.buildout.dists.lock.file import record  # start-up: only with a lock file

                record(self.used, with_fetched_archives(locked, resolved, installed))
            if settled:  # remembered after installing: the eggs directory is as the next run will find it
                from zc.buildout.dists.resolve.remembered import Resolutions  # start-up: only when installing

                Resolutions(self.settings, requirements).remember(
                    [dist._replace(installed=dist_installed, file=None)
                     for dist, dist_installed in zip(resolved, installed)],
                    files=[dist.file for dist in resolved] if fixed else None)
            return installed
        finally:
            with self._lock:
                self._installing = False
                fetcher, self._fetcher = self._fetcher, None
            if fetcher is not None:
                fetcher.close()
            if self._finder is not None:
                self._finder.close()

    def resolution(self, requirements: Sequence[str]) -> list[Resolved]:
        """How ``requirements`` resolve among the distributions installed already.

        Nothing is fetched, installed or remembered: the settings must be
        offline. Each distribution of the result has ``installed`` set.
        """
        assert self.settings.offline, "a resolution from installed distributions is made offline"
        found = self._resolve(requirements, plans=False)
        return found[0] if found else []

    def _resolve(self, requirements: Sequence[str], *, plans: bool = True
                 ) -> tuple[list[Resolved], bool, bool] | None:
        """The resolution of ``requirements``, whether to remember it once installed, and as a plan.

        It is the one remembered (:mod:`~zc.buildout.dists.resolve.remembered`;
        without ``plans``, only one wholly installed) if nothing it depends on
        changed. A new one is worth remembering when it warned about nothing
        and came from installed distributions alone or, a plan too, has every
        version fixed by a pin or an ``==`` requirement. ``None`` when no
        requirement applies here (their markers are false).
        """
        from zc.buildout.dists.resolve.remembered import Resolutions  # start-up: only when installing

        recalled = Resolutions(self.settings, requirements).recall(self.own)
        if recalled is not None and (plans or recalled[1]):
            resolved, installed = recalled
            return resolved, not installed, not installed
        wanted = _requirements(requirements)
        if not wanted:
            return None
        from zc.buildout.dists.resolve.candidates import need_from_requirement  # start-up: resolving only
        from zc.buildout.dists.resolve.resolver import resolve  # start-up: only when resolving

        needs = [need_from_requirement(requirement) for requirement in wanted]
        settings = self._running_own_versions() if self.settings.in_process else self.settings
        environment = InstalledEggs(settings.eggs_directory, settings.develop_eggs_directory)
        source = None if settings.offline else self._get_finder
        self._index_asked = False
        with _WarningCounter.attached() as warnings:
            resolved = resolve(needs, settings, environment.find, self.own(), source)
        fixed, quiet = not any(dist.picked for dist in resolved), not warnings.count
        return resolved, quiet and (fixed or not self._index_asked), quiet and fixed

    def _running_own_versions(self) -> InstallerSettings:
        """The settings without the pins that buildout's own running distributions miss.

        For buildout's own process the running versions win. A ``[versions]``
        pin that excludes one is warned about, once a run; a lock file's pin
        just follows the running version (the lock is brought up to date).
        """
        settings = self.settings
        lock_file = None if settings.lock is None else settings.lock.path
        pins = dict(settings.pins)
        for key, dist in self.own().items():
            pin = pins.get(key)
            if pin is None or pin.specifier_set.contains(dist.version, prereleases=True):
                continue
            del pins[key]
            from_lock = pin.location is not None and pin.location.source == lock_file
            if not from_lock and key not in self._warned_pins:
                self._warned_pins.add(key)
                logger.warning(
                    "The pin %s does not allow the running %s %s, which buildout's own process"
                    " uses (for recipes and extensions); parts get the pinned version.",
                    pin, dist.name, dist.version)
        return settings if len(pins) == len(settings.pins) else settings._replace(pins=pins)

    def _lock_entries(self, resolved: Sequence[Resolved]) -> list[LockedDistribution]:
        """The lock entries of ``resolved``; with ``--locked``, none, after checking them."""
        settings = self.settings
        if settings.lock is None:
            return []
        from zc.buildout.dists.lock import checks  # start-up: only with a lock file

        dists = checks.lockable(resolved, self.own(), in_process=settings.in_process)
        if settings.locked:
            checks.check(dists, settings.lock, self.own())
            return []
        checks.check_files(dists, settings.lock)
        return checks.entries(dists, settings.lock, None if settings.offline else self._get_finder)

    def develop(self, project_directory: str) -> DevelopResult:
        """Install a project in editable mode into the develop-eggs directory."""
        from zc.buildout.dists.install.editable import install_editable  # start-up: only the develop step

        return install_editable(project_directory, self._build_environments())

    def own(self) -> dict[str, InstalledDistribution]:
        """Buildout's own distributions (by canonical name), as the running environment has them."""
        self._own = own_distributions() if self._own is None else self._own
        return self._own

    def _get_finder(self) -> Finder:
        self._index_asked = True
        if self._finder is None:
            from zc.buildout.dists.find.index import Finder  # start-up: only when reading an index

            self._finder = Finder(self.settings, self._get_client(), on_download=self._prepare,
                                  environments=self._build_environments(), pinned_only=True,
                                  workers=self._workers)
            self._workers()  # started while the first pages are read
        return self._finder

    def _workers(self) -> Compiler | None:
        """The installation's worker processes, started (a big index page may go to one)."""
        fetcher = self._get_fetcher()
        return None if fetcher is None else fetcher.workers()

    def _get_fetcher(self) -> Fetcher | None:
        """This installation's fetcher (``None`` once it is over)."""
        with self._lock:
            if self._fetcher is None and self._installing:
                from zc.buildout.dists.install.fetch import Fetcher  # start-up: only when installing

                self._fetcher = Fetcher(self.settings, self._get_client(), self._build_environments)
            return self._fetcher

    def _prepare(self, file: DistributionFile, path: str) -> None:
        """A likely pick was downloaded while resolving: start installing it in the egg cache (the
        fetcher's thread waits for its metadata: a small wheel comes whole inside that read)."""
        fetcher = self._get_fetcher() if self.settings.download_cache is not None else None
        if fetcher is not None and self._finder is not None:
            pin = self.settings.pins.get(file.name)
            fetcher.prepare(file.filename, path, file.sha256, functools.partial(self._finder.read_metadata, file),
                            pinned=pin is not None and pin.exact == file.version)

    def _build_environments(self) -> BuildEnvironments:
        """Where this installer's builds run, installing requirements buildout's environment lacks
        (with this installer's HTTP client)."""
        from zc.buildout.dists.build.isolation import BuildEnvironments  # start-up: only when building

        install = functools.partial(install_build_requirements, client=self._get_client)
        return BuildEnvironments(self.settings, install)

    def _get_client(self) -> HTTPClient:
        if self._client is None:
            from zc.buildout.net.httpclient import HTTPClient  # start-up: only on the network

            self._client = HTTPClient(timeout=self.settings.socket_timeout)
        return self._client

    def _materialise(self, resolved: Sequence[Resolved]) -> list[InstalledDistribution]:
        """The installed distributions of ``resolved``, installing those that are not yet."""
        missing = [dist for dist in resolved if dist.installed is None]
        if not missing and not any(self._is_own(dist.installed) for dist in resolved):
            return [cast(InstalledDistribution, dist.installed) for dist in resolved]  # nothing to do
        fetcher = self._get_fetcher()
        assert fetcher is not None
        # Buildout's own, which the resolver hands back as it was given them, are copied meanwhile.
        copies = {index: fetcher.alongside(self._own_egg, dist.installed, fetcher.compiler)
                  for index, dist in enumerate(resolved) if self._is_own(dist.installed)}
        fetched = iter(self._fetch(missing) if missing else [])
        return [copies[index].result() if index in copies else next(fetched) if dist.installed is None
                else cast(InstalledDistribution, dist.installed) for index, dist in enumerate(resolved)]

    def _own_egg(self, dist: InstalledDistribution, compiler: Compiler) -> InstalledDistribution:
        """``dist``, or, for one of buildout's own, where it is without its neighbours."""
        if not self._is_own(dist):
            return dist
        from zc.buildout.dists.install.own_eggs import own_egg  # start-up: only when installing

        return own_egg(dist, self.settings.eggs_directory, compiler)

    def _is_own(self, dist: object) -> bool:
        """Whether ``dist`` is one of buildout's own distributions, as the running environment has it."""
        own = self._own
        return isinstance(dist, InstalledDistribution) and own is not None and own.get(dist.key) is dist

    def _fetch(self, missing: Sequence[Resolved]) -> list[InstalledDistribution]:
        from zc.buildout.dists.install.fetch import PickedFile  # start-up: only when installing
        from zc.buildout.net.file_urls import file_url  # start-up: only when installing

        files = []
        for dist in missing:
            assert dist.file is not None
            local = self._finder.downloaded(dist.file) if self._finder is not None else None
            files.append(PickedFile(
                name=dist.name,
                version=str(dist.version),
                filename=dist.file.filename,
                url=file_url(local) if local else dist.file.url,
                sha256=self._expected_sha256(dist.file),
                requirement=dist.requirement,
            ))
        fetcher = self._get_fetcher()
        assert fetcher is not None
        return fetcher.materialise(files)

    def _expected_sha256(self, file: DistributionFile) -> str | None:
        """The digest ``file`` must have: the lock's when it holds the file, else the index's."""
        if self.settings.lock is None:
            return file.sha256
        from zc.buildout.dists.lock.checks import expected_sha256  # start-up: only with a lock file

        return expected_sha256(self.settings.lock, file) or file.sha256


def _requirements(texts: Sequence[str]) -> list[Requirement]:
    """The requirements whose markers hold here, without their markers."""
    from packaging.requirements import InvalidRequirement, Requirement  # start-up: remembered ones need none

    found = []
    for text in texts:
        try:
            requirement = Requirement(text)
        except InvalidRequirement as error:
            raise UserError(f"Invalid requirement {text!r}: {error}") from None
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        requirement.marker = None
        if requirement.url:
            from zc.buildout.dists.resolve.candidates import need_from_requirement  # start-up: resolving only

            need_from_requirement(requirement)  # refuses it, as the resolver does
        found.append(requirement)
    return found


class _WarningCounter(logging.Handler):
    """Counts the warnings buildout's logger logs while it is attached."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1

    @classmethod
    @contextlib.contextmanager
    def attached(cls) -> Iterator[_WarningCounter]:
        counter = cls()
        logger.addHandler(counter)
        try:
            yield counter
        finally:
            logger.removeHandler(counter)


def _say_dependency_links_are_ignored(installed: Iterable[InstalledDistribution]) -> None:
    """Warn about the dependency links (``dependency_links.txt``) of newly installed distributions."""
    for dist in installed:
        links = (dist.metadata.read_text("dependency_links.txt") or "").split()
        if links:
            logger.warning(
                "%s %s declares dependency links (%s), which buildout does not follow:"
                " it installs from the index and find-links only. Add them to find-links"
                " if they are needed (use-dependency-links = false says nothing).",
                dist.name, dist.version, " ".join(links))


def install_build_requirements(requirements: Sequence[str], settings: InstallerSettings, description: str,
                               *, client: Callable[[], HTTPClient] | None = None) -> list[str]:
    """Install the build requirements of ``description`` as ``settings`` say; the path entries to import them from.

    ``client()`` is the run's HTTP client, if it has one: its connections
    and certificates serve the build's installation too. A requirement that
    cannot be found is refused naming the build and where buildout looked.
    """
    from zc.buildout.dists.build.frontend import BuildError  # start-up: only when building
    from zc.buildout.dists.resolve.conflicts import MissingDistribution  # start-up: only when building

    try:
        installer = Installer(settings, client=None if client is None else client())
        return [dist.location for dist in installer.install(requirements)]
    except MissingDistribution as error:
        raise BuildError(
            f"Couldn't build {description}: its build backend needs {error.wanted},"
            f" which is neither in buildout's environment nor {_where_looked(settings)}."
        ) from None


def _where_looked(settings: InstallerSettings) -> str:
    """Where an installation with ``settings`` looks for distributions, for messages."""
    from zc.buildout.net.credentials import redact_url  # start-up: only when building

    if settings.offline:
        return "among the distributions installed already (buildout is offline)"
    places = [f"on the index {redact_url(settings.index)}" if settings.index else "on the default index"]
    if settings.find_links:
        places.append(f"in find-links ({', '.join(redact_url(link) for link in settings.find_links)})")
    return " or ".join(places)
