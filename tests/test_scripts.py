"""Script generation: relative paths, modes, rewriting, .pth files, the interpreter's options."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

from zc.buildout.errors import UserError
from zc.buildout.run import scripts


class RelativizeTests(unittest.TestCase):
    def test_base_itself(self) -> None:
        self.assertEqual(scripts.relativize("/b", "/b/bin/x", "/b"), "base")
        self.assertEqual(scripts.relativize("/b/", "/b/bin/x", "/b/"), "base")

    def test_inside(self) -> None:
        self.assertEqual(scripts.relativize("/b/eggs/d-1.egg", "/b/bin/x", "/b"), "join(base, 'eggs/d-1.egg')")
        self.assertEqual(scripts.relativize("/b/bin/lib", "/b/bin/x", "/b"), "join(base, 'bin/lib')")

    def test_outside_and_prefix_siblings(self) -> None:
        self.assertEqual(scripts.relativize("/bb/eggs", "/b/bin/x", "/b"), "'/bb/eggs'")
        self.assertEqual(scripts.relativize("/", "/b/bin/x", "/b"), "'/'")
        self.assertEqual(scripts.relativize("/other", "/b/bin/x", "/b"), "'/other'")

    def test_quotes_in_paths(self) -> None:
        self.assertEqual(scripts.relativize("/b/it's", "/b/bin/x", "/b"), 'join(base, "it\'s")')

    def test_script_on_its_own_path(self) -> None:
        with self.assertRaises(ValueError):
            scripts.relativize("/b/bin/x", "/b/bin/x", "/b")


class _Case(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = pathlib.Path(os.path.realpath(tempfile.mkdtemp()))
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.base = self.tmp / "buildout"
        (self.base / "eggs" / "demo").mkdir(parents=True)
        (self.base / "eggs" / "demo" / "demo.py").write_text(
            "import sys\ndef main(*args):\n    print('main', args, sys.argv[1:])\n    return 3\n"
        )
        (self.base / "bin").mkdir()
        # What scripts log is shown on docs/topics/scripts.rst; keep it out of here.
        quiet = mock.patch.object(scripts.logger, "disabled", True)
        quiet.start()
        self.addCleanup(quiet.stop)

    def console(self, script: pathlib.Path, **kw: object) -> bool:
        options: dict[str, object] = dict(path=[str(self.base / "eggs" / "demo")], executable=sys.executable)
        options.update(kw)
        return scripts.console_script(str(script), "demo", "main", **options)  # type: ignore[arg-type]

    def run_script(self, *argv: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(argv), input=input, capture_output=True, text=True, cwd=self.base)


class RelativeScriptTests(_Case):
    def levels(self, script: pathlib.Path) -> int:
        return script.read_text().count("base = os.path.dirname(base)\n")

    def test_depth_follows_nesting(self) -> None:
        (self.base / "parts" / "p" / "bin").mkdir(parents=True)
        for script, depth in [(self.base / "x", 0), (self.base / "bin" / "x", 1), (self.base / "parts" / "p" / "bin" / "x", 3)]:
            self.console(script, relative_to=str(self.base))
            self.assertEqual(self.levels(script), depth)
            self.assertEqual(self.run_script(str(script)).stdout, "main () []\n")

    def test_base_given_with_trailing_slash_or_relative(self) -> None:
        self.addCleanup(os.chdir, os.getcwd())
        os.chdir(self.tmp)
        self.console(self.base / "bin" / "x", relative_to="buildout/")
        self.assertIn("join(base, 'eggs/demo')", (self.base / "bin" / "x").read_text())

    def test_real_location_counts(self) -> None:
        (self.base / "tools" / "bin").mkdir(parents=True)
        (self.base / "bin").rmdir()
        (self.base / "bin").symlink_to(self.base / "tools" / "bin")
        self.console(self.base / "bin" / "x", relative_to=str(self.base))
        self.assertEqual(self.levels(self.base / "bin" / "x"), 2)
        self.assertEqual(self.run_script(str(self.base / "bin" / "x")).stdout, "main () []\n")

    def test_script_linked_out_of_the_base(self) -> None:
        (self.tmp / "outside").mkdir()
        (self.base / "bin").rmdir()
        (self.base / "bin").symlink_to(self.tmp / "outside")
        with self.assertRaises(UserError):
            self.console(self.base / "bin" / "x", relative_to=str(self.base))
        self.assertEqual(os.listdir(self.tmp / "outside"), [])


class WritingTests(_Case):
    def test_mode_follows_the_umask(self) -> None:
        old = os.umask(0o027)
        self.addCleanup(os.umask, old)
        self.console(self.base / "bin" / "x")
        self.assertEqual((self.base / "bin" / "x").stat().st_mode & 0o777, 0o750)

    def test_unchanged_script_is_not_touched(self) -> None:
        script = self.base / "bin" / "x"
        self.assertTrue(self.console(script))
        os.utime(script, (0, 0))
        self.assertFalse(self.console(script))
        self.assertEqual(script.stat().st_mtime, 0)
        self.assertTrue(self.console(script, arguments="1"))
        self.assertEqual(os.listdir(self.base / "bin"), ["x"])

    def test_exit_status_and_empty_path(self) -> None:
        script = self.base / "bin" / "x"
        self.console(script, path=[], initialization=f"sys.path.insert(0, {str(self.base / 'eggs' / 'demo')!r})")
        completed = self.run_script(str(script), "a")
        self.assertEqual((completed.stdout, completed.returncode), ("main () ['a']\n", 3))

    def test_callers_template_is_used(self) -> None:
        template = scripts.script_header + "\n# custom\nimport sys\nsys.path[0:0] = [%(path)s]\n"
        self.console(self.base / "bin" / "x", template=template)
        self.assertEqual(
            (self.base / "bin" / "x").read_text(),
            f"#!{sys.executable} -S\n# custom\nimport sys\nsys.path[0:0] = ['{self.base}/eggs/demo']\n",
        )


class BakedPathTests(_Case):
    def test_pth_files_and_repeats(self) -> None:
        demo = self.base / "eggs" / "demo"
        (demo / "src").mkdir()
        (self.base / "shared").mkdir()
        (demo / "a.pth").write_text("# comment\nsrc\n\nimport os\n../../shared\nmissing\n")
        (demo / "b.pth").write_text(f"{self.base / 'shared'}\n")
        self.assertEqual(
            scripts.baked_path([str(demo), str(demo) + "/"], [str(self.base / "shared"), "/nowhere"]),
            [str(demo), str(demo / "src"), str(self.base / "shared"), "/nowhere"],
        )


class RealPathsTests(_Case):
    def test_as_realpath_resolves_them(self) -> None:
        eggs = self.base / "eggs"
        (eggs / "real-1.0.egg").mkdir()
        (self.tmp / "elsewhere").mkdir()
        (eggs / "linked-1.0.egg").symlink_to(self.tmp / "elsewhere")
        (self.tmp / "eggs-link").symlink_to(eggs)
        linked = self.tmp / "eggs-link"
        paths = [
            str(linked / "real-1.0.egg"), str(linked / "linked-1.0.egg"), str(linked / "missing"),
            str(eggs / "demo"), str(linked / ".." / "buildout" / "eggs" / "demo"), str(linked) + "/",
            "relative/path", str(linked / "real-1.0.egg" / "sub" / ".."),
        ]
        self.assertEqual(scripts.real_paths(paths), [os.path.realpath(path) for path in paths])
        self.assertEqual(scripts.real_paths(paths)[:3], [
            str(eggs / "real-1.0.egg"), str(self.tmp / "elsewhere"), str(eggs / "missing")])

    def test_a_directory_of_many_is_listed_once(self) -> None:
        eggs = self.base / "eggs"
        (self.tmp / "elsewhere").mkdir()
        for number in range(60):
            (eggs / f"real{number}-1.0.egg").mkdir(parents=True)
        (eggs / "linked-1.0.egg").symlink_to(self.tmp / "elsewhere")
        (self.tmp / "eggs-link").symlink_to(eggs)
        linked = self.tmp / "eggs-link"
        paths = [str(linked / name) for name in sorted(os.listdir(eggs))] + [str(eggs / "missing")]
        with mock.patch.object(os.path, "islink", wraps=os.path.islink) as islink:
            found = scripts.real_paths(paths)
        self.assertEqual(found, [os.path.realpath(path) for path in paths])
        self.assertLess(islink.call_count, 60)  # resolving the directory and the one link only


class InterpreterTests(_Case):
    def setUp(self) -> None:
        super().setUp()
        self.py = str(self.base / "bin" / "py")
        scripts.interpreter_script(self.py, path=[str(self.base / "eggs" / "demo")], executable=sys.executable)

    def test_glued_option_values(self) -> None:
        self.assertEqual(self.run_script(self.py, "-cimport demo; demo.main()", "x").stdout, "main () ['x']\n")

    def test_missing_option_value(self) -> None:
        completed = self.run_script(self.py, "-c")
        self.assertEqual((completed.stderr, completed.returncode), ("Argument expected for the -c option\n", 1))

    def test_program_from_stdin(self) -> None:
        self.assertEqual(self.run_script(self.py, "-", "z", input="import sys; print(sys.argv)").stdout, "['-', 'z']\n")

    def test_double_dash_ends_options(self) -> None:
        (self.base / "-odd.py").write_text("print('odd')\n")
        self.assertEqual(self.run_script(self.py, "--", "-odd.py").stdout, "odd\n")

    def test_file_then_interactive_sees_its_names(self) -> None:
        (self.base / "f.py").write_text("answer = 42\n")
        self.assertEqual(self.run_script(self.py, "-i", "f.py", input="print(answer)\n").stdout, ">>> 42\n>>> ")

    def test_exceptions_and_exit_codes(self) -> None:
        completed = self.run_script(self.py, "-c", "raise SystemExit(5)")
        self.assertEqual(completed.returncode, 5)
        completed = self.run_script(self.py, "-c", "1/0")
        self.assertEqual(completed.returncode, 1)
        self.assertIn("ZeroDivisionError", completed.stderr)


_PROBE = "import sys, json, decimal; print(json.dumps(sys.path))"


def _interpreters() -> dict[str, str]:
    """The kinds of interpreter this machine has: a virtual environment, a plain one, a Debian one."""
    found: dict[str, str] = {}
    base = os.path.join(sys.base_prefix, "bin", f"python{sys.version_info[0]}.{sys.version_info[1]}")
    for executable in (sys.executable, base, "/usr/bin/python3"):
        if not os.path.exists(executable):
            continue
        path = _sys_path(executable)
        if any(entry.endswith("dist-packages") for entry in path):
            found.setdefault("debian", executable)
        elif sys.prefix != sys.base_prefix and executable == sys.executable:
            found.setdefault("venv", executable)
        elif any(entry.endswith("site-packages") for entry in path):
            found.setdefault("plain", executable)
    return found


def _environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "PYTHONHOME")}


def _sys_path(*argv: str) -> list[str]:
    import json  # only these tests read a child's sys.path

    completed = subprocess.run([*argv, "-c", _PROBE], capture_output=True, text=True, env=_environment(),
                               check=True)
    return list(json.loads(completed.stdout))


def _site_directories(path: list[str]) -> list[str]:
    return [entry for entry in path if entry.rstrip("/").endswith(("site-packages", "dist-packages"))]


class IsolationTests(_Case):
    """Scripts see the part's path and the standard library, no site-packages, whatever the interpreter."""

    def test_every_kind_of_interpreter(self) -> None:
        interpreters = _interpreters()
        for kind in ("venv", "plain", "debian"):
            with self.subTest(kind=kind):
                if kind not in interpreters:
                    self.skipTest(f"no {kind} interpreter here")
                executable = interpreters[kind]
                self.assertTrue(_site_directories(_sys_path(executable)))
                demo = str(self.base / "eggs" / "demo")
                for include in (False, True):
                    py = str(self.base / "bin" / f"py-{kind}-{include}")
                    scripts.interpreter_script(py, path=[demo], executable=executable,
                                               include_site_packages=include)
                    path = _sys_path(py)
                    self.assertEqual(path[:2], [demo, str(self.base / "bin")])
                    self.assertTrue(any(entry.endswith("lib-dynload") for entry in path), path)
                    self.assertEqual(bool(_site_directories(path)), include, path)
                    if not include:
                        self.assertEqual(path[2:], _sys_path(executable, "-S")[1:])
