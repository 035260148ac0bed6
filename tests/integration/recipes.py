"""Published recipes and extensions, unmodified from the package index, building real parts."""

from __future__ import annotations

import getpass
import hashlib
import io
import json
import os
import stat
import subprocess
import tarfile
import textwrap

from tests.integration.support import BuildoutTestCase, run
from zc.buildout.testing.server import FileServer

__all__ = ["RecipeTests"]


def tarball(path: str, top: str, files: dict[str, str]) -> str:
    """Write a ``.tar.gz`` holding ``files`` (name to text, shell scripts executable) below ``top/``."""
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            data = textwrap.dedent(text).lstrip().encode()
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            info.mode = 0o755 if data.startswith(b"#!") else 0o644
            archive.addfile(info, io.BytesIO(data))
    return path


def md5(path: str) -> str:
    with open(path, "rb") as file:
        return hashlib.md5(file.read(), usedforsecurity=False).hexdigest()


DEMO_PYPROJECT = """
    [build-system]
    requires = ["setuptools>=64"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "demo"
    version = "1.0"
    dependencies = ["zope.event"]
"""

# A configure script and Makefile in the autotools manner, small enough to read.
CMMI_SOURCES = {
    "configure": """
        #!/bin/sh
        prefix=/usr/local
        for argument in "$@"; do
            case "$argument" in
                --prefix=*) prefix="${argument#--prefix=}" ;;
                --with-greeting=*) greeting="${argument#--with-greeting=}" ;;
            esac
        done
        sed -e "s|@prefix@|$prefix|" -e "s|@greeting@|${greeting:-Hello}|" Makefile.in > Makefile
        echo "configured for $prefix"
    """,
    "Makefile.in": """
        prefix = @prefix@
        all: libgreet.a
        greet.o: greet.c greet.h
        \tcc -c -fPIC -DGREETING='"@greeting@"' greet.c -o greet.o
        libgreet.a: greet.o
        \tar rcs libgreet.a greet.o
        install: libgreet.a
        \tmkdir -p $(prefix)/lib $(prefix)/include
        \tcp libgreet.a $(prefix)/lib/
        \tcp greet.h $(prefix)/include/
    """,
    "greet.h": """
        const char *greeting(void);
    """,
    "greet.c": """
        #include "greet.h"
        const char *greeting(void) { return GREETING; }
    """,
}


