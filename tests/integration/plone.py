"""A Plone 6.2 site from the large benchmark set, built with plone.recipe.zope2instance, serving pages.

The set (``scripts/bench/scenarios/large``) pins ``packaging`` at 26.3,
while buildout runs on another version: the instance must get the pinned
one. The pins are used unchanged, plus what the instance part adds
(``../shared/bench/large/INSTANCE.md``): the recipe and its requirements,
and the last setuptools that ships ``pkg_resources``, which one add-on
still imports.
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from tests.integration.support import BuildoutTestCase, run

__all__ = ["PloneSiteTests"]

SCENARIO = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "bench" / "scenarios" / "large"

INSTANCE_PINS = {
    "plone.recipe.zope2instance": "9.1.0",
    "python-dotenv": "1.2.4",
    "zdaemon": "5.2.1",
    "ZEO": "6.2",
    "setuptools": "81.0.0",
}


def scenario_pins() -> dict[str, str]:
    """The ``name==version`` lines of the set's ``requirements.txt``."""
    pins = {}
    for line in (SCENARIO / "requirements.txt").read_text().splitlines():
        name, separator, version = line.partition("==")
        if separator and not line.startswith((" ", "#")):
            pins[name.strip()] = version.strip()
    return pins


def stop_group(leader: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Stop the process group ``leader`` heads: terminated, killed if some of it outlives ``timeout``."""
    for stopping, patience in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
        deadline = time.monotonic() + patience
        try:
            os.killpg(leader.pid, stopping)
            while time.monotonic() < deadline:
                leader.poll()  # reaps the leader: a group left with none but it is gone
                os.killpg(leader.pid, 0)
                time.sleep(0.2)
        except ProcessLookupError:
            return


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PloneSiteTests(BuildoutTestCase):
    def running_packaging(self) -> str:
        status, output = run([sys.executable, "-c", "import packaging; print(packaging.__version__)"],
                             self.directory, self.environ)
        self.assertEqual(status, 0, output)
        return output.strip()

    def test_a_plone_site_with_its_own_packaging_pin(self) -> None:
        versions = {**scenario_pins(), **INSTANCE_PINS}
        self.assertNotEqual(versions["packaging"], self.running_packaging())
        eggs = [line.split("==")[0] for line in (SCENARIO / "requirements.in").read_text().split()]
        port = free_port()
        config = [
            "[buildout]", "parts = instance", "allow-picked-versions = false", "",
            "[instance]", "recipe = plone.recipe.zope2instance", "eggs =", *(f"    {egg}" for egg in eggs),
            "user = admin:admin", f"http-address = 127.0.0.1:{port}", "",
            "[versions]", *(f"{name} = {version}" for name, version in sorted(versions.items())),
        ]
        output = self.buildout("\n".join(config) + "\n")
        self.assertIn("Generated script", output)

        self.write("versions.py", text="import packaging, setuptools\n"
                   "print(packaging.__version__, setuptools.__version__)\n")
        shown = self.command(self.path("bin", "instance"), "run", self.path("versions.py"))
        self.assertIn(f"{versions['packaging']} {versions['setuptools']}", shown)

        log = open(self.path("instance.log"), "w")  # a pipe nobody reads would stall the instance
        self.addCleanup(log.close)
        # The control script starts the server as a child of its own: both are stopped, as a group.
        server = subprocess.Popen([self.path("bin", "instance"), "fg"], cwd=self.directory, env=self.environ,
                                  stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.addCleanup(stop_group, server)
        url = f"http://127.0.0.1:{port}"
        self.wait_for(url, server)
        credentials = base64.b64encode(b"admin:admin").decode()
        created = urllib.request.Request(
            f"{url}/@sites", method="POST",
            data=json.dumps({"site_id": "Plone", "title": "A buildout", "distribution": "classic"}).encode(),
            headers={"Authorization": f"Basic {credentials}", "Accept": "application/json",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(created, timeout=300) as response:
            self.assertIn(response.status, (200, 201))
        with urllib.request.urlopen(f"{url}/Plone", timeout=60) as response:
            self.assertEqual(response.status, 200)
            self.assertIn("A buildout", response.read().decode("utf-8", "replace"))

    def wait_for(self, url: str, server: subprocess.Popen[bytes], timeout: float = 180) -> None:
        """Until the instance answers at ``url`` (any HTTP status); fails when it stops first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if server.poll() is not None:
                self.fail(f"the instance stopped:\n{self.read('instance.log')}")
            try:
                urllib.request.urlopen(url, timeout=5).close()
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(1)
        self.fail(f"the instance did not answer at {url} within {timeout:.0f} seconds")

