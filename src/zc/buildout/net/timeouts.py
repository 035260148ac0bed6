"""The ``socket-timeout`` option: how long to wait on a network connection, checked once for everyone."""

from __future__ import annotations

import math

from zc.buildout.errors import UserError

__all__ = ["MAXIMUM", "socket_timeout"]

MAXIMUM = 86_400
"""The longest ``socket-timeout`` buildout accepts, in seconds (a day)."""


def socket_timeout(text: str) -> float | None:
    """The seconds ``text`` gives, or ``None`` when it is empty or not a number.

    A number that is not above zero (a zero timeout would make every
    connection fail at once) or is above :data:`MAXIMUM` (the system cannot
    wait that long) raises :class:`~zc.buildout.errors.UserError`; the caller
    adds where the option was set.
    """
    try:
        seconds = float(text)
    except ValueError:
        return None
    if math.isnan(seconds):
        return None
    if not 0 < seconds <= MAXIMUM:
        raise UserError(
            f"[buildout] socket-timeout must be above 0 and at most {MAXIMUM} seconds,"
            f" not {text.strip()[:20]!r}.",
            hint="Give a number of seconds such as 30 (or -t 30), or leave the option empty for no limit.",
        )
    return seconds
