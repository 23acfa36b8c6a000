"""What the pack and `medinfra preview` (the offline driver) hand each other outside CrossGuard,
for policies/pack.py: the gate's timeout and deadline in the pack's environment
(`_gate_bounds`), the deadline written once planning ended (`_late_deadline`), and the gate's
timings written back (`_report_timings`). The Pulumi CLI sets none of these: the gate then
runs with its defaults and no one reads its timings.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from medinfra.policies.gate import GateOptions

from medinfra.pack_process import DEADLINE_FILE_ENV, TIMINGS_ENV


def _report_timings(timings: dict[str, float]) -> None:
    """Hand the gate's timings to the offline driver (CrossGuard has no field for them): it
    names a file in MEDINFRA_GATE_TIMINGS_FILE. The Pulumi CLI never sets it."""
    path = os.environ.get(TIMINGS_ENV)
    if path:
        try:
            Path(path).write_text(json.dumps(timings), encoding="utf-8")
        except OSError:
            pass  # timings are informative; the decision does not depend on them


def _late_deadline(options: GateOptions) -> GateOptions:
    """`options` with the deadline medinfra preview wrote to $MEDINFRA_GATE_DEADLINE_FILE once
    planning ended, if it did (else unchanged: $MEDINFRA_GATE_DEADLINE or none)."""
    import dataclasses

    path = os.environ.get(DEADLINE_FILE_ENV)
    if not path:
        return options
    try:
        deadline = float(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return options
    if deadline != deadline or deadline in (float("inf"), float("-inf")):  # NaN or infinite
        return options
    return dataclasses.replace(options, deadline_epoch=deadline)


def _gate_bounds(environ: Mapping[str, str]) -> tuple[float, float | None]:
    """medinfra preview's --gate-timeout and its absolute deadline; a value that is not a
    finite positive number leaves the default (120 s, as the CLI's) or no deadline."""
    import math

    def number(name: str) -> float | None:
        try:
            value = float(environ.get(name) or "nan")
        except ValueError:
            return None
        return value if math.isfinite(value) and value > 0 else None

    return number("MEDINFRA_GATE_TIMEOUT") or 120.0, number("MEDINFRA_GATE_DEADLINE")
