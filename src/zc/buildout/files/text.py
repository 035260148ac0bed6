"""Writing a text file at once: a reader sees the old text or the new one, never a part."""

from __future__ import annotations

import os

__all__ = ["write_text"]


def write_text(path: str, text: str, *, mode: int = 0o666) -> bool:
    """Write ``text`` to ``path`` unless it already holds it; return whether it changed.

    A new text replaces the file at once (written beside it, then renamed),
    so a reader sees the old file or the new one, never a part; the new file
    gets ``mode`` less the umask.
    """
    try:
        with open(path, encoding="utf-8") as file:
            if file.read() == text:
                return False
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    import secrets  # start-up: most runs find every file unchanged

    directory, name = os.path.split(os.path.abspath(path))
    temporary = os.path.join(directory, f".{name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.remove(temporary)
        raise
    return True
