"""A team's private index: devpi-server, behind a proxy that asks for its users' passwords.

devpi-server is installed from the package index into a throwaway virtual
environment and started on loopback with a server directory of its own. A
user gets a closed index (no bases: it serves only what is uploaded to it),
and the test uploads distributions it builds: a wheel with a console script
and an sdist that requires it. devpi serves its indexes to anyone; teams
that keep them private put a web server asking for a password in front of
it, which checks the password against devpi's users. A small loopback proxy
plays that part here. Buildout then installs from the index: the scripts
work, a newer upload is picked up while the version is not pinned,
credentials come from the index URL or from ``~/.netrc``, a wrong password
is one line of error that does not show it, and the index pages are read
as PEP 691 JSON. The server is stopped by its process id.
"""

from __future__ import annotations

import base64
import http.client
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping

from tests.integration.support import BuildoutTestCase, run
from zc.buildout.testing import packages

__all__ = ["PrivateIndexTests"]

USER, PASSWORD = "ann", "s3cret-ann"
JSON_PAGE = "application/vnd.pypi.simple.v1+json"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DevpiServer:
    """devpi-server in a virtual environment of its own, on a loopback port, until :meth:`stop`."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        venv = os.path.join(directory, "venv")
        self.check([sys.executable, "-m", "venv", venv])
        self.check([os.path.join(venv, "bin", "python"), "-m", "pip", "install", "--quiet", "devpi-server"])
        server = os.path.join(directory, "server")
        self.check([os.path.join(venv, "bin", "devpi-init"), "--serverdir", server, "--no-root-pypi",
                    "--root-passwd", uuid.uuid4().hex])
        self.log_path = os.path.join(directory, "devpi.log")
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [os.path.join(venv, "bin", "devpi-server"), "--serverdir", server,
                 "--host", "127.0.0.1", "--port", str(self.port)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self._wait_until_serving()

    def check(self, argv: list[str]) -> None:
        completed = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if completed.returncode:
            raise AssertionError(f"{' '.join(argv)} failed:\n{completed.stdout}")

    def _wait_until_serving(self) -> None:
        for _ in range(600):  # at most a minute: then the log says why
            if self.process.poll() is not None:
                break
            try:
                urllib.request.urlopen(self.url + "/+api", timeout=5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        with open(self.log_path) as log:
            raise AssertionError(f"devpi-server did not start:\n{log.read()}")

    def api(self, method: str, path: str, body: Mapping[str, object] | None = None,
            auth: tuple[str, str] | None = None) -> int:
        """Call devpi's JSON API; return the HTTP status."""
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if auth is not None:
            headers["Authorization"] = basic(*auth)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    def upload(self, index: str, path: str, name: str, version: str) -> None:
        """Upload a distribution file as ``twine upload`` does (a multipart form)."""
        boundary = uuid.uuid4().hex
        fields = {":action": "file_upload", "name": name, "version": version}
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
                 for key, value in fields.items()]
        with open(path, "rb") as file:
            content = file.read()
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="content";'
                     f' filename="{os.path.basename(path)}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        request = urllib.request.Request(
            f"{self.url}/{index}/", data=b"".join(parts), method="POST",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                     "Authorization": basic(USER, PASSWORD)})
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200, response.read()

    def stop(self) -> None:
        """Stop the server by its process id."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class PasswordProxy(http.server.ThreadingHTTPServer):
    """What a team puts in front of devpi: reading needs a devpi user's password.

    The password is checked with devpi's own login; the request is then
    passed on as it came (``Host`` and ``Accept`` included). Each request is
    logged with the ``Accept`` it sent and the ``Content-Type`` it got.
    """

    daemon_threads = True

    def __init__(self, devpi: DevpiServer) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.devpi = devpi
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.log: list[tuple[str, str, str, int]] = []
        """``(path, accept, content type, status)`` of each request."""
        self._valid: dict[str, bool] = {}
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def allows(self, authorization: str | None) -> bool:
        if authorization is None or not authorization.startswith("Basic "):
            return False
        if authorization not in self._valid:
            user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
            status = self.devpi.api("POST", "/+login", {"user": user, "password": password})
            self._valid[authorization] = status == 200
        return self._valid[authorization]

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join()


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: PasswordProxy

    def do_GET(self) -> None:
        accept = self.headers.get("Accept", "")
        if not self.server.allows(self.headers.get("Authorization")):
            self.server.log.append((self.path, accept, "", 401))
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="devpi"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        connection = http.client.HTTPConnection("127.0.0.1", self.server.devpi.port, timeout=60)
        try:
            connection.request("GET", self.path, headers={"Host": self.headers.get("Host", ""), "Accept": accept})
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        content_type = response.getheader("Content-Type", "")
        self.server.log.append((self.path, accept, content_type, response.status))
        self.send_response(response.status)
        for name in ("Content-Type", "Location", "ETag", "Last-Modified"):
            value = response.getheader(name)
            if value is not None:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the server's log is kept in ``log``


class PrivateIndexTests(BuildoutTestCase):
    devpi: DevpiServer
    proxy: PasswordProxy
    index = f"{USER}/dev"

    def start_index(self) -> None:
        """Start devpi with a user and their closed index, and the proxy in front; stopped at cleanup."""
        directory = tempfile.mkdtemp(prefix="buildout-devpi-")
        self.addCleanup(shutil.rmtree, directory, True)
        self.devpi = DevpiServer(directory)
        self.addCleanup(self.devpi.stop)
        self.assertEqual(self.devpi.api("PUT", f"/{USER}", {"password": PASSWORD, "email": "ann@example.invalid"}),
                         201)
        closed = {"bases": [], "volatile": False}
        self.assertEqual(self.devpi.api("PUT", f"/{self.index}", closed, auth=(USER, PASSWORD)), 200)
        self.proxy = PasswordProxy(self.devpi)
        self.addCleanup(self.proxy.stop)

    def publish(self, name: str, version: str, **options: object) -> None:
        """Build a distribution (a wheel, or an sdist given ``sdist=True``) and upload it."""
        directory = self.path("built")
        if options.pop("sdist", False):
            path = packages.sdist(directory, name, version, **options)  # type: ignore[arg-type]
        else:
            path = packages.wheel(directory, name, version, **options)  # type: ignore[arg-type]
        self.devpi.upload(self.index, path, name, version)

    def configuration(self, index: str) -> str:
        return f"""
            [buildout]
            index = {index}/{self.index}/+simple/
            parts = app

            [app]
            recipe = zc.recipe.egg:scripts
            eggs =
                teamtool
                teamgreeter
            """

    def with_password(self, password: str) -> str:
        return self.proxy.url.replace("//", f"//{USER}:{password}@")

    def greeting(self) -> str:
        return self.command(self.path("bin", "greet")).strip()

    def test_a_private_index(self) -> None:
        self.start_index()
        self.publish("teamgreeter", "1.0", entry_points={"console_scripts": {"greet": "teamgreeter:main"}})
        self.publish("teamtool", "1.0", sdist=True, requires=["teamgreeter>=1.0"])

        output = self.buildout(self.configuration(self.with_password(PASSWORD)), "-v")
        self.assertIn("Got teamtool 1.0.", output)
        self.assertIn("Got teamgreeter 1.0.", output)
        self.assertEqual(self.greeting(), "teamgreeter 1.0")
        self.assertNotIn(PASSWORD, output)
        # PEP 691: asked for, served and read as JSON.
        pages = [entry for entry in self.proxy.log if entry[0].endswith("/+simple/teamgreeter/")]
        self.assertTrue(pages)
        self.assertTrue(all(accept.startswith(JSON_PAGE) and kind == JSON_PAGE
                            for _, accept, kind, _ in pages), pages)
        self.assertIn(f"Read {self.proxy.url}/{self.index}/+simple/teamgreeter/ as JSON (PEP 691).", output)

        # A newer upload is picked up while nothing pins the version.
        self.publish("teamgreeter", "1.1", entry_points={"console_scripts": {"greet": "teamgreeter:main"}})
        output = self.buildout(self.configuration(self.with_password(PASSWORD)))
        self.assertIn("Got teamgreeter 1.1.", output)
        self.assertEqual(self.greeting(), "teamgreeter 1.1")

        # Credentials from ~/.netrc, for an index URL without them.
        netrc = self.write("home", ".netrc", text=f"machine 127.0.0.1 login {USER} password {PASSWORD}\n")
        os.chmod(netrc, 0o600)
        self.publish("teamgreeter", "1.2", entry_points={"console_scripts": {"greet": "teamgreeter:main"}})
        output = self.buildout(self.configuration(self.proxy.url))
        self.assertIn("Got teamgreeter 1.2.", output)
        self.assertEqual(self.greeting(), "teamgreeter 1.2")
        os.remove(netrc)

        # A wrong password: one line of error, the password not shown.
        self.write("buildout.cfg", text=self.configuration(self.with_password("wrong-password")))
        status, output = run([sys.executable, "-m", "zc.buildout"], self.directory, self.environ)
        self.assertEqual(status, 1, output)
        self.assertNotIn("wrong-password", output)
        self.assertNotIn("Traceback", output)
        errors = [line for line in output.splitlines() if line.startswith("Error:")]
        self.assertEqual(len(errors), 1, output)
        self.assertIn("401", errors[0])
        self.assertIn(f"{USER}:****@", output)
