"""The connection pools of an HTTP client: direct or through a proxy, sharing one TLS setup.

Proxies come from the environment (``http_proxy``, ``https_proxy``,
``no_proxy`` and their upper-case spellings), read when :class:`Connections`
is first asked for a pool; a proxy's own user-info becomes its ``Proxy-Authorization``.

The TLS setup trusts the system's certificate store. Reading it takes tens
of milliseconds, mostly without the interpreter lock: :meth:`Connections.prepare`
starts it in a thread of its own as the first ``https`` request begins, so
that it is read while that request imports urllib3 (as long again), not after.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from zc.buildout.net.credentials import Credentials

if TYPE_CHECKING:
    import concurrent.futures
    import ssl

    import urllib3

__all__ = ["Connections"]

_T = TypeVar("_T")

_PER_HOST = 32
"""Kept open per host: more than the run's threads use at once (pages and metadata,
downloads ahead, installs), or connections would be opened only to be dropped."""


class Connections:
    """One pool manager per proxy (and one for direct connections), made when first needed."""

    def __init__(self) -> None:
        self._proxies: dict[str, str] | None = None
        self._routes: dict[tuple[str, str], str] = {}
        """The proxy (or ``""``) of each scheme and host, worked out once: asked whether to bypass
        the proxies, the standard library reads the whole environment again (tens of microseconds,
        for each of the hundreds of requests of a run)."""
        self._lock = threading.Lock()
        self._managers: dict[str, urllib3.PoolManager] = {}
        self._tls_lock = threading.Lock()
        self._tls: concurrent.futures.Future[ssl.SSLContext] | None = None

    def prepare(self, url: str) -> None:
        """Start making the TLS setup, unless it is started, if ``url`` is an ``https`` one."""
        if self._tls is None and urllib.parse.urlsplit(url).scheme == "https":
            self._tls_setup()

    def manager_for(self, url: str) -> urllib3.PoolManager:
        """The pool manager for ``url``: direct, or through its proxy."""
        from urllib.request import getproxies, proxy_bypass  # start-up: slow, only on the network

        parts = urllib.parse.urlsplit(url)
        route = (parts.scheme, parts.netloc)
        key = self._routes.get(route)
        if key is None:  # threads racing here work out the same
            if self._proxies is None:
                self._proxies = getproxies()
            proxy = self._proxies.get(parts.scheme)
            key = self._routes[route] = "" if not proxy or proxy_bypass(parts.netloc) else proxy
        with self._lock:
            manager = self._managers.get(key)
            if manager is None:
                manager = self._managers[key] = self._make(key or None)
            return manager

    def _make(self, proxy: str | None) -> urllib3.PoolManager:
        import urllib3  # start-up: only on the network

        tls = self._tls_setup().result()
        if not proxy:
            return urllib3.PoolManager(maxsize=_PER_HOST, ssl_context=tls)
        plain_proxy, authorization = Credentials.from_user_info(proxy)
        proxy_headers = {"Proxy-Authorization": authorization} if authorization else None
        return urllib3.ProxyManager(plain_proxy, maxsize=_PER_HOST, proxy_headers=proxy_headers,
                                    ssl_context=tls)

    def _tls_setup(self) -> concurrent.futures.Future[ssl.SSLContext]:
        """The TLS setup of every connection, being made in a thread of its own (started once)."""
        with self._tls_lock:
            if self._tls is None:
                self._tls = _in_a_thread(_tls_context)
            return self._tls


def _tls_context() -> ssl.SSLContext:
    """The TLS settings of every connection: the standard library's for clients (the server's
    certificate and host name checked), TLS 1.2 at least, a host name matched against the names
    a certificate lists for it only (not its common name), trusting the system's certificates.

    Made once: loading the certificate store takes tens of milliseconds, which
    urllib3 would otherwise spend on every new connection.
    """
    import ssl  # start-up: only on the network

    context = ssl.create_default_context()
    context.minimum_version = max(context.minimum_version, ssl.TLSVersion.TLSv1_2)
    context.hostname_checks_common_name = False
    return context


def _in_a_thread(make: Callable[[], _T]) -> concurrent.futures.Future[_T]:
    """What ``make()`` returns (or raises), made in a new thread."""
    import concurrent.futures  # start-up: only on the network

    future: concurrent.futures.Future[_T] = concurrent.futures.Future()

    def run() -> None:
        try:
            future.set_result(make())
        except BaseException as error:
            future.set_exception(error)

    threading.Thread(target=run, name="buildout-tls", daemon=True).start()
    return future
