"""``zc.buildout.configparser``: parsing Buildout's configuration dialect.

Upstream's module path, which tools that read configurations and the
installation database import (SlapOS, zc.buildout.languageserver). The
parser lives in :mod:`zc.buildout.config.parser`.
"""

from zc.buildout.config.parser import (
    Error,
    MissingSectionHeaderError,
    ParsingError,
    RawOption,
    RawSections,
    parse,
    parse_text,
)

__all__ = [
    "Error", "MissingSectionHeaderError", "ParsingError", "RawOption", "RawSections", "parse", "parse_text",
]
