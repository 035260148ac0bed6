"""Builders for sample distributions: wheels, sdists, eggs and develop project trees.

Everything is written directly (``zipfile``, ``tarfile``), with no build tool,
so docs pages and tests can make the distributions they install.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import tarfile
import zipfile
from collections.abc import Mapping, Sequence
from typing import Literal

from zc.buildout.testing import tiny_backend

__all__ = ["core_metadata", "egg", "project", "sdist", "wheel"]

Modules = Mapping[str, str]
"""Files of a distribution's code: path relative to the code root -> text."""

EntryPointTable = Mapping[str, Mapping[str, str]]
"""Entry points: group -> name -> ``module:attribute``."""

Backend = Literal["setuptools", "setup.py", "hatchling", "flit-core", "pdm-backend", "tiny"]


def _import_name(name: str) -> str:
    return re.sub(r"[-.]+", "_", name).lower()


def _default_modules(name: str, version: str) -> dict[str, str]:
    """One module named after the distribution, with a ``main`` printing name and version."""
    return {
        f"{_import_name(name)}.py": (
            f'"""The sample distribution {name}."""\n\n'
            f"__version__ = {version!r}\n\n\n"
            f"def main():\n    print({f'{name} {version}'!r})\n"
        )
    }


def core_metadata(
    name: str,
    version: str,
    *,
    requires: Sequence[str] = (),
    extras: Mapping[str, Sequence[str]] | None = None,
    requires_python: str | None = None,
    summary: str | None = None,
    metadata_version: str = "2.2",
    dynamic: Sequence[str] = (),
) -> str:
    """Core metadata text (``METADATA``/``PKG-INFO``).

    ``extras`` maps an extra to its requirements, which get an ``extra``
    marker (combined with any marker they already carry).
    """
    lines = [
        f"Metadata-Version: {metadata_version}",
        f"Name: {name}",
        f"Version: {version}",
        f"Summary: {summary or f'The sample distribution {name}.'}",
    ]
    lines += [f"Dynamic: {field}" for field in dynamic]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines += [f"Requires-Dist: {requirement}" for requirement in requires]
    for extra, requirements in (extras or {}).items():
        lines.append(f"Provides-Extra: {extra}")
        for requirement in requirements:
            text, _, marker = requirement.partition(";")
            condition = f'({marker.strip()}) and extra == "{extra}"' if marker else f'extra == "{extra}"'
            lines.append(f"Requires-Dist: {text.strip()}; {condition}")
    return "\n".join(lines) + "\n\n"


def _entry_points_text(entry_points: EntryPointTable) -> str:
    sections = []
    for group, entries in entry_points.items():
        body = "".join(f"{key} = {value}\n" for key, value in entries.items())
        sections.append(f"[{group}]\n{body}")
    return "\n".join(sections)


def wheel(
    directory: str,
    name: str,
    version: str = "1.0",
    *,
    modules: Modules | None = None,
    requires: Sequence[str] = (),
    extras: Mapping[str, Sequence[str]] | None = None,
    requires_python: str | None = None,
    entry_points: EntryPointTable | None = None,
    tag: str = "py3-none-any",
    data: Mapping[str, str] | None = None,
    dist_info: Mapping[str, str] | None = None,
) -> str:
    """Write a wheel into ``directory``; return its path.

    ``modules`` defaults to one module named after the distribution. ``data``
    adds files under the wheel's ``.data`` directory (``scripts/x``,
    ``headers/x.h``, ``purelib/x.py``), ``dist_info`` files to its metadata
    directory (``dependency_links.txt``).
    """
    os.makedirs(directory, exist_ok=True)
    metadata = core_metadata(
        name, version, requires=requires, extras=extras, requires_python=requires_python
    )
    files = {
        path: text.encode()
        for path, text in (modules if modules is not None else _default_modules(name, version)).items()
    }
    prefix = f"{tiny_backend.wheel_name(name)}-{version}.data"
    for path, text in (data or {}).items():
        files[f"{prefix}/{path}"] = text.encode()
    extra = {name: text.encode() for name, text in (dist_info or {}).items()}
    if entry_points:
        extra["entry_points.txt"] = _entry_points_text(entry_points).encode()
    filename = tiny_backend.write_wheel(directory, metadata, files, tag=tag, dist_info=extra)
    return os.path.join(directory, filename)


