"""The HTTP client: credentials, redaction, netrc, proxies, redirects, failures."""

from __future__ import annotations

import base64
import http
import io
import logging
import os
import pathlib
import tempfile
import threading
import unittest
import urllib.request
from unittest import mock

from zc.buildout.net.credentials import redact_url
from zc.buildout.net.httpclient import ChecksumError, DownloadError, HTTPClient
from zc.buildout.testing.index import FakeIndex
from zc.buildout.testing.server import FileServer, LoopbackHandler, LoopbackServer

_RANGE_NOT_SATISFIABLE = http.HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE.phrase
"""The reason the test server gives with a 416 (Python 3.13 changed its words)."""

SHA256_OF_HELLO = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class _Recorder(LoopbackHandler):
    """Answers every GET with its own request line; can redirect or stall."""

    def answer(self, path: str) -> None:
        owner: _RecordingServer = self.server.owner  # type: ignore[assignment]
        owner.seen.append((self.path, dict(self.headers)))
        if self.path.endswith("/slow"):
            owner.wait(5)
        target = owner.redirects.get(self.path)
        if target:
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = f"{owner.name} got {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up


class _RecordingServer(LoopbackServer):
    handler = _Recorder

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.redirects: dict[str, str] = {}

    @property
    def netloc(self) -> str:
        return self.url.split("/")[2]


