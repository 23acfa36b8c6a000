"""Eager argument validation shared by every component (STYLE 5)."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
from medinfra.components.config import endpoint_access_problems
from medinfra.components.config.value_types import parse_network


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


def endpoint_problems(public: bool, cidrs: Sequence[str], key: str) -> list[tuple[str, str]]:
    """A `GpuCluster`'s API endpoint exposure, judged as the stack config judges it, plus that
    every allow-list entry is a CIDR block (the config types its entries; arguments are strings).
    """
    malformed = [
        (f"{key}[{i}]", f"{c!r} is not a CIDR")
        for i, c in enumerate(cidrs)
        if parse_network(c) is None
    ]
    exposure = endpoint_access_problems(public, cidrs, key)
    return malformed + [(path, reason) for path, _, reason in exposure]
