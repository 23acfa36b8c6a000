"""Physical names: deterministic, globally unique per stack, within cloud limits."""

from __future__ import annotations

import hashlib
import re


def physical_name(*parts: str, max_len: int = 63, sep: str = "-") -> str:
    """Join parts into a lowercase DNS-safe name; shorten with a hash suffix if too long."""
    name = sep.join(re.sub(r"[^a-z0-9]+", sep, p.lower()).strip(sep) for p in parts if p)
    if len(name) <= max_len:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: max_len - 9].rstrip(sep)}{sep}{digest}"