class RecipeTests(BuildoutTestCase):
    def test_collective_recipe_template(self) -> None:
        self.write("templates", "app.conf.in", text="""
            # generated
            name = ${app:name}
            home = ${buildout:directory}
            literal = $${not-substituted}
        """)
        self.buildout("""
            [buildout]
            parts = app inline

            [app]
            recipe = collective.recipe.template
            name = demo-app
            input = templates/app.conf.in
            output = ${buildout:directory}/etc/app.conf
            mode = 640

            [inline]
            recipe = collective.recipe.template
            input = inline:
                #!/bin/sh
                echo "${app:name} at ${buildout:directory}"
            output = ${buildout:bin-directory}/hello
            mode = 755
        """)
        # The recipe qualifies section-less names itself; ``$$`` only
        # prevents substitution and stays doubled, as upstream leaves it.
        self.assertEqual(self.read("etc", "app.conf"), f"# generated\nname = demo-app\nhome = {self.directory}\n"
                                                       "literal = $${app:not-substituted}\n")
        self.assertEqual(stat.S_IMODE(os.stat(self.path("etc", "app.conf")).st_mode), 0o640)
        self.assertEqual(self.command(self.path("bin", "hello")), f"demo-app at {self.directory}\n")

    def test_plone_recipe_command(self) -> None:
        output = self.buildout("""
            [buildout]
            parts = made

            [made]
            recipe = plone.recipe.command
            command = echo "made in ${buildout:directory}" > ${buildout:directory}/made.txt
            update-command = ${:command}
            stop-on-error = true
        """)
        self.assertIn("Installing made.", output)
        self.assertEqual(self.read("made.txt"), f"made in {self.directory}\n")

    def test_plone_recipe_zope2instance(self) -> None:
        # The recipe subclasses zc.recipe.egg.egg.Scripts and writes the
        # instance's configuration and control script; the script then starts
        # Zope far enough to open its database and run a script in it.
        self.buildout("""
            [buildout]
            parts = instance

            [instance]
            recipe = plone.recipe.zope2instance
            eggs = Zope
            user = admin:secret
            http-address = 127.0.0.1:8080
            zodb-temporary-storage = off
        """)
        self.assertIn("127.0.0.1:8080", self.read("parts", "instance", "etc", "wsgi.ini"))
        self.write("ids.py", text="print(sorted(app.objectIds()))\n")
        output = self.command(self.path("bin", "instance"), "run", self.path("ids.py"))
        self.assertIn("['acl_users', 'index_html', 'virtual_hosting']", output)

    def test_plone_versioncheck(self) -> None:
        # The extension observes the picks through Installer._get_dist; the
        # script parses the configuration with zc.buildout.config.parser and
        # zc.buildout.buildout._default_globals and reads what was observed.
        self.buildout("""
            [buildout]
            extensions = plone.versioncheck
            parts = versioncheck

            [versioncheck]
            recipe = zc.recipe.egg
            eggs =
                plone.versioncheck
                zope.event

            [versions]
            zope.event = 5.0
        """)
        self.command(self.path("bin", "versioncheck"), "--machine", "--required-by", "--output", "report.json")
        report = json.loads(self.read("report.json"))
        self.assertEqual(report["zope.event"]["versions"][0]["version"], "5.0")
        self.assertEqual(report["zope.event"]["state"], "A")  # pinned in buildout.cfg, and active
        self.assertIn("httpx", report["anyio"]["required_by"])

    def test_slapos_recipe_build_download(self) -> None:
        # SlapOS's recipes import zc.buildout.rmtree and use zc.buildout.net.download.
        data = self.write("data.txt", text="the data\n")
        self.buildout(f"""
            [buildout]
            parts = data

            [data]
            recipe = slapos.recipe.build:download
            url = file://{data}
            md5sum = {md5(data)}
        """)
        self.assertEqual(self.read("parts", "data", "data"), "the data\n")

    def test_zc_recipe_testrunner(self) -> None:
        self.write("demo", "pyproject.toml", text=DEMO_PYPROJECT)
        self.write("demo", "src", "demo", "__init__.py", text="""
            def answer():
                return 42
        """)
        self.write("demo", "src", "demo", "tests.py", text="""
            import unittest

            import zope.event

            import demo


            class DemoTests(unittest.TestCase):
                def test_answer(self):
                    self.assertEqual(demo.answer(), 42)

                def test_dependency_importable(self):
                    self.assertTrue(zope.event.notify)
        """)
        self.buildout("""
            [buildout]
            develop = demo
            parts = test

            [test]
            recipe = zc.recipe.testrunner
            eggs = demo
            defaults = ['-v']
        """)
        output = self.command(self.path("bin", "test"))
        self.assertIn("Ran 2 tests with 0 failures, 0 errors", output)

    def test_collective_recipe_omelette(self) -> None:
        self.write("demo", "pyproject.toml", text=DEMO_PYPROJECT)
        self.write("demo", "src", "demo", "__init__.py", text="value = 1\n")
        self.buildout("""
            [buildout]
            develop = demo
            parts = omelette

            [omelette]
            recipe = collective.recipe.omelette
            eggs = demo
        """)
        # The develop project through its egg-link, the dependency (in the
        # zope namespace) from the eggs directory.
        self.assertEqual(os.path.realpath(self.path("parts", "omelette", "demo")),
                         self.path("demo", "src", "demo"))
        event = self.path("parts", "omelette", "zope", "event")
        self.assertTrue(os.path.islink(event))
        self.assertTrue(os.path.isfile(os.path.join(event, "__init__.py")))

    def test_zc_zdaemonrecipe(self) -> None:
        self.buildout("""
            [buildout]
            parts = sleeper

            [sleeper]
            recipe = zc.zdaemonrecipe
            program = sleep 120
            zdaemon.conf =
                <runner>
                    socket-name ${buildout:directory}/sleeper.sock
                </runner>
        """)
        configuration = self.read("parts", "sleeper", "zdaemon.conf")
        self.assertIn("program sleep 120", configuration)
        script = self.path("bin", "sleeper")
        self.assertEqual(self.status(script), (3, "daemon manager not running\n"))  # LSB: not running
        self.command(script, "start")
        try:
            status, output = self.status(script)
            self.assertEqual(status, 0)
            self.assertIn("program running", output)
        finally:
            self.command(script, "stop")
        self.assertEqual(self.status(script)[0], 3)

    def status(self, script: str) -> tuple[int, str]:
        return run([script, "status"], self.directory, self.environ)

    def test_zc_recipe_deployment(self) -> None:
        self.buildout(f"""
            [buildout]
            parts = deployment app.conf

            [deployment]
            recipe = zc.recipe.deployment
            name = demo
            user = {getpass.getuser()}
            etc-prefix = ${{buildout:directory}}/etc
            var-prefix = ${{buildout:directory}}/var

            [app.conf]
            recipe = zc.recipe.deployment:configuration
            deployment = deployment
            text = answer = 42
        """)
        for directory in ("etc/demo", "var/log/demo", "var/run/demo"):
            self.assertTrue(os.path.isdir(self.path(*directory.split("/"))), directory)
        self.assertEqual(self.read("etc", "demo", "app.conf"), "answer = 42")

    def test_hexagonit_recipe_download(self) -> None:
        served = self.path("served")
        os.mkdir(served)
        archive = tarball(os.path.join(served, "data-1.0.tar.gz"), "data-1.0",
                          {"README": "the data\n", "sub/values.txt": "1 2 3\n"})
        with FileServer(served).start() as server:
            self.buildout(f"""
                [buildout]
                parts = data

                [data]
                recipe = hexagonit.recipe.download
                url = {server.url}data-1.0.tar.gz
                md5sum = {md5(archive)}
                strip-top-level-dir = true
            """)
        self.assertEqual(self.read("parts", "data", "README"), "the data\n")
        self.assertEqual(self.read("parts", "data", "sub", "values.txt"), "1 2 3\n")

    def test_zc_recipe_cmmi(self) -> None:
        served = self.path("served")
        os.mkdir(served)
        archive = tarball(os.path.join(served, "greet-1.0.tar.gz"), "greet-1.0", CMMI_SOURCES)
        with FileServer(served).start() as server:
            self.buildout(f"""
                [buildout]
                parts = greet

                [greet]
                recipe = zc.recipe.cmmi
                url = {server.url}greet-1.0.tar.gz
                md5sum = {md5(archive)}
                extra_options = --with-greeting=Bonjour
            """)
        prefix = self.path("parts", "greet")
        self.assertTrue(os.path.isfile(os.path.join(prefix, "lib", "libgreet.a")))
        self.write("main.c", text="""
            #include <stdio.h>
            #include "greet.h"
            int main(void) { puts(greeting()); return 0; }
        """)
        subprocess.run(["cc", "main.c", f"-I{prefix}/include", f"-L{prefix}/lib", "-lgreet", "-o", "main"],
                       cwd=self.directory, check=True)
        self.assertEqual(self.command(self.path("main")), "Bonjour\n")

    def test_mr_developer(self) -> None:
        repository = self.path("repositories", "demo")
        self.write("repositories", "demo", "pyproject.toml", text=DEMO_PYPROJECT)
        self.write("repositories", "demo", "src", "demo", "__init__.py", text="origin = 'git'\n")
        git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid"]
        for argv in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "demo"]):
            subprocess.run([*git, *argv], cwd=repository, check=True)
        self.buildout(f"""
            [buildout]
            extensions = mr.developer
            sources = sources
            auto-checkout = demo
            parts = py

            [sources]
            demo = git file://{repository} branch=main

            [py]
            recipe = zc.recipe.egg
            eggs = demo
            interpreter = py
        """)
        self.assertTrue(os.path.isdir(self.path("src", "demo", ".git")))
        output = self.command(self.path("bin", "py"), "-c",
                              "import demo, zope.event; print(demo.__file__, demo.origin)")
        self.assertEqual(output, f"{self.path('src', 'demo', 'src', 'demo', '__init__.py')} git\n")
        self.assertIn("demo", self.command(self.path("bin", "develop"), "list"))
