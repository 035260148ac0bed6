"""Credentials for URLs (user-info or ``~/.netrc``) and hiding them from people."""

from __future__ import annotations

import logging
import os
import re
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import netrc

__all__ = ["Credentials", "redact_url", "with_credentials"]

logger = logging.getLogger("zc.buildout")

_USER_INFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^\s/?#@:]*)(?P<password>:[^\s/?#]*)?@")
"""The user-info of a URL anywhere in a text; a password may hold ``@`` (the last one ends it)."""


def redact_url(text: str) -> str:
    """``text`` with the password (or the lone token) of every URL in it replaced by ``****``.

    ``https://user:secret@host/`` shows as ``https://user:****@host/``;
    ``https://token@host/`` as ``https://****@host/``. ``text`` may be one
    URL or any text holding URLs: a configuration value, a message, a log
    line. Redacting twice changes nothing.
    """
    if "@" not in text:
        return text
    return _USER_INFO.sub(_hidden, text)


def _hidden(match: re.Match[str]) -> str:
    shown = f"{match['user']}:****" if match["password"] is not None else "****"
    return f"{match['scheme']}{shown}@"


def _basic(user: str, password: str) -> str:
    import base64  # start-up: redacting, which every run does, needs none of the network's modules

    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


class Credentials:
    """Finds the basic-authentication header for URLs; thread-safe.

    User-info in the URL wins; otherwise the ``machine`` (or ``default``)
    entry of ``~/.netrc`` for the URL's host name is used. The netrc file is
    read once, the first time it is needed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._netrc: netrc.netrc | None = None
        self._netrc_read = False

    @staticmethod
    def from_user_info(url: str) -> tuple[str, str | None]:
        """``url`` without user-info, and the header its user-info asks for."""
        import urllib.parse  # start-up: redacting, which every run does, needs none of the network's modules

        parts = urllib.parse.urlsplit(url)
        if "@" not in parts.netloc:
            return url, None
        user_info, _, host = parts.netloc.rpartition("@")
        user, _, password = user_info.partition(":")
        plain = parts._replace(netloc=host).geturl()
        return plain, _basic(urllib.parse.unquote(user), urllib.parse.unquote(password))

    def for_url(self, url: str) -> tuple[str, str | None]:
        """``url`` without user-info, and the ``Authorization`` header to send, if any."""
        import urllib.parse  # start-up: redacting, which every run does, needs none of the network's modules

        plain, authorization = self.from_user_info(url)
        if authorization is None:
            host = urllib.parse.urlsplit(plain).hostname
            entry = self._netrc_entry(host) if host else None
            if entry is not None:
                authorization = _basic(*entry)
        return plain, authorization

    def _netrc_entry(self, host: str) -> tuple[str, str] | None:
        with self._lock:
            if not self._netrc_read:
                self._netrc, self._netrc_read = _read_netrc(), True
            parsed = self._netrc
        if parsed is None:
            return None
        found = parsed.authenticators(host)
        if found is None:
            return None
        login, _, password = found
        return login or "", password or ""


def _read_netrc() -> netrc.netrc | None:
    import netrc  # start-up: as base64

    path = os.path.join(os.path.expanduser("~"), ".netrc")
    if not os.path.isfile(path):
        return None
    try:
        return netrc.netrc(path)
    except netrc.NetrcParseError as error:
        # A broken netrc must not stop downloads that need no credentials.
        # The parser's message may quote a password: show only the line.
        logger.warning("Ignoring %s: it cannot be parsed (line %s).", path, error.lineno)
    except OSError as error:
        logger.warning("Ignoring %s: %s.", path, error.strerror)
    return None


def with_credentials(final: str, requested: str) -> str:
    """``final`` with the user-info of ``requested`` when both are on the same host.

    Links on an index page need the credentials the page needed (the client
    reports final URLs without them).
    """
    import urllib.parse  # start-up: redacting, which every run does, needs none of the network's modules

    old, new = urllib.parse.urlsplit(requested), urllib.parse.urlsplit(final)
    same_origin = (old.scheme, old.hostname, old.port) == (new.scheme, new.hostname, new.port)
    if same_origin and "@" in old.netloc and "@" not in new.netloc:
        user_info = old.netloc.rpartition("@")[0]
        return new._replace(netloc=f"{user_info}@{new.netloc}").geturl()
    return final