def egg(
    directory: str,
    name: str,
    version: str = "1.0",
    *,
    modules: Modules | None = None,
    requires: Sequence[str] = (),
    extras: Mapping[str, Sequence[str]] | None = None,
    entry_points: EntryPointTable | None = None,
    python: str = f"{sys.version_info[0]}.{sys.version_info[1]}",
    platform: str | None = None,
) -> str:
    """Write a zipped egg (``Name-1.0-py3.11[-platform].egg``) into ``directory``; return its path.

    As ``bdist_egg`` made them: the code at the root, and ``EGG-INFO`` with
    ``PKG-INFO`` (no requirements) and the requirements in ``requires.txt``,
    a requirement's marker and each extra making a section of its own.
    """
    os.makedirs(directory, exist_ok=True)
    code = modules if modules is not None else _default_modules(name, version)
    sections: dict[str, list[str]] = {"": []}
    for requirement in requires:
        text, _, marker = requirement.partition(";")
        sections.setdefault(f":{marker.strip()}" if marker else "", []).append(text.strip())
    for extra, requirements in (extras or {}).items():
        sections.setdefault(extra, []).extend(requirements)
    requires_txt = "".join(
        (f"\n[{section}]\n" if section else "") + "".join(f"{line}\n" for line in lines)
        for section, lines in sections.items())
    info = {
        "PKG-INFO": core_metadata(name, version, metadata_version="1.1"),
        "requires.txt": requires_txt,
        "top_level.txt": "".join(f"{entry.removesuffix('.py')}\n" for entry in _top_level(code)),
        "not-zip-safe": "\n",
    }
    if entry_points:
        info["entry_points.txt"] = _entry_points_text(entry_points)
    stem = f"{re.sub('[^A-Za-z0-9.]+', '_', name)}-{version}-py{python}"
    path = os.path.join(directory, f"{stem}-{platform}.egg" if platform else f"{stem}.egg")
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in sorted(code.items()):
            archive.writestr(member, text)
        for member, text in info.items():
            archive.writestr(f"EGG-INFO/{member}", text)
    return path


def _toml_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(json.dumps(item) for item in items) + "]"


_BUILD_SYSTEMS: Mapping[str, tuple[Sequence[str], str]] = {
    "setuptools": (["setuptools>=64"], "setuptools.build_meta"),
    "hatchling": (["hatchling"], "hatchling.build"),
    "flit-core": (["flit_core>=3.4"], "flit_core.buildapi"),
    "pdm-backend": (["pdm-backend"], "pdm.backend"),
}


def _pyproject(
    backend: Backend,
    name: str,
    version: str,
    requires: Sequence[str],
    entry_points: EntryPointTable | None,
    top_level: Sequence[str],
    src_layout: bool,
    build_requires: Sequence[str] | None = None,
) -> str:
    if backend == "tiny":
        return (
            '[build-system]\nrequires = []\nbuild-backend = "tiny_backend"\n'
            'backend-path = ["_backend"]\n'
        )
    default_requires, build_backend = _BUILD_SYSTEMS[backend]
    if build_requires is None:
        build_requires = default_requires
    text = (
        f"[build-system]\nrequires = {_toml_list(build_requires)}\n"
        f"build-backend = {json.dumps(build_backend)}\n\n"
        f"[project]\nname = {json.dumps(name)}\nversion = {json.dumps(version)}\n"
        f"description = {json.dumps(f'The sample distribution {name}.')}\n"
        f"dependencies = {_toml_list(requires)}\n"
    )
    for group, entries in (entry_points or {}).items():
        table = "scripts" if group == "console_scripts" else f'entry-points."{group}"'
        text += f"\n[project.{table}]\n"
        text += "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in entries.items())
    if backend == "hatchling":
        prefix = "src/" if src_layout else ""
        text += "\n[tool.hatch.build.targets.wheel]\n"
        text += f"only-include = {_toml_list([prefix + top for top in top_level])}\n"
        if src_layout:
            text += 'sources = ["src"]\n'
    return text


