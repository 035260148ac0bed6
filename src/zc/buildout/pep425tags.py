"""``zc.buildout.pep425tags``: the wheel tags of the running Python, under the names upstream published.

Upstream shipped an old copy of pip's tag module here; recipes and their
tests read a few of its functions. These answer from
:mod:`packaging.tags`, the same tags the installer matches wheels against.
"""

from __future__ import annotations

import sys
import sysconfig

from packaging import tags

__all__ = [
    "get_abbr_impl",
    "get_abi_tag",
    "get_config_var",
    "get_impl_ver",
    "get_impl_version_info",
    "get_platform",
    "get_supported",
]


def get_abbr_impl() -> str:
    """The interpreter's short name in tags: ``cp``, ``pp``, ..."""
    return tags.interpreter_name()


def get_impl_ver() -> str:
    """The interpreter's version in tags: ``311`` for 3.11."""
    return tags.interpreter_version()


def get_impl_version_info() -> tuple[int, int]:
    """The interpreter's major and minor version."""
    return sys.version_info[0], sys.version_info[1]


def get_config_var(name: str) -> object:
    """A build-time configuration variable of the interpreter (``None`` if unset)."""
    return sysconfig.get_config_var(name)


def get_abi_tag() -> str | None:
    """The ABI tag of the running interpreter (``cp311``, ``cp313t``), or ``None`` where it has none."""
    return next(iter(tags.sys_tags())).abi if get_config_var("SOABI") else None


def get_platform() -> str:
    """The most specific platform tag of this machine: ``linux_x86_64``, ``macosx_11_0_arm64``, ..."""
    return next(iter(tags.platform_tags()))


def get_supported() -> list[tuple[str, str, str]]:
    """Every ``(interpreter, abi, platform)`` a wheel may carry to install here, most specific first."""
    return [(tag.interpreter, tag.abi, tag.platform) for tag in tags.sys_tags()]
