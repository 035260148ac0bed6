"""Sections and options: ``${section:option}`` substitution, macros, lazy initialisation.

Who does what: :class:`Configuration` maps section names to :class:`Options`
and initialises a section the first time it is asked for; initialising
applies the section's macros, forces its substitutions (which initialises
the sections they reference, discovering implicit parts), initialises its
``<part-dependencies>`` and finally builds its recipe, appending the section
to the part list. Recipes are made by the *recipe loader* the configuration
is given, so this module does no I/O.
"""

from __future__ import annotations

import contextlib
import io
import os
import textwrap
import types
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, Protocol

from zc.buildout.config import loading, parser, substitution
from zc.buildout.config.loading import HistoryEntry, LoadedConfiguration, Value
from zc.buildout.errors import Location, MissingOption, MissingSection, UserError, doing

__all__ = ["Configuration", "Options", "RecipeLoader", "bool_option"]

PART_DEPENDENCIES = "<part-dependencies>"
"""The option ``=> a b`` sets: parts to initialise before this one."""

_MISSING = object()


class RecipeLoader(Protocol):
    """Turns a ``recipe`` option into the callable that builds the recipe."""

    def load(self, options: Options) -> Callable[[Any, str, Options], Any]: ...


class Options(MutableMapping[str, str]):
    """The options of one section, as recipes see them.

    Reading an option substitutes its ``${section:option}`` references (once;
    the result is kept). Values a recipe sets are stored as they are and never
    substituted.
    """

    def __init__(self, buildout: Configuration, section: str, data: Mapping[str, str]) -> None:
        self.buildout = buildout
        self.name = section
        self._raw: dict[str, str] = data if isinstance(data, dict) else dict(data)
        self._data: dict[str, str] = {}
        """Substituted values and values set by recipes."""
        self._values: Mapping[str, Value] = getattr(buildout, "_annotated", {}).get(section, {})
        self._used: set[str] = set()
        self._created: list[str] | None = None
        self.recipe: Any = None

    # -- reading --------------------------------------------------------

    def get(
        self, key: str, default: Any = None, seen: list[tuple[str, str]] | None = None
    ) -> Any:
        """The substituted value of ``key``, or ``default``.

        ``seen`` is the chain of ``(section, option)`` being substituted, used
        to detect circular references.
        """
        self._used.add(key)
        if key in self._data:
            return self._data[key]
        raw = self._raw.get(key)
        if raw is None:
            return default
        if "${" in raw:
            raw = self._substitute_option(key, raw, seen)
        self._data[key] = raw
        return raw

    def __getitem__(self, key: str) -> str:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise MissingOption(f"Missing option: {self.name}:{key}")
        return value  # type: ignore[no-any-return]

    def __contains__(self, key: object) -> bool:
        return key in self._data or key in self._raw

    def __iter__(self) -> Iterator[str]:
        yield from self._raw
        yield from (key for key in self._data if key not in self._raw)

    def __len__(self) -> int:
        return len(self._raw.keys() | self._data.keys())

    def __repr__(self) -> str:
        return repr(self.copy())

    def copy(self) -> dict[str, str]:
        """A plain dict of the options: raw values overlaid with substituted and set ones."""
        result = dict(self._raw)
        result.update(self._data)
        return result

    # -- writing --------------------------------------------------------

    def __setitem__(self, key: str, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Option values must be strings", value)
        self._used.add(key)
        self._data[key] = value

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self._raw.pop(key, None)
        self._data.pop(key, None)

    # -- what recipes created -------------------------------------------

    def created(self, *paths: str) -> list[str]:
        """Register paths the running ``install``/``update`` created; return them all.

        If the method fails, buildout removes them again.
        """
        if self._created is None:
            raise TypeError("Attempt to register a created path while not installing", self.name)
        self._created.extend(paths)
        return self._created

    @contextlib.contextmanager
    def recording_created(self) -> Iterator[list[str]]:
        """Let ``created()`` record paths while the block runs."""
        self._created = []
        try:
            yield self._created
        finally:
            self._created = None

    # -- substitution ---------------------------------------------------

    def _substitute_option(
        self, key: str, raw: str, seen: list[tuple[str, str]] | None
    ) -> str:
        step = (self.name, key)
        if seen is None:
            substitution.prepare(self, key)
            seen = [step]
        elif step in seen:
            raise substitution.circular_reference(self.buildout, seen, step)
        else:
            seen.append(step)
        try:
            with doing(f"Getting option {self.name}:{key}."):
                return self._sub(raw, seen)
        finally:
            seen.pop()

    def _sub(self, template: str, seen: list[tuple[str, str]]) -> str:
        """Expand the ``${section:option}`` references in ``template``.

        ``$$`` prevents a substitution and is kept as it is.
        """
        return "$$".join(
            substitution.expand(piece, self, seen) for piece in template.split("$$")
        )

    def location(self, key: str) -> Location | None:
        """The file and line that set ``key``.

        ``None`` for a value that did not come from a file: a default, the
        command line, a value a recipe set.
        """
        value = self._values.get(key)
        if value is None or value.text != self._raw.get(key) or value.location.source.endswith("_VALUE"):
            return None
        return value.location

    def raw(self, key: str) -> str | None:
        """The value of ``key`` as configured, before substitution."""
        return self._raw.get(key)

    def unused(self) -> list[str]:
        """The options nothing has read (or set) yet, in the order they are listed."""
        return [key for key in self if key not in self._used]

    # -- initialisation -------------------------------------------------

    def _initialize(self) -> None:
        if "<" in self._raw:
            self._expand_macros()
        for key in sorted(self._raw):
            if key not in self._data and "${" in self._raw[key]:
                self._data[key] = self._substitute_option(key, self._raw[key], None)

    def _expand_macros(self) -> None:
        if self.name == "buildout":
            raise UserError(
                "The buildout section cannot use macros (<).", location=self.location("<")
            )
        values = loading.expand_macros(self.buildout._annotated, self.name)
        self._values = values
        self._raw.clear()
        self._raw.update((key, value.text) for key, value in values.items())


class Configuration(MutableMapping[str, Options]):
    """All sections of a buildout, initialised on first access."""

    _options_class: type[Options] = Options
    """The class of a section (``zc.buildout.testing.Buildout`` uses its own)."""

    def __init__(self, loaded: LoadedConfiguration, recipes: RecipeLoader | None = None) -> None:
        self._annotated: dict[str, dict[str, Value]] = loaded.sections
        self._raw: dict[str, dict[str, str]] = {
            name: {key: value.text for key, value in options.items()}
            for name, options in loaded.sections.items()
        }
        self._data: dict[str, Options] = {}
        self._parts: list[str] = []
        """Initialised sections with a recipe, in dependency order (upstream's private name)."""
        self.recipes = recipes
        """Builds the recipes of parts; a configuration without one has no parts."""

    def __getitem__(self, section: str) -> Options:
        options = self._data.get(section)
        if options is not None:
            return options
        with doing(f"Getting section {section}."):
            data = self._raw.get(section)
            if data is None:
                raise MissingSection(f"The referenced section, {section!r}, was not defined.")
            options = self._options_class(self, section, data)
            self._data[section] = options
            with doing(f"Initializing section {section}."):
                options._initialize()
                self._initialize_part(options)
        return options

    def _initialize_part(self, options: Options) -> None:
        if options.name == "buildout":
            return
        for dependency in options.get(PART_DEPENDENCIES, "").split():
            self[dependency]
        if options.get("recipe"):
            if self.recipes is None:
                raise TypeError(f"[{options.name}] has a recipe, but this configuration loads none.")
            factory = self.recipes.load(options)
            options.recipe = factory(self, options.name, options)
            self._parts.append(options.name)

    def __setitem__(self, name: str, data: Mapping[str, object]) -> None:
        """Add a section (a meta-recipe's way of creating parts) and initialise it."""
        if name in self._raw:
            raise KeyError("Section already exists", name)
        texts = {key: str(value) for key, value in data.items()}
        self._raw[name] = texts
        self._annotated[name] = {
            key: Value(text, [HistoryEntry("SET", text, "COMPUTED_VALUE")])
            for key, text in texts.items()
        }
        self[name]

    def __delitem__(self, name: str) -> None:
        raise NotImplementedError("Sections cannot be removed")

    @property
    def initialized_parts(self) -> list[str]:
        """The parts initialised so far, each after those it depends on."""
        return list(self._parts)

    def initialized_sections(self) -> Mapping[str, Options]:
        """The sections initialised so far, by name (a read-only view)."""
        return types.MappingProxyType(self._data)

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, name: object) -> bool:
        return name in self._raw

    def parse(self, text: str) -> None:
        """Add the sections of configuration ``text`` (dedented), as ``buildout[name] = ...``."""
        sections = parser.parse(io.StringIO(textwrap.dedent(text)), "<string>")
        for name, options in sections.items():
            self[name] = options

    def format_options(self, base_path: str | None = None) -> str:
        """The initialised sections (but ``buildout`` and the versions), as ``print_options`` shows them."""
        versions = self._raw.get("buildout", {}).get("versions", "versions")
        lines: list[str] = []
        for name in sorted(self._data):
            if name in ("buildout", versions):
                continue
            lines.append(f"[{name}]")
            for key, value in sorted(self._data[name].copy().items()):
                if base_path is not None:
                    value = value.replace(os.getcwd(), base_path)
                value = value.replace("\n", "\n  ")
                lines.append(f"{key} = {value}")
        return "".join(line + "\n" for line in lines)


def bool_option(options: Mapping[str, str], name: str, default: str | bool | None = None) -> bool:
    """The value of a ``true``/``false`` option; anything else is a user error.

    ``default`` applies when the option is not set; it may be a ``bool``
    (recipes pass ``default=True``).
    """
    value: str | bool | None = options.get(name, default)
    if value is None:
        raise MissingOption(f"Missing option: {getattr(options, 'name', '?')}:{name}")
    if value == "true" or value is True:
        return True
    if value == "false" or value is False:
        return False
    location = options.location(name) if isinstance(options, Options) else None
    raise UserError(
        f"Invalid value for {name!r} option: {value!r}",
        location=location,
        hint="Use true or false.",
    )
