"""The connection pools of an HTTP client: direct or through a proxy, sharing one TLS setup.

Proxies come from the environment (``http_proxy``, ``https_proxy``,
``no_proxy`` and their upper-case spellings), read when :class:`Connections`
is first asked for a pool; a proxy's own user-info becomes its ``Proxy-Authorization``.
"""

from __future__ import annotations

import threading
import urllib.parse
from typing import TYPE_CHECKING

from zc.buildout.net.credentials import Credentials

if TYPE_CHECKING:
    import ssl

    import urllib3

__all__ = ["Connections"]

_PER_HOST = 32
"""Kept open per host: more than the run's threads use at once (pages and metadata,
downloads ahead, installs), or connections would be opened only to be dropped."""


class Connections:
    """One pool manager per proxy (and one for direct connections), made when first needed."""

    def __init__(self) -> None:
        self._proxies: dict[str, str] | None = None
        self._lock = threading.Lock()
        self._managers: dict[str, urllib3.PoolManager] = {}
        self._tls: ssl.SSLContext | None = None

    def manager_for(self, url: str) -> urllib3.PoolManager:
        """The pool manager for ``url``: direct, or through its proxy."""
        from urllib.request import getproxies, proxy_bypass  # start-up: slow, only on the network

        if self._proxies is None:
            self._proxies = getproxies()  # the same in every thread that may race here
        parts = urllib.parse.urlsplit(url)
        proxy = self._proxies.get(parts.scheme)
        if proxy and proxy_bypass(parts.netloc):
            proxy = None
        key = proxy or ""
        with self._lock:
            manager = self._managers.get(key)
            if manager is None:
                manager = self._managers[key] = self._make(proxy)
            return manager

    def _make(self, proxy: str | None) -> urllib3.PoolManager:
        import urllib3  # start-up: only on the network

        if self._tls is None:
            self._tls = _tls_context()
        if not proxy:
            return urllib3.PoolManager(maxsize=_PER_HOST, ssl_context=self._tls)
        plain_proxy, authorization = Credentials.from_user_info(proxy)
        proxy_headers = {"Proxy-Authorization": authorization} if authorization else None
        return urllib3.ProxyManager(plain_proxy, maxsize=_PER_HOST, proxy_headers=proxy_headers,
                                    ssl_context=self._tls)


def _tls_context() -> ssl.SSLContext:
    """The TLS settings of every connection, trusting the system's certificates.

    Made once: loading the certificate store takes tens of milliseconds, which
    urllib3 would otherwise spend on every new connection.
    """
    from urllib3.util.ssl_ import create_urllib3_context  # start-up: only on the network

    context = create_urllib3_context()
    context.load_default_certs()
    return context
