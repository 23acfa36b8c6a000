"""Errors the commands report in one line: the full traceback only ever goes to a log file."""

from __future__ import annotations

import os
import tempfile
import traceback
from pathlib import Path

from medinfra import SOURCE_ROOT


def log_traceback(exc: BaseException, what: str) -> str:
    """Write `exc`'s full traceback to a private log file; return its path (the only place a
    traceback goes: nothing we print shows one)."""
    fd, path = tempfile.mkstemp(prefix=f"medinfra-{what}-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("".join(traceback.format_exception(exc)))
    return path


def where(exc: BaseException) -> str:
    """`file:line` of the innermost frame, relative to the source checkout when inside it."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    path = Path(frames[-1].filename)
    root = SOURCE_ROOT or Path.cwd()
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    return f"{shown}:{frames[-1].lineno}"


def last_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[-1][:200]}" if text else type(exc).__name__
