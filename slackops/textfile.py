"""Reading a file a person named (a configuration, a policy, the sandbox's people): its
text, or one line saying what is wrong with it, never a traceback."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["MAX_BYTES", "FileProblem", "read_text"]

MAX_BYTES = 1024 * 1024
"""Configuration and policy files are a few kilobytes; a larger one is not one of them."""


class FileProblem(Exception):
    """What is wrong with the file, in words ("is a directory, not a file"); the caller names it."""


def read_text(path: str | os.PathLike[str], *, allow_empty: bool = False) -> str:
    """The file's UTF-8 text. FileNotFoundError as it is (callers say "no such ... file");
    every other problem as a FileProblem."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise FileProblem("is a directory, not a file") from None
    except PermissionError:
        raise FileProblem("cannot be read (permission denied)") from None
    except OSError as e:
        raise FileProblem(f"cannot be read ({e.strerror or e.__class__.__name__})") from None
    if len(data) > MAX_BYTES:
        size = p.stat().st_size
        raise FileProblem(f"is {size / 1024 / 1024:.0f} MB, too large for this kind of file (at most "
                          f"{MAX_BYTES // 1024 // 1024} MB)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise FileProblem(f"is not UTF-8 text (byte 0x{data[e.start]:02x} at position {e.start})") from None
    if not allow_empty and not text.strip():
        raise FileProblem("is empty")
    return text.removeprefix("\ufeff")
