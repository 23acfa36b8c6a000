"""Eager argument validation shared by every component (STYLE 5)."""

from __future__ import annotations

import pulumi


def raise_if_invalid(component: str, name: str, problems: list[tuple[str, str]]) -> None:
    """Raise one InputPropertiesError listing every (property path, reason), or do nothing.

    Components call this first, so a bad argument never leaves a half-built platform behind.
    """
    if not problems:
        return
    lines = "\n".join(f"  - {path}: {reason}" for path, reason in problems)
    raise pulumi.InputPropertiesError(
        f"{component} {name!r}: invalid arguments ({len(problems)}):\n{lines}",
        [{"property_path": path, "reason": reason} for path, reason in problems],
    )
