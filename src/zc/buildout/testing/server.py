"""A loopback HTTP server serving a directory, for docs pages and tests."""

from __future__ import annotations

import base64
import functools
import http.server
import threading
from typing import Any

__all__ = ["FileServer"]


class _Handler(http.server.SimpleHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        expected = self.server.authorization
        if expected is not None and self.headers.get("Authorization") != expected:
            self.send_response(401, "Unauthorized")
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # requests are recorded in ``server.requests`` instead


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    requests: list[str]
    authorization: str | None


class FileServer:
    """Serve ``directory`` over HTTP on 127.0.0.1 until :meth:`close`.

    ``url`` ends with ``/``. ``requests`` lists the paths asked for, in order.
    With ``credentials=(user, password)`` every request must carry them as
    basic authentication, else it gets ``401 Unauthorized``.
    """

    def __init__(self, directory: str, credentials: tuple[str, str] | None = None) -> None:
        handler = functools.partial(_Handler, directory=directory)
        self._server = _Server(("127.0.0.1", 0), handler)
        self._server.requests = []
        self._server.authorization = None
        if credentials is not None:
            token = base64.b64encode(":".join(credentials).encode()).decode("ascii")
            self._server.authorization = f"Basic {token}"
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    @property
    def requests(self) -> list[str]:
        return self._server.requests

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> FileServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