class _Case(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = pathlib.Path(tempfile.mkdtemp())
        self.addCleanup(_rmtree, self.tmp)
        environ = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        environ["HOME"] = str(self.tmp / "home")
        patcher = mock.patch.dict(os.environ, environ, clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)
        (self.tmp / "home").mkdir()
        (self.tmp / "files").mkdir()
        (self.tmp / "files" / "hello.txt").write_bytes(b"hello")

    def serve(self, credentials: tuple[str, str] | None = None) -> FileServer:
        server = FileServer(str(self.tmp / "files"), credentials).start()
        self.addCleanup(server.stop)
        return server

    def recorder(self, name: str) -> _RecordingServer:
        server = _RecordingServer(name).start()
        self.addCleanup(server.stop)
        return server


def _rmtree(path: pathlib.Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


class RedactionTests(unittest.TestCase):
    def test_password_is_hidden(self) -> None:
        self.assertEqual(redact_url("https://joe:s3cret@host:8080/x?y=1"), "https://joe:****@host:8080/x?y=1")

    def test_lone_token_is_hidden(self) -> None:
        self.assertEqual(redact_url("https://ghp_token@host/x"), "https://****@host/x")

    def test_empty_password_still_marked(self) -> None:
        self.assertEqual(redact_url("https://joe:@host/"), "https://joe:****@host/")

    def test_at_sign_in_password(self) -> None:
        self.assertEqual(redact_url("http://joe:p@ss@host/"), "http://joe:****@host/")

    def test_urls_without_credentials_unchanged(self) -> None:
        for url in ("http://host/a@b", "file:///tmp/x", "/plain/path", "http://[::1]:80/"):
            self.assertEqual(redact_url(url), url)

    def test_every_url_in_a_text_is_hidden(self) -> None:
        text = "find-links = https://a:one@host/x\n  http://b:two@other:81/y?q=c@d\n  git@host:repo"
        self.assertEqual(redact_url(text), "find-links = https://a:****@host/x\n"
                                           "  http://b:****@other:81/y?q=c@d\n  git@host:repo")

    def test_redacting_twice_changes_nothing(self) -> None:
        for url in ("https://joe:s3cret@host/", "https://token@host/", "http://joe:p@ss@host/"):
            self.assertEqual(redact_url(redact_url(url)), redact_url(url))


class GetTests(_Case):
    def test_get_over_http(self) -> None:
        server = self.serve()
        response = HTTPClient().get(server.url + "hello.txt")
        self.assertEqual((response.status, response.data), (200, b"hello"))
        self.assertEqual(response.url, server.url + "hello.txt")
        self.assertEqual(response.headers["content-length"], "5")

    def test_file_urls_and_plain_paths(self) -> None:
        path = str(self.tmp / "files" / "hello.txt")
        client = HTTPClient()
        self.assertEqual(client.get(path).data, b"hello")
        self.assertEqual(client.get(pathlib.Path(path).as_uri()).data, b"hello")
        self.assertEqual(client.get(pathlib.Path(path).as_uri()).headers["Content-Type"], "text/plain")

    def test_missing_local_file(self) -> None:
        with self.assertRaises(DownloadError) as caught:
            HTTPClient().get(str(self.tmp / "nope"))
        self.assertEqual(str(caught.exception), f"Couldn't download '{self.tmp / 'nope'}': No such file or directory")

    def test_http_status_is_reported(self) -> None:
        server = self.serve()
        with self.assertRaises(DownloadError) as caught:
            HTTPClient().get(server.url + "missing.tgz")
        self.assertEqual(caught.exception.status, 404)
        self.assertEqual(str(caught.exception), f"Couldn't download '{server.url}missing.tgz': 404 File not found")

    def test_connection_refused(self) -> None:
        server = self.serve()
        url = server.url
        server.stop()
        with self.assertRaises(DownloadError) as caught:
            HTTPClient().get(url + "x")
        self.assertEqual(str(caught.exception), f"Couldn't download '{url}x': Connection refused")
        self.assertIsNone(caught.exception.status)

    def test_timeout(self) -> None:
        server = self.recorder("origin")
        with self.assertRaises(DownloadError) as caught:
            HTTPClient(timeout=0.2).get(server.url + "slow")
        self.assertEqual(str(caught.exception), f"Couldn't download '{server.url}slow': timed out after 0.2 seconds")

    def test_unsupported_scheme(self) -> None:
        with self.assertRaises(DownloadError) as caught:
            HTTPClient().get("gopher://host/x")
        self.assertEqual(str(caught.exception), "Couldn't download 'gopher://host/x': unsupported URL scheme 'gopher'")


class CredentialTests(_Case):
    def test_user_info_is_sent_and_never_shown(self) -> None:
        server = self.serve(credentials=("joe", "s3cret"))
        url = server.url.replace("http://", "http://joe:s3cret@") + "hello.txt"
        response = HTTPClient().get(url)
        self.assertEqual(response.data, b"hello")
        self.assertNotIn("s3cret", response.url)
        with self.assertRaises(DownloadError) as caught:
            HTTPClient().get(url.replace("s3cret", "wrong"))
        self.assertEqual(caught.exception.status, 401)
        self.assertNotIn("wrong", str(caught.exception))
        self.assertIn("joe:****@", str(caught.exception))

    def test_percent_encoded_user_info(self) -> None:
        server = self.serve(credentials=("joe@example", "p:w/d"))
        url = server.url.replace("http://", "http://joe%40example:p%3Aw%2Fd@") + "hello.txt"
        self.assertEqual(HTTPClient().get(url).data, b"hello")

    def test_netrc(self) -> None:
        server = self.serve(credentials=("joe", "s3cret"))
        (self.tmp / "home" / ".netrc").write_text("machine 127.0.0.1 login joe password s3cret\n")
        self.assertEqual(HTTPClient().get(server.url + "hello.txt").data, b"hello")

    def test_netrc_default_entry(self) -> None:
        server = self.serve(credentials=("joe", "s3cret"))
        (self.tmp / "home" / ".netrc").write_text("machine elsewhere login a password b\ndefault login joe password s3cret\n")
        self.assertEqual(HTTPClient().get(server.url + "hello.txt").data, b"hello")

    def test_user_info_beats_netrc(self) -> None:
        server = self.recorder("origin")
        (self.tmp / "home" / ".netrc").write_text("machine 127.0.0.1 login joe password fromnetrc\n")
        HTTPClient().get(server.url.replace("http://", "http://ann:fromurl@") + "x")
        self.assertEqual(server.seen[0][1]["Authorization"], _basic("ann", "fromurl"))

    def test_broken_netrc_is_ignored_without_showing_its_content(self) -> None:
        server = self.serve()
        (self.tmp / "home" / ".netrc").write_text("machine 127.0.0.1 login joe password\nbogus s3cret\n")
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        logger = logging.getLogger("zc.buildout")
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)
        self.assertEqual(HTTPClient().get(server.url + "hello.txt").data, b"hello")
        self.assertIn(".netrc: it cannot be parsed (line ", stream.getvalue())
        self.assertNotIn("s3cret", stream.getvalue())

    def test_credentials_follow_redirects_on_the_same_origin_only(self) -> None:
        origin, other = self.recorder("origin"), self.recorder("other")
        origin.redirects["/a"] = "/b"
        origin.redirects["/b"] = other.url + "c"
        response = HTTPClient().get(origin.url.replace("http://", "http://joe:pw@") + "a")
        self.assertEqual(response.data, b"other got /c")
        self.assertEqual(response.url, other.url + "c")
        self.assertEqual([h.get("Authorization") for _, h in origin.seen], [_basic("joe", "pw")] * 2)
        self.assertNotIn("Authorization", other.seen[0][1])


class ProxyTests(_Case):
    def test_proxy_from_the_environment(self) -> None:
        proxy = self.recorder("proxy")
        os.environ["http_proxy"] = proxy.url.replace("http://", "http://pu:pp@")
        response = HTTPClient().get("http://origin.invalid/x")
        self.assertEqual(response.data, b"proxy got http://origin.invalid/x")
        self.assertEqual(proxy.seen[0][1]["Proxy-Authorization"], _basic("pu", "pp"))

    def test_no_proxy_is_honoured(self) -> None:
        proxy, origin = self.recorder("proxy"), self.recorder("origin")
        os.environ["HTTP_PROXY"] = proxy.url
        os.environ["no_proxy"] = "example.com,127.0.0.1"
        self.assertEqual(HTTPClient().get(origin.url + "x").data, b"origin got /x")
        self.assertEqual(proxy.seen, [])

    def test_each_host_is_routed_once(self) -> None:
        # Whether a host bypasses the proxies is worked out once a run: asking reads the whole environment.
        proxy, origin = self.recorder("proxy"), self.recorder("origin")
        os.environ["HTTP_PROXY"] = proxy.url
        os.environ["no_proxy"] = "127.0.0.1"
        client = HTTPClient()
        with mock.patch("urllib.request.proxy_bypass", wraps=urllib.request.proxy_bypass) as bypass:
            answers = [client.get(f"{origin.url}{name}").data for name in ("a", "b", "c")]
            client.get("http://origin.invalid/d")
        self.assertEqual(answers, [b"origin got /a", b"origin got /b", b"origin got /c"])
        self.assertEqual([call.args for call in bypass.call_args_list], [(origin.netloc,), ("origin.invalid",)])
        self.assertEqual([url for url, _ in proxy.seen], ["http://origin.invalid/d"])

    def test_https_proxy_setting_does_not_apply_to_http(self) -> None:
        proxy, origin = self.recorder("proxy"), self.recorder("origin")
        os.environ["https_proxy"] = proxy.url
        self.assertEqual(HTTPClient().get(origin.url + "x").data, b"origin got /x")


class DownloadTests(_Case):
    def test_download_with_progress_and_sha256(self) -> None:
        server = self.serve()
        target = self.tmp / "out" / "hello.txt"
        target.parent.mkdir()
        chunks: list[int] = []
        HTTPClient().download(server.url + "hello.txt", str(target), sha256=SHA256_OF_HELLO, progress=chunks.append)
        self.assertEqual(target.read_bytes(), b"hello")
        self.assertEqual(sum(chunks), 5)
        self.assertEqual(os.listdir(target.parent), ["hello.txt"])

    def test_checksum_failure_leaves_nothing_behind(self) -> None:
        server = self.serve()
        target = self.tmp / "out" / "hello.txt"
        target.parent.mkdir()
        with self.assertRaises(ChecksumError) as caught:
            HTTPClient().download(server.url + "hello.txt", str(target), sha256="0" * 64)
        self.assertEqual(
            str(caught.exception),
            f"SHA256 checksum mismatch downloading '{server.url}hello.txt':"
            f" expected {'0' * 64}, got {SHA256_OF_HELLO}",
        )
        self.assertEqual(os.listdir(target.parent), [])

    def test_failure_keeps_an_existing_file(self) -> None:
        server = self.serve()
        target = self.tmp / "hello.txt"
        target.write_bytes(b"old")
        with self.assertRaises(DownloadError):
            HTTPClient().download(server.url + "missing", str(target))
        self.assertEqual(target.read_bytes(), b"old")
        self.assertEqual(sorted(os.listdir(self.tmp)), ["files", "hello.txt", "home"])

    def test_what_a_killed_download_left_is_removed_later(self) -> None:
        import time

        from zc.buildout.net.unfinished import STALE_PART

        server = self.serve()
        stale = self.tmp / ".hello.txt.0a1b2c3d4e5f.part"  # a download killed long ago
        live = self.tmp / ".hello.txt.f5e4d3c2b1a0.part"  # another buildout, downloading now
        other = self.tmp / ".other.txt.0a1b2c3d4e5f.part"  # killed too, another file's
        mine = self.tmp / ".notes.part"  # not a download's
        for path in (stale, live, other, mine):
            path.write_bytes(b"hel")
        long_ago = time.time() - STALE_PART - 60
        for path in (stale, other, mine):
            os.utime(path, (long_ago, long_ago))
        HTTPClient().download(server.url + "hello.txt", str(self.tmp / "hello.txt"))
        self.assertEqual(sorted(os.listdir(self.tmp)), [
            ".hello.txt.f5e4d3c2b1a0.part", ".notes.part", "files", "hello.txt", "home"])

    def test_a_client_looks_for_killed_downloads_once_a_directory(self) -> None:
        # A run downloads hundreds of files into a cache that may hold thousands.
        import time

        from zc.buildout.net.unfinished import STALE_PART

        server = self.serve()
        client = HTTPClient()
        client.download(server.url + "hello.txt", str(self.tmp / "hello.txt"))
        stale = self.tmp / ".hello.txt.0a1b2c3d4e5f.part"  # killed meanwhile, by another run
        stale.write_bytes(b"hel")
        long_ago = time.time() - STALE_PART - 60
        os.utime(stale, (long_ago, long_ago))
        client.download(server.url + "hello.txt", str(self.tmp / "again.txt"))
        self.assertTrue(stale.exists())
        HTTPClient().download(server.url + "hello.txt", str(self.tmp / "later.txt"))  # the next run
        self.assertFalse(stale.exists())

    def test_download_from_a_file_url(self) -> None:
        target = self.tmp / "copy.txt"
        HTTPClient().download((self.tmp / "files" / "hello.txt").as_uri(), str(target), sha256=SHA256_OF_HELLO)
        self.assertEqual(target.read_bytes(), b"hello")

    def test_mode_follows_the_umask(self) -> None:
        server = self.serve()
        target = self.tmp / "hello.txt"
        old = os.umask(0o027)
        try:
            HTTPClient().download(server.url + "hello.txt", str(target))
        finally:
            os.umask(old)
        self.assertEqual(target.stat().st_mode & 0o777, 0o640)

    def test_threads_share_one_client(self) -> None:
        server = self.serve()
        client = HTTPClient()
        results: list[bytes] = []
        threads = [threading.Thread(target=lambda: results.append(client.get(server.url + "hello.txt").data)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(results, [b"hello"] * 8)


def _self_signed(directory: pathlib.Path, *names: str) -> tuple[str, str]:
    """A certificate and key for 127.0.0.1, made with the openssl command; with ``names``,
    a certificate naming no host but in its subject's common name (``-subj``), as old ones did."""
    import subprocess

    certificate, key = str(directory / "cert.pem"), str(directory / "key.pem")
    naming = list(names) or ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", *naming,
         "-keyout", key, "-out", certificate],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return certificate, key


class HTTPSTests(_Case):
    """Connections trust the system's certificate store, read once per client."""

    def setUp(self) -> None:
        super().setUp()
        import shutil
        import ssl

        if shutil.which("openssl") is None:
            self.skipTest("needs the openssl command to make a certificate")
        self.certificate, key = _self_signed(self.tmp)
        server = _RecordingServer("secure")
        server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server.tls.load_cert_chain(self.certificate, key)
        self.addCleanup(server.start().stop)
        self.url = server.url

    def test_a_certificate_the_store_trusts(self) -> None:
        os.environ["SSL_CERT_FILE"] = self.certificate  # where OpenSSL finds the store
        client = HTTPClient(timeout=5)
        self.assertEqual(client.get(self.url + "one").data, b"secure got /one")
        self.assertEqual(client.get(self.url + "two").data, b"secure got /two")

    def test_a_certificate_nobody_trusts(self) -> None:
        os.environ["SSL_CERT_FILE"] = str(self.tmp / "files" / "hello.txt")  # no certificates
        with self.assertRaises(DownloadError) as caught:
            HTTPClient(timeout=5).get(self.url + "one")
        self.assertIn("SSL error", str(caught.exception))
        self.assertIn(self.url + "one", str(caught.exception))

    def test_connections_share_the_store_read_once(self) -> None:
        import ssl

        os.environ["SSL_CERT_FILE"] = self.certificate
        client = HTTPClient(timeout=5)
        with mock.patch.object(ssl.SSLContext, "load_default_certs",
                               autospec=True, side_effect=ssl.SSLContext.load_default_certs) as load:
            done = []
            threads = [threading.Thread(target=lambda n=n: done.append(client.get(f"{self.url}{n}")))
                       for n in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        self.assertEqual(len(done), 4)
        self.assertEqual(load.call_count, 1)

    def test_a_host_named_only_in_the_common_name_is_refused(self) -> None:
        import ssl

        directory = self.tmp / "common-name"
        directory.mkdir()
        certificate, key = _self_signed(directory, "-subj", "/CN=localhost")
        server = _RecordingServer("secure")
        server.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server.tls.load_cert_chain(certificate, key)
        self.addCleanup(server.start().stop)
        os.environ["SSL_CERT_FILE"] = certificate
        url = server.url.replace("127.0.0.1", "localhost") + "one"
        with self.assertRaises(DownloadError) as caught:
            HTTPClient(timeout=5).get(url)
        self.assertIn("SSL error", str(caught.exception))

    def test_the_store_is_read_beside_the_first_request(self) -> None:
        import ssl

        os.environ["SSL_CERT_FILE"] = self.certificate
        readers: list[str] = []

        def read(context: ssl.SSLContext, *args: object) -> None:
            readers.append(threading.current_thread().name)
            load(context, *args)

        load = ssl.SSLContext.load_default_certs
        with mock.patch.object(ssl.SSLContext, "load_default_certs", autospec=True, side_effect=read):
            self.assertEqual(HTTPClient(timeout=5).get(self.url + "one").data, b"secure got /one")
        self.assertEqual(readers, ["buildout-tls"])


class RangeTests(unittest.TestCase):
    """``get_range`` against the fake index, which answers ranges as HTTP says."""

    def setUp(self) -> None:
        temporary = tempfile.TemporaryDirectory()
        self.addCleanup(temporary.cleanup)
        self.data = bytes(range(256)) * 1000
        with open(os.path.join(temporary.name, "blob.bin"), "wb") as file:
            file.write(self.data)
        self.index = FakeIndex(temporary.name).start()
        self.addCleanup(self.index.stop)
        self.url = self.index.url + "files/blob.bin"
        self.client = HTTPClient(timeout=5)

    def test_ranges(self) -> None:
        size = len(self.data)
        for start, end in [(-100, None), (10, 20), (size - 5, None), (0, size + 50)]:
            part = self.client.get_range(self.url, start, end)
            assert part is not None
            self.assertEqual(part.data, self.data[start:end])
            self.assertEqual((part.start, part.end, part.size),
                             (range(size)[start:end].start, len(self.data[:end]), size))
        self.assertEqual(self.index.take_requests(), [
            "GET /files/blob.bin bytes=-100", "GET /files/blob.bin bytes=10-19",
            f"GET /files/blob.bin bytes={size - 5}-", f"GET /files/blob.bin bytes=0-{size + 49}"])

    def test_past_the_end(self) -> None:
        with self.assertRaises(DownloadError) as caught:
            self.client.get_range(self.url, len(self.data))
        self.assertEqual(str(caught.exception),
                         f"Couldn't download '{self.url}': 416 {_RANGE_NOT_SATISFIABLE}")
        self.assertEqual(caught.exception.status, 416)

    def test_a_server_that_ignores_ranges(self) -> None:
        self.index.ranges = False
        self.assertIsNone(self.client.get_range(self.url, -100))
        self.assertEqual(self.client.get(self.url).data, self.data)  # the client still works

    def test_credentials(self) -> None:
        self.index.credentials = ("user", "password")
        url = self.url.replace("http://", "http://user:password@")
        part = self.client.get_range(url, -10)
        assert part is not None
        self.assertEqual((part.data, part.url), (self.data[-10:], self.url))
        with self.assertRaises(DownloadError) as caught:
            self.client.get_range(url.replace(":password@", ":wrong@"), -10)
        message, hint = str(caught.exception).split("\n")
        self.assertEqual(message, f"Couldn't download '{url.replace(':password@', ':****@')}': 401 Unauthorized")
        self.assertIn("check the user and password", hint)

    def test_the_fake_index_answers_ranges_as_http_says(self) -> None:
        size = len(self.data)
        for wanted, status, start, stop in [
            ("bytes=0-9", 206, 0, 10), ("bytes=5-", 206, 5, size), ("bytes=-5", 206, size - 5, size),
            (f"bytes=-{size * 2}", 206, 0, size), (f"bytes=10-{size * 2}", 206, 10, size),
            ("bytes=9-5", 200, 0, size), ("bytes=0-1,5-6", 200, 0, size), ("items=0-1", 200, 0, size),
        ]:
            response = self.client.get(self.url, {"Range": wanted})
            self.assertEqual((response.status, response.data), (status, self.data[start:stop]), wanted)
            if status == 206:
                self.assertEqual(response.headers["Content-Range"], f"bytes {start}-{stop - 1}/{size}")
        for wanted in (f"bytes={size}-", "bytes=-0"):
            with self.assertRaises(DownloadError) as caught:
                self.client.get(self.url, {"Range": wanted})
            self.assertEqual(caught.exception.status, 416)


class ConcurrencyTests(unittest.TestCase):
    def test_as_many_requests_at_once_as_a_run_makes_keep_their_connections(self) -> None:
        # Pages, metadata, downloads ahead and installs: some twenty threads may talk to one host.
        import concurrent.futures

        temporary = tempfile.TemporaryDirectory()
        self.addCleanup(temporary.cleanup)
        with open(os.path.join(temporary.name, "hello.txt"), "wb") as file:
            file.write(b"hello")
        index = FakeIndex(temporary.name).start()
        self.addCleanup(index.stop)
        index.delay = 0.2  # so that the requests overlap
        client = HTTPClient(timeout=5)
        with self.assertNoLogs("urllib3", logging.WARNING):
            with concurrent.futures.ThreadPoolExecutor(22) as pool:
                answers = list(pool.map(lambda _: client.get(index.url + "files/hello.txt").data,
                                        range(22)))
        self.assertEqual(answers, [b"hello"] * 22)
