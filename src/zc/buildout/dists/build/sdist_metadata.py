"""The core metadata of a source distribution: its ``PKG-INFO`` when reliable, else the backend's.

The backend prepares the metadata (``prepare_metadata_for_build_wheel``),
except for the version a pin names exactly, with a download cache: that one
is built into a wheel at once, kept where installing finds it (see
:func:`~zc.buildout.dists.store.archive_cache.built_wheel`), so the backend runs once.
"""

from __future__ import annotations

import email.message
import email.parser
import os
import shutil
import sysconfig
import tarfile
import tempfile
import zipfile
from typing import TYPE_CHECKING

from packaging.version import InvalidVersion, Version

from zc.buildout.dists.build import frontend
from zc.buildout.dists.metadata import headers_of_wheel
from zc.buildout.dists.store.archive_cache import built_wheel, sha256_of
from zc.buildout.dists.store.eggs import python_tag
from zc.buildout.dists.store.state import download_cache_state, eggs_state
from zc.buildout.errors import UserError

if TYPE_CHECKING:
    from zc.buildout.dists.build.isolation import BuildEnvironments
    from zc.buildout.dists.metadata import Metadata

__all__ = ["sdist_metadata"]


def _reliable_pkg_info(sdist: str) -> email.message.Message | None:
    """The sdist's ``PKG-INFO`` when it is metadata 2.2+ with static requirements."""
    text = _pkg_info_text(sdist)
    if text is None:
        return None
    message = email.parser.HeaderParser().parsestr(text)
    try:
        reliable = Version(message.get("Metadata-Version", "1.0")) >= Version("2.2")
    except InvalidVersion:
        return None
    dynamic = {field.lower() for field in message.get_all("Dynamic", [])}
    return message if reliable and "requires-dist" not in dynamic else None


def _pkg_info_text(sdist: str) -> str | None:
    try:
        if sdist.endswith(".zip"):
            with zipfile.ZipFile(sdist) as archive:
                names = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith("/PKG-INFO")]
                return archive.read(names[0]).decode("utf-8", "replace") if names else None
        with tarfile.open(sdist) as tar:
            members = [m for m in tar.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")]
            file = tar.extractfile(members[0]) if members else None
            return file.read().decode("utf-8", "replace") if file else None
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as error:
        raise UserError(f"Couldn't read {sdist}: {error}") from None


def sdist_metadata(path: str, environments: BuildEnvironments, *, pinned: bool = False) -> Metadata:
    """The core metadata of an sdist; ``pinned``: its version is the one a pin names.

    ``PKG-INFO`` when it is reliable (metadata 2.2 or later, requirements not
    dynamic). Else the metadata of the wheel built from it, for a ``pinned``
    sdist with a download cache; else what the build backend prepares, kept
    (in the download cache's working state, or the eggs directory's) keyed by the sdist's
    digest and the Python, so it is computed once.
    """
    found = _reliable_pkg_info(path)
    if found is not None:
        return found
    settings = environments.settings

    description = os.path.basename(path)
    if pinned and settings.archive_cache is not None:
        wheel = built_wheel(settings.archive_cache, path, lambda output: frontend.build_wheel(
            path, output, environments, description=description))
        return headers_of_wheel(wheel, os.path.basename(wheel))

    if settings.download_cache is not None:
        cache = download_cache_state(settings.download_cache, "metadata")
    else:
        cache = eggs_state(settings.eggs_directory, "metadata")
    key = os.path.join(cache, f"{sha256_of(path)}-{python_tag()}-{sysconfig.get_platform()}")
    if not os.path.exists(key):
        with tempfile.TemporaryDirectory(prefix="buildout-metadata-") as output:
            info = frontend.prepare_metadata(path, output, environments, description=description)
            descriptor, staged = tempfile.mkstemp(prefix=".tmp-", dir=cache)
            os.close(descriptor)
            shutil.copyfile(os.path.join(info, "METADATA"), staged)
            os.replace(staged, key)
    with open(key, encoding="utf-8") as file:
        return email.parser.HeaderParser().parse(file)
