"""Bytes on disk for evidence: canonical JSON, digests, and private (0600) atomic writes."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


class EvidenceError(Exception):
    """Evidence cannot be written or read as asked (bad input: exit code 2)."""


def canonical(document: Any) -> bytes:
    """The one byte form a digest of a JSON value is taken over (sorted keys, no spaces)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(document: Any) -> str:
    """sha256 of a JSON value's canonical form, as hex."""
    return hashlib.sha256(canonical(document)).hexdigest()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def render_json(document: Any) -> bytes:
    """How a bundle file is written: stable (sorted keys) and readable (indented)."""
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, readable by its owner only (0600)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) owner-only if missing; refuse a file in its place."""
    if path.exists() and not path.is_dir():
        raise EvidenceError(f"{path}: exists and is not a directory")
    if not path.parent.exists():
        raise EvidenceError(f"{path}: directory {path.parent} does not exist")
    path.mkdir(mode=0o700, exist_ok=True)
    return path
