"""PEP 440 versions as a run mostly meets them, read without :mod:`packaging.version` where they are plain.

A run with nothing to do checks hundreds of versions and a few pins, nearly
all of them releases (``1.2.3``) or their pre-, post- and development
releases in canonical form (``2.0rc1``, ``1.0.post2``, ``7.0.0.dev0``).
These are read here; anything else goes to :mod:`packaging`, whose answers
these are (``tests/test_versions.py`` compares them). Importing
:mod:`packaging.version` costs 3 ms: its regular expression is compiled.
"""

from __future__ import annotations

import re

__all__ = ["canonical_key", "plainly_allows", "plainly_valid", "valid_version"]

_CANONICAL = re.compile(r"(\d+(?:\.\d+)*)(?:(a|b|rc)(\d+))?(?:\.post(\d+))?(?:\.dev(\d+))?", re.ASCII)
"""A version in the form :class:`~packaging.version.Version` gives back, without epoch or local label."""

_PRE_RANKS = {"a": 0, "b": 1, "rc": 2}

_BEFORE, _AFTER = (0,), (2,)
"""Below and above any value of a part of the key (the others are ``(1, ...)``)."""


def canonical_key(version: str) -> tuple[tuple[int, ...], ...] | None:
    """How ``version`` sorts among others (PEP 440), if it is in canonical form; else ``None``.

    The key orders as :class:`~packaging.version.Version` does: the release
    without its trailing zeros, then the pre-release (a development release
    alone comes before all of them; no pre-release, after), the
    post-release, the development release (none comes last).
    """
    match = _CANONICAL.fullmatch(version)
    if match is None:
        return None
    release_text, letter, number, post, dev = match.groups()
    release = tuple(map(int, release_text.split(".")))
    while len(release) > 1 and release[-1] == 0:
        release = release[:-1]
    pre: tuple[int, ...]
    if letter is not None:
        pre = (1, _PRE_RANKS[letter], int(number))
    else:
        pre = _BEFORE if post is None and dev is not None else _AFTER
    return (release, pre, _BEFORE if post is None else (1, int(post)), _AFTER if dev is None else (1, int(dev)))


def valid_version(version: str) -> bool:
    """Whether PEP 440 can read ``version``."""
    if _CANONICAL.fullmatch(version):
        return True  # 1.2.3 and the like: valid without the parser (a no-op reads hundreds)
    from packaging.version import InvalidVersion, Version  # start-up: only versions in other forms

    try:
        Version(version)
    except InvalidVersion:
        return False
    return True


def plainly_valid(text: str) -> bool:
    """Whether ``text`` is ``==V``, or ``>=V`` without a local version: the usual pins.

    They are checked by reading the version alone, which spares a run with
    nothing to install importing the specifier parser.
    """
    operator, version = text[:2], text[2:]
    if operator not in ("==", ">=") or (operator == ">=" and "+" in version):
        return False
    return valid_version(version)


def plainly_allows(specifier: str, version: str) -> bool | None:
    """Whether ``version`` satisfies a plain ``==V`` or ``>=V`` (pre-releases too); ``None`` for others.

    The answer ``SpecifierSet(specifier).contains(version, prereleases=True)``
    gives, without importing the specifier parser (nor, for versions in
    canonical form, the version parser).
    """
    if not plainly_valid(specifier):
        return None
    pinned_key, candidate_key = canonical_key(specifier[2:]), canonical_key(version)
    if pinned_key is not None and candidate_key is not None:
        return candidate_key == pinned_key if specifier.startswith("==") else candidate_key >= pinned_key
    from packaging.version import InvalidVersion, Version  # start-up: only versions in other forms

    try:
        candidate = Version(version)
    except InvalidVersion:
        return False
    pinned = Version(specifier[2:])
    if pinned.local is None:  # a specifier without a local label allows any (PEP 440)
        candidate = Version(candidate.public)
    return candidate == pinned if specifier.startswith("==") else candidate >= pinned
