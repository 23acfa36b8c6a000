"""The six reference stacks' decisions, findings and SARIF, compared with a saved copy.

A refactoring must not change what the gate decides or reports. When a change is *meant* to
change them, regenerate the copy and review its diff:
MEDINFRA_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_reference_outputs.py"""

from __future__ import annotations

import json
import os

from tests.conftest import REPO

GOLDEN = REPO / "tests" / "golden" / "reference_stacks"


def _stable_report(report: dict) -> dict:
    # Wall-clock numbers vary; so do the interpreter's path and the SDK releases it holds.
    return {k: v for k, v in report.items() if k not in ("timings", "environment")}


def _check(name: str, document) -> None:
    path = GOLDEN / name
    if os.environ.get("MEDINFRA_UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    assert document == json.loads(path.read_text()), f"{name} differs from the saved copy"


def test_each_reference_stacks_json_report_matches_the_saved_copy(all_stacks):
    reports = all_stacks.result.json()["stacks"]
    assert [r["stack"] for r in reports] == sorted(
        p.name.removeprefix("Pulumi.").removesuffix(".yaml")
        for p in (REPO / "stacks").glob("Pulumi.*.yaml")
    )
    for report in reports:
        _check(f"{report['stack']}.json", _stable_report(report))


def test_the_reference_stacks_sarif_matches_the_saved_copy(all_stacks):
    _check("findings.sarif", all_stacks.sarif)