def _setup_py(name: str, version: str, requires: Sequence[str], entry_points: EntryPointTable | None,
              top_level: Sequence[str], src_layout: bool) -> str:
    modules = [top[:-3] for top in top_level if top.endswith(".py")]
    where = "src" if src_layout else "."
    groups = {group: [f"{k} = {v}" for k, v in entries.items()]
              for group, entries in (entry_points or {}).items()}
    return (
        "from setuptools import find_packages, setup\n\n"
        f"setup(\n    name={name!r},\n    version={version!r},\n"
        f"    package_dir={{'': {where!r}}},\n    py_modules={modules!r},\n"
        f"    packages=find_packages({where!r}),\n"
        f"    install_requires={list(requires)!r},\n    entry_points={groups!r},\n)\n"
    )


def _top_level(modules: Modules) -> list[str]:
    return sorted({path.split("/", 1)[0] for path in modules})


def _write_files(root: str, files: Mapping[str, str]) -> None:
    for path, text in files.items():
        full = os.path.join(root, *path.split("/"))
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as file:
            file.write(text)


def _tree_files(
    backend: Backend,
    name: str,
    version: str,
    *,
    modules: Modules | None,
    requires: Sequence[str],
    entry_points: EntryPointTable | None,
    src_layout: bool,
    build_requires: Sequence[str] | None = None,
) -> dict[str, str]:
    """The files of a project tree (or unpacked sdist) built by ``backend``."""
    code = dict(modules if modules is not None else _default_modules(name, version))
    src_layout = src_layout or backend == "tiny"
    prefix = "src/" if src_layout else ""
    files = {prefix + path: text for path, text in code.items()}
    top_level = _top_level(code)
    if backend == "setup.py":
        files["setup.py"] = _setup_py(name, version, requires, entry_points, top_level, src_layout)
    else:
        files["pyproject.toml"] = _pyproject(
            backend, name, version, requires, entry_points, top_level, src_layout, build_requires
        )
    if backend == "tiny":
        with open(tiny_backend.__file__, encoding="utf-8") as file:
            files["_backend/tiny_backend.py"] = file.read()
        files["PKG-INFO"] = core_metadata(name, version, requires=requires)
        if entry_points:
            files["entry_points.txt"] = _entry_points_text(entry_points)
    return files


def project(
    path: str,
    name: str,
    version: str = "1.0",
    *,
    backend: Backend = "setuptools",
    modules: Modules | None = None,
    requires: Sequence[str] = (),
    entry_points: EntryPointTable | None = None,
    src_layout: bool = False,
    build_requires: Sequence[str] | None = None,
) -> str:
    """Write a project tree for ``develop`` at ``path``; return ``path``.

    ``backend`` is ``setuptools`` (``pyproject.toml``), ``setup.py`` (a
    legacy ``setup.py`` only), ``hatchling``, ``flit-core``, ``pdm-backend``
    or ``tiny`` (the in-tree backend of this package; always a ``src/``
    layout). ``build_requires`` replaces the backend's usual build
    requirements.
    """
    _write_files(path, _tree_files(
        backend, name, version, modules=modules, requires=requires,
        entry_points=entry_points, src_layout=src_layout, build_requires=build_requires,
    ))
    return path


def sdist(
    directory: str,
    name: str,
    version: str = "1.0",
    *,
    backend: Backend = "tiny",
    modules: Modules | None = None,
    requires: Sequence[str] = (),
    entry_points: EntryPointTable | None = None,
    metadata_version: str = "2.2",
    dynamic: Sequence[str] = (),
    fail: str | None = None,
    build_requires: Sequence[str] | None = None,
) -> str:
    """Write ``<name>-<version>.tar.gz`` into ``directory``; return its path.

    The ``tiny`` backend travels inside the sdist, so building it needs
    nothing installed; ``fail`` makes that build fail with this message.
    Other backends are those of :func:`project` (a flat layout).
    ``PKG-INFO`` uses ``metadata_version`` and declares ``dynamic`` fields.
    """
    os.makedirs(directory, exist_ok=True)
    files = _tree_files(
        backend, name, version, modules=modules, requires=requires,
        entry_points=entry_points, src_layout=False, build_requires=build_requires,
    )
    files["PKG-INFO"] = core_metadata(
        name, version, requires=requires, metadata_version=metadata_version, dynamic=dynamic
    )
    if fail is not None:
        files["FAIL"] = fail + "\n"
    base = f"{tiny_backend.wheel_name(name)}-{version}"
    path = os.path.join(directory, f"{base}.tar.gz")
    with tarfile.open(path, "w:gz") as archive:
        for member, text in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo(f"{base}/{member}")
            info.size = len(data)
            info.mtime = 1577836800
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return path
