"""The compliance officer's page: one self-contained HTML file (inline CSS, no script, nothing
fetched) rendered from evidence bundles with a Jinja2 template (templates/report.html.j2)."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

import jinja2

from medinfra.policies.findings import FRAMEWORKS

EXPIRY_WARNING_DAYS = 30


def _environment() -> jinja2.Environment:
    templates = resources.files("medinfra.evidence").joinpath("templates")
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: templates.joinpath(name).read_text(encoding="utf-8")
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _status(finding: dict[str, Any]) -> str:
    if finding["waiver"]:
        return "waived"
    return "blocking" if finding["enforcement"] == "mandatory" else "advisory"


def _stack_view(bundle: dict[str, Any], today: dt.date) -> dict[str, Any]:
    decision = bundle["decision.json"]
    findings = [dict(f, status=_status(f)) for f in bundle["findings.json"]["findings"]]
    order = {"blocking": 0, "advisory": 1, "waived": 2}
    findings.sort(key=lambda f: (order[f["status"]], f["id"], f["urn"]))
    by_control: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        labels = [f"{fw.upper()} {c}" for fw in FRAMEWORKS for c in f["controls"].get(fw, [])]
        for label in labels or ["(no control mapped)"]:
            by_control.setdefault(label, []).append(f)
    by_resource: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        by_resource.setdefault(f["urn"] or "(the gate itself)", []).append(f)
    waivers, elsewhere = [], 0
    for entry in bundle["findings.json"]["waivers"].get("waivers", []):
        if entry["status"] == "other-stack":
            elsewhere += 1
            continue
        if "waiver" not in entry:
            waivers.append({"status": entry["status"], "problem": entry.get("problem", "")})
            continue
        expires = dt.date.fromisoformat(entry["waiver"]["expires"])
        left = (expires - today).days
        waivers.append(
            {
                **entry["waiver"],
                "status": entry["status"],
                "covers": entry["covers"],
                "days_left": left,
                "expiring": 0 <= left <= EXPIRY_WARNING_DAYS,
                "expired": left < 0,
            }
        )
    manifest_files = bundle.get("manifest", {}).get("files", {})
    return {
        "decision": decision,
        "findings": findings,
        "blocking": [f for f in findings if f["status"] == "blocking"],
        "by_control": sorted(by_control.items()),
        "by_resource": sorted(by_resource.items()),
        "waivers": waivers,
        "other_stack_waivers": elsewhere,
        "models": bundle["models.json"]["models"],
        "policy": bundle["policy-bundle.json"],
        "config": bundle["config.json"],
        "provenance": bundle["provenance.json"],
        "digests": manifest_files,
        "manifest": bundle.get("manifest", {}),
    }


def render(bundles: list[dict[str, Any]], today: dt.date | None = None) -> str:
    """The HTML page for one or more bundles' documents (a `manifest` entry adds digests)."""
    today = today or dt.datetime.now(dt.UTC).date()
    # Blocked runs first: they are what a reader must act on.
    stacks = sorted(
        (_stack_view(b, today) for b in bundles),
        key=lambda s: (s["decision"]["decision"] == "allow", s["decision"]["stack"]),
    )
    overall = "block" if any(s["decision"]["decision"] != "allow" for s in stacks) else "allow"
    return _environment().get_template("report.html.j2").render(
        stacks=stacks,
        overall=overall,
        today=today.isoformat(),
        warning_days=EXPIRY_WARNING_DAYS,
    )
