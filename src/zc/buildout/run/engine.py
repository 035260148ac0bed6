"""The engine: make the parts on disk match the configuration.

Order of work: extensions, directories, the develop step, then the parts.
Recipes that can check, before anything changes, that their part will
install (``zc.recipe.egg`` resolves its distributions) are asked to. Then,
newest first, installed parts that are gone from the configuration (full
runs only) are uninstalled, and those whose options or recipe changed are
set aside (:mod:`zc.buildout.run.aside`): their uninstall recipe runs and
their paths are renamed out of the way. Then every part is installed (new
or changed) or updated (unchanged), in dependency order. The installation
database is saved after each part, so a failure or an interruption keeps
what was done; a part set aside and not installed anew is put back as it
was, and the error says so.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from zc.buildout.config.loading import DEFAULT_OPTIONS
from zc.buildout.dists.resolve.picked import report
from zc.buildout.errors import add_note, doing
from zc.buildout.files import trees
from zc.buildout.net.credentials import redact_url
from zc.buildout.run import develop, layout, own_versions
from zc.buildout.run.aside import SetAside
from zc.buildout.run.database import InstalledDatabase, format_section
from zc.buildout.run.parts import Recipes, load_extensions, requested_parts, unload_extensions
from zc.buildout.run.signatures import Signatures
from zc.buildout.run.state import Run

if TYPE_CHECKING:
    from zc.buildout.config.options import Configuration, Options

__all__ = ["install"]

logger = logging.getLogger("zc.buildout")

_CONSUMED_OPTIONS = frozenset(
    {
        "directory", "parts", "develop", "extends", "optional-extends", "extends-cache",
        "extensions", "index", "find-links", "download-cache", "install-from-cache",
        "abi-tag-eggs", "verbosity", "allow-hosts", "use-dependency-links", "byte-compile",
    }
)
"""``[buildout]`` options read by buildout itself (or its installer) even when a
run does not need them; they never count as unused."""

_UNUSED_HINT = "This may be an indication for either a typo in the option's name or a bug in the used recipe."


def install(buildout: Configuration, run: Run, names: Sequence[str] = ()) -> None:
    """Install, update and uninstall parts; with ``names``, only those parts.

    ``buildout`` is the configuration (extensions receive it), ``run`` the
    run it started.
    """
    options = buildout["buildout"]
    loaded_extensions = load_extensions(buildout, run.recipes)
    layout.create(options)
    own_versions.check_own_distributions(buildout)
    database = InstalledDatabase(options.get("installed") or None)
    aside = SetAside(database)
    aside.recover()
    old_namespaces = develop.develop_projects(options, run.installer, database)
    with doing("Installing."):
        parts = requested_parts(buildout, names)
    _show_configuration(buildout, run)
    signatures = Signatures(layout.own(options))
    wanted = {part: _saved_options(buildout, run.recipes, part, signatures) for part in parts}
    changed = _changed_parts(database, wanted)
    for part in parts:
        if part in changed:
            _prepare(part, buildout[part])
    try:
        _uninstall_changed(run.recipes, database, aside, wanted, changed, names)
        _warn_unused(options)
        for part in parts:
            _install_or_update(part, buildout[part], database, aside, wanted[part])
    except BaseException as error:
        for part in aside.parts:
            aside.restore(part)
            add_note(error, f"The previous installation of {part} was kept.")
        raise
    database.save(final=True)
    report(run.picked, run.settings)
    _write_lock(run)
    develop.warn_about_old_namespaces(old_namespaces)
    unload_extensions(buildout, loaded_extensions)


def _install_or_update(part: str, options: Options, database: InstalledDatabase, aside: SetAside,
                       wanted: dict[str, str]) -> None:
    """Install ``part`` (new, or replacing the one set aside) or update it; record it."""
    replacing = part in aside.parts
    updating = part in database.parts and not replacing
    if updating:
        paths = _update(part, options, database)
    else:
        paths = _install(part, options)
    if replacing:
        database.forget(part)  # recorded anew, after the parts installed before it
    database.record(part, dict(wanted, __buildout_installed__="\n".join(paths)))
    database.save()
    aside.commit(part)
    if not updating:
        # An update may rightly skip options; install has to read them all.
        _warn_unused(options)


def _prepare(part: str, options: Options) -> None:
    """Let the recipe of a part to replace check, before anything changes, that it can install.

    That is its ``prepare`` method, if it has one (``zc.recipe.egg`` resolves
    the part's distributions).
    """
    prepare = getattr(options.recipe, "prepare", None)
    if callable(prepare):
        try:
            with doing(f"Preparing {part}."):
                _call(options, prepare)
        except BaseException as error:
            add_note(error, f"The previous installation of {part} was kept.")
            raise


def _write_lock(run: Run) -> None:
    """Bring the lock file up to date with what the run used (never with ``--locked``)."""
    lock = run.settings.lock
    if lock is None or run.settings.locked:
        return
    if lock.updated(run.used.values()).write():
        logger.info("Updated the lock file %s.", os.path.relpath(lock.path))


def _saved_options(buildout: Configuration, recipes: Recipes, part: str,
                   signatures: Signatures) -> dict[str, str]:
    """The options to compare with (and save to) the database: with the recipe's signature.

    Passwords in URLs are ``****``, as the database stores them: a changed
    password alone does not reinstall a part.
    """
    options = buildout[part]
    recipe = recipes.recipe(options["recipe"], options.location("recipe"))
    saved = {key: redact_url(value) for key, value in options.copy().items()}
    saved["__buildout_signature__"] = signatures.of_recipe(recipe.distribution, recipe.spec.extras)
    return saved


def _show_configuration(buildout: Configuration, run: Run) -> None:
    if run.log_level >= logging.DEBUG:
        return
    initialized = buildout.initialized_sections()
    sections = [format_section(name, initialized[name].copy()) for name in sorted(initialized)]
    logger.debug("Configuration data:\n%s", "\n".join(sections))


def _changes(part: str, old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Why ``part`` must be reinstalled (empty if it need not be)."""
    old = {key: value for key, value in old.items() if key != "__buildout_installed__"}
    reasons = [f"Part {part}, dropped option {key}." for key in sorted(old.keys() - new.keys())]
    reasons.extend(
        f"Part {part}, option {key} changed: {old[key]!r} != {new[key]!r}."
        for key in sorted(old.keys() & new.keys())
        if old[key] != new[key]
    )
    reasons.extend(f"Part {part}, new option {key}." for key in sorted(new.keys() - old.keys()))
    return reasons


def _changed_parts(database: InstalledDatabase, wanted: dict[str, dict[str, str]]) -> set[str]:
    """The installed parts to install again: their options or recipe changed, or a path is missing."""
    changed = set()
    for part in reversed(database.parts):  # newest first, as they are uninstalled
        if part not in wanted:
            continue
        reasons = _changes(part, database.options(part), wanted[part])
        reasons.extend(
            f"Part {part}, installed path {path} is missing."
            for path in database.installed_paths(part)
            if not os.path.lexists(path)
        )
        for reason in reasons:
            logger.debug(reason)
        if reasons:
            changed.add(part)
    return changed


def _uninstall_changed(
    recipes: Recipes,
    database: InstalledDatabase,
    aside: SetAside,
    wanted: dict[str, dict[str, str]],
    changed: set[str],
    names: Sequence[str],
) -> None:
    """Newest first, set aside the ``changed`` parts, uninstall those (in full runs) no longer wanted."""
    for part in reversed(list(database.parts)):
        if part in changed:
            with doing(f"Uninstalling {part}."):
                aside.set_aside(part, _run_uninstall_recipe(recipes, part, database.options(part)))
            continue
        if part in wanted or names:
            continue
        with doing(f"Uninstalling {part}."):
            trees.remove_paths(_run_uninstall_recipe(recipes, part, database.options(part)))
        database.forget(part)
        database.save()


def _run_uninstall_recipe(recipes: Recipes, part: str, saved: dict[str, str]) -> list[str]:
    """Run the part's uninstall recipe, if it has one; return the paths the part created.

    The uninstall recipe runs first, as upstream's does, while the paths are
    in place; what it changes elsewhere is not undone if the part is put back.
    """
    logger.info("Uninstalling %s.", part)
    recipe = saved.get("recipe")
    uninstaller = recipes.uninstaller(recipe) if recipe else None
    if uninstaller is not None:
        logger.info("Running uninstall recipe.")
        uninstaller(part, dict(saved))
    return saved.get("__buildout_installed__", "").split("\n")


def _install(part: str, options: Options) -> list[str]:
    logger.info("Installing %s.", part)
    with doing(f"Installing {part}."):
        result = _call(options, options.recipe.install)
    if result is None:
        logger.warning(
            "The %s install returned None.  A path or iterable of paths should be returned.", part
        )
    return _paths(result)


def _update(part: str, options: Options, database: InstalledDatabase) -> list[str]:
    logger.info("Updating %s.", part)
    old_paths = database.installed_paths(part)
    method = getattr(options.recipe, "update", None)
    if method is None:
        logger.warning(
            "The recipe for %s doesn't define an update method. Using its install method.", part
        )
        method = options.recipe.install
    try:
        with doing(f"Updating {part}."):
            result = _call(options, method)
    except BaseException:
        # The part is in an unknown state: forget it, so the next run installs it afresh.
        database.forget(part)
        database.save()
        trees.remove_paths(old_paths)
        raise
    return old_paths + [path for path in _paths(result) if path not in old_paths]


def _call(options: Options, method: Callable[[], Any]) -> Any:
    """Call a recipe method in the buildout directory; on failure remove what it ``created()``."""
    directory = os.getcwd()
    with options.recording_created() as created:
        try:
            return method()
        except BaseException:
            trees.remove_paths(reversed(created))
            raise
        finally:
            os.chdir(directory)


def _paths(result: Any) -> list[str]:
    if result is None:
        return []
    if isinstance(result, str):
        return [result]
    return [str(path) for path in result]


def _warn_unused(options: Options) -> None:
    """Warn about options of a part (or ``[buildout]``) that nothing read."""
    ignored: frozenset[str] | set[str] = frozenset()
    if options.name == "buildout":
        ignored = set(DEFAULT_OPTIONS) | _CONSUMED_OPTIONS
    unused = sorted(key for key in options.unused() if key not in ignored)  # upstream lists them sorted
    if unused:
        logger.warning(
            "Section `%s` contains unused option(s): %s.\n%s",
            options.name,
            " ".join(repr(key) for key in unused),
            _UNUSED_HINT,
        )
