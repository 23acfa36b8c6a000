"""Report files the commands write: atomically, and private (0600) whatever the umask."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def write_json(path: Path, document: dict) -> None:
    """Write atomically and privately (0600): a reader never sees half an inventory."""
    write_text(path, json.dumps(document, indent=2) + "\n")


def write_text(path: Path, text: str) -> None:
    """Every report file: written atomically, mode 0600 (mkstemp's), whatever the umask."""
    from medinfra.project import InputError

    if not path.parent.is_dir():
        raise InputError(f"{path}: directory {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
