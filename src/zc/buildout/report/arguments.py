"""The arguments of the report commands: names, flags such as ``--json``, options such as ``--format dot``.

They follow the command on the command line (``buildout graph app --json``)
in any order; an option's value is the next argument or follows ``=``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence

from zc.buildout.errors import UsageError

__all__ = ["CommandArguments"]


@dataclasses.dataclass(frozen=True)
class CommandArguments:
    """What followed a report command."""

    names: tuple[str, ...]
    """The arguments that are not options, in order."""
    flags: frozenset[str]
    """The flags given, such as ``--json``."""
    values: Mapping[str, str]
    """The options given, with their values."""

    @classmethod
    def parse(cls, command: str, args: Sequence[str], *, flags: Collection[str] = ("--json",),
              options: Collection[str] = ()) -> CommandArguments:
        """``args`` of ``command``, which takes ``flags`` and ``options``; a :class:`UsageError` else."""
        names: list[str] = []
        given: set[str] = set()
        values: dict[str, str] = {}
        arguments = iter(args)
        for argument in arguments:
            name, equals, value = argument.partition("=")
            if not argument.startswith("-"):
                names.append(argument)
            elif argument in flags:
                given.add(argument)
            elif name in options:
                if not equals:
                    value = next(arguments, "")
                if not value:
                    raise UsageError(f"The {command} command's {name} option needs a value.")
                values[name] = value
            else:
                known = ", ".join(sorted([*flags, *options])) or "none"
                raise UsageError(f"The {command} command has no option {name}.",
                                 hint=f"Its options are: {known}.")
        return cls(tuple(names), frozenset(given), values)

    @property
    def json(self) -> bool:
        return "--json" in self.flags
