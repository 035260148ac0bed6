"""Loopback HTTP servers for docs pages and tests: the one base, and a server of files.

Who does what: :class:`LoopbackServer` listens on ``127.0.0.1`` (on a port
the system picks) and answers in daemon threads until :meth:`~LoopbackServer.stop`;
it logs each request in :attr:`~LoopbackServer.requests` and, with
:attr:`~LoopbackServer.credentials`, refuses requests that do not carry
them. Its :attr:`~LoopbackServer.handler` answers the rest: :class:`FileServer`
serves the files of a directory, :class:`LinkServer` too, the way the
server of upstream's ``start_server`` did (recipe tests expect its pages
and its request lines), :class:`~zc.buildout.testing.index.FakeIndex` a
package index.
"""

from __future__ import annotations

import base64
import http.server
import os
import threading
import urllib.parse
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

if TYPE_CHECKING:
    import ssl

__all__ = ["FileServer", "LinkServer", "LoopbackHandler", "LoopbackServer"]

_S = TypeVar("_S", bound="LoopbackServer")


class LoopbackHandler(http.server.BaseHTTPRequestHandler):
    """Answers one request to a :class:`LoopbackServer`: logs it, checks credentials, then :meth:`answer`."""

    server: _HTTPServer
    # HTTP/1.0: one request per connection, so stopping never waits on an idle client.
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        owner = self.server.owner
        path = self.path.split("?", 1)[0]
        wanted = self.headers.get("Range")
        owner.requests.append(f"GET {path}" if wanted is None else f"GET {path} {wanted}")
        if owner.credentials is not None and self.headers.get("Authorization") != _basic(owner.credentials):
            self.send_response(401, "Unauthorized")
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.answer(path)

    def answer(self, path: str) -> None:
        """Answer the (logged, authorised) request for ``path``."""
        raise NotImplementedError

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: requests are logged in :attr:`LoopbackServer.requests` instead."""


class _HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = False  # so that stopping the server waits for the requests under way
    owner: LoopbackServer


class LoopbackServer:
    """An HTTP server on the loopback interface; :meth:`start` it, :meth:`stop` it (or use ``with``).

    Each request is logged in :attr:`requests` as ``"GET /path"``, followed
    by the byte range asked for, if any (``"GET /path bytes=-65536"``).
    With :attr:`credentials` (``(user, password)``) every request must carry
    them (HTTP basic authentication), else it gets ``401 Unauthorized``. With
    :attr:`tls` (a server-side ``ssl.SSLContext``, set before starting) it
    speaks HTTPS.
    """

    handler: ClassVar[type[LoopbackHandler]]
    """Answers the requests."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.credentials = credentials
        self.tls: ssl.SSLContext | None = None
        self.requests: list[str] = []
        self._server: _HTTPServer | None = None
        self._stopping = threading.Event()

    @property
    def url(self) -> str:
        """The root URL, ``http://127.0.0.1:<port>/`` (``https://`` with :attr:`tls`)."""
        if self._server is None:
            raise RuntimeError("the server is not running")
        scheme = "http" if self.tls is None else "https"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}/"

    @property
    def port(self) -> str:
        """The port the server listens on, as text (to put into configuration files)."""
        return self.url.rsplit(":", 1)[1].rstrip("/")

    def start(self: _S) -> _S:
        """Start answering; return the server."""
        self._stopping.clear()
        self._server = _HTTPServer(("127.0.0.1", 0), self.handler)
        self._server.owner = self
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop answering, once the requests under way are answered."""
        if self._server is not None:
            self._stopping.set()  # ends any wait at once
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def wait(self, seconds: float) -> None:
        """Sleep (while answering a request), unless the server is being stopped."""
        self._stopping.wait(seconds)

    def take_requests(self) -> list[str]:
        """The requests logged since the last call, oldest first."""
        taken, self.requests[:] = list(self.requests), []
        return taken

    def show_requests(self) -> None:
        """Print the requests logged since the last call, sorted (they come concurrently)."""
        print("\n".join(sorted(self.take_requests())) or "No requests.")

    def __enter__(self: _S) -> _S:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _basic(credentials: tuple[str, str]) -> str:
    return "Basic " + base64.b64encode(":".join(credentials).encode()).decode("ascii")


class _FileHandler(LoopbackHandler, http.server.SimpleHTTPRequestHandler):
    server: _HTTPServer

    def __init__(self, request: Any, client_address: Any, server: _HTTPServer) -> None:
        directory = server.owner.directory  # type: ignore[attr-defined]
        super().__init__(request, client_address, server, directory=directory)

    def answer(self, path: str) -> None:
        http.server.SimpleHTTPRequestHandler.do_GET(self)


class FileServer(LoopbackServer):
    """Serve the files of ``directory``, as a web server would (directories list their files)."""

    handler = _FileHandler

    def __init__(self, directory: str, credentials: tuple[str, str] | None = None) -> None:
        super().__init__(credentials)
        self.directory = os.path.abspath(directory)


_CONTENT_TYPES = ((".egg", "application/zip"), (".gz", "application/x-gzip"), (".zip", "application/x-gzip"),
                  (".whl", "application/octet-stream"))


class _LinkHandler(LoopbackHandler):
    server: _HTTPServer

    def answer(self, path: str) -> None:
        owner = cast(LinkServer, self.server.owner)
        if path in ("/enable_server_logging", "/disable_server_logging"):
            owner.printing = path == "/enable_server_logging"
            self._send(200, b"<html><body>k</body></html>\n", "text/html")
            return
        root = owner.directory
        local = os.path.abspath(os.path.join(root, *urllib.parse.unquote(path).split("/")))
        if not (local == root or local.startswith(root + os.sep)) or not os.path.exists(local):
            self._send(404, b"<html><body>Not Found</body></html>", "text/html")
        elif os.path.isdir(local):
            names = [name + "/" if os.path.isdir(os.path.join(local, name)) else name
                     for name in sorted(os.listdir(local))]
            page = "<html><body>\n" + "".join(f'<a href="{name}">{name}</a><br>\n' for name in names)
            self._send(200, (page + "</body></html>\n").encode(), "text/html")
        else:
            with open(local, "rb") as file:
                data = file.read()
            kind = next((kind for suffix, kind in _CONTENT_TYPES if local.endswith(suffix)), "text/html")
            self._send(200, data, kind)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", content_type)
        self.end_headers()
        self.wfile.write(body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if cast(LinkServer, self.server.owner).printing:
            print(f"{self.command} {code} {self.path}")


class LinkServer(LoopbackServer):
    """Serve the files of ``directory`` as upstream's test server did, at ``http://localhost:<port>/``.

    A directory is a plain page of links (``<a href="name">name</a><br>``,
    ``name/`` for a directory). Asking for ``/enable_server_logging`` makes
    it print ``GET <status> <path>`` for each later request (where a doctest
    sees it), ``/disable_server_logging`` stops that.
    """

    handler = _LinkHandler

    def __init__(self, directory: str) -> None:
        super().__init__()
        self.directory = os.path.abspath(directory)
        self.printing = False

    @property
    def localhost_url(self) -> str:
        """The root URL with the host name upstream's tests expect: ``http://localhost:<port>/``."""
        return f"http://localhost:{self.port}/"
