"""OSCAL 1.1.3 Assessment Results from evidence bundles (one OSCAL result per gated stack).

* Each finding of the gate is one OSCAL observation (what was seen, on which planned resource,
  with the bundle files as relevant evidence) and one OSCAL finding targeting its first control
  and carrying every HIPAA / GDPR / CIS id of the rule's METADATA as `control-id` props.
* HIPAA ids are also mapped to the OSCAL HIPAA catalogue (oscal-compass/oscal-content,
  catalogs/hipaa-2.0.0) where it has the standard: `hipaa-catalog-group` and its controls.
* Each waiver is one OSCAL risk: applied ones `deviation-approved` with the expiry as deadline
  and the approver as the party who logged it; expired or refused ones stay `open`.
* UUIDs are name-based (v5) from the run, so the same bundle gives the same document.
"""

from __future__ import annotations

import json
import re
import uuid
from functools import cache
from importlib import resources
from typing import Any

from medinfra.policies.findings import FRAMEWORKS

OSCAL_VERSION = "1.1.3"
NS = "https://medinfra.example/ns/oscal"  # .example: a name, never fetched
_NAMESPACE = uuid.UUID("2c1f6c55-8c5f-4d0b-9d53-6f7363616c31")


@cache
def hipaa_standards() -> dict[str, Any]:
    data = resources.files("medinfra.evidence").joinpath("data/hipaa-2.0.0-standards.json")
    return json.loads(data.read_text(encoding="utf-8"))


def hipaa_catalog_entry(control: str) -> dict[str, Any] | None:
    """The catalogue group of the longest HIPAA standard that `control` falls under."""
    standards = hipaa_standards()["standards"]
    best = None
    for standard in standards:
        if control == standard or control.startswith(standard + "("):
            if best is None or len(standard) > len(best):
                best = standard
    return {"standard": best, **standards[best]} if best else None


def control_token(framework: str, control: str) -> str:
    """An OSCAL token for a control id: 'hipaa', '164.312(a)(2)(iv)' -> 'hipaa-164.312.a.2.iv'."""
    body = re.sub(r"[()]+", ".", control.lower().replace(" ", "-")).strip(".")
    body = re.sub(r"[^a-z0-9._-]", "-", body)
    return f"{framework}-{body}"


def _id(*parts: Any) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join(str(p) for p in parts)))


def _prop(name: str, value: Any, cls: str | None = None) -> dict[str, str]:
    prop = {"name": name, "ns": NS, "value": " ".join(str(value).split()) or "-"}
    if cls:
        prop["class"] = cls
    return prop


def _when(text: str) -> str:
    return text if text.endswith("Z") else f"{text}Z"


def _controls(finding: dict[str, Any]) -> list[tuple[str, str]]:
    return [(fw, c) for fw in FRAMEWORKS for c in finding["controls"].get(fw, [])]


def _control_props(controls: list[tuple[str, str]]) -> list[dict[str, str]]:
    props = []
    for framework, control in controls:
        props.append(_prop("control-id", control, framework))
        if framework == "hipaa" and (entry := hipaa_catalog_entry(control)):
            props.append(_prop("hipaa-catalog-group", entry["group"], "hipaa"))
    return props


def _waiver_key(rule: str, record: dict[str, Any]) -> tuple:
    return (rule, record.get("resource"), record.get("ticket"), record.get("stacks"))


def _result(bundle: dict[str, Any], parties: dict[str, str]) -> dict[str, Any]:
    decision = bundle["decision.json"]
    run = decision["run_id"]
    findings = bundle["findings.json"]["findings"]
    rules = bundle["policy-bundle.json"]["rules"]
    collected = _when(decision["finished_at"])

    reviewed = sorted(
        {control_token(fw, c) for r in rules for fw, c in _controls(r["metadata"])}
        | {control_token(fw, c) for f in findings for fw, c in _controls(f)}
    )
    items: dict[str, dict[str, Any]] = {}
    for f in findings:
        if f["urn"] and f["urn"] not in items:
            items[f["urn"]] = {
                "uuid": _id(run, "item", f["urn"]),
                "description": f["urn"],
                "props": [_prop("resource-type", f["resource_type"] or "unknown")],
            }

    risks, risk_of = [], {}
    for entry in bundle["findings.json"]["waivers"].get("waivers", []):
        if "waiver" not in entry or entry["status"] in ("other-stack", "unmatched"):
            continue
        w = entry["waiver"]
        risk_id = _id(run, "risk", entry["index"])
        approved = entry["status"] == "applied"
        party = parties.setdefault(w["approved_by"], _id("party", w["approved_by"]))
        risk = {
            "uuid": risk_id,
            "title": f"Waiver {w['ticket']} for {w['rule']}",
            "description": w["reason"],
            "statement": f"{w['rule']} is accepted on {w['resource']} (stacks {w['stacks']}) "
            f"until {w['expires']}: {w['reason']}",
            "props": [
                _prop("waiver-status", entry["status"]),
                _prop("ticket", w["ticket"]),
                _prop("approved-by", w["approved_by"]),
                _prop("expires", w["expires"]),
                _prop("rule-id", w["rule"]),
            ],
            "status": "deviation-approved" if approved else "open",
            "deadline": f"{w['expires']}T23:59:59Z",
            "risk-log": {
                "entries": [
                    {
                        "uuid": _id(run, "risk-log", entry["index"]),
                        "title": "Waiver approved" if approved else f"Waiver {entry['status']}",
                        "start": collected,
                        "end": f"{w['expires']}T23:59:59Z",
                        "logged-by": [{"party-uuid": party}],
                        "status-change": "deviation-approved" if approved else "open",
                    }
                ]
            },
        }
        risks.append(risk)
        risk_of[_waiver_key(w["rule"], w)] = risk

    observations, oscal_findings = [], []
    for i, f in enumerate(findings):
        obs_id, finding_id = _id(run, "observation", i), _id(run, "finding", i)
        controls = _controls(f)
        status = "waived" if f["waiver"] else f["enforcement"]
        props = [
            _prop("rule-id", f["id"]),
            _prop("source", f["source"]),
            _prop("severity", f["severity"]),
            _prop("enforcement", f["enforcement"]),
            _prop("status", status),
            *_control_props(controls),
        ]
        observation = {
            "uuid": obs_id,
            "title": f"{f['id']}: {f['title']}",
            "description": f["message"],
            "props": props,
            "methods": ["TEST"],
            "types": ["finding"],
            "collected": collected,
            "relevant-evidence": [
                {"href": "inventory.json", "description": "The planned Inventory judged."},
                {"href": "findings.json", "description": "The gate's findings with waivers."},
            ],
            "remarks": f"Remediation: {f['remediation']}",
        }
        if f["urn"]:
            observation["subjects"] = [
                {
                    "subject-uuid": items[f["urn"]]["uuid"],
                    "type": "inventory-item",
                    "title": f["urn"],
                }
            ]
        observations.append(observation)
        framework, control = controls[0] if controls else ("rule", f["id"])
        target = {
            "type": "objective-id",
            "target-id": control_token(framework, control),
            "status": {"state": "satisfied" if f["waiver"] else "not-satisfied"},
        }
        if f["waiver"]:
            target["status"]["reason"] = "other"
            target["status"]["remarks"] = (
                f"Waived until {f['waiver']['expires']} (ticket {f['waiver']['ticket']})."
            )
        oscal_finding = {
            "uuid": finding_id,
            "title": f"{f['id']}: {f['title']}",
            "description": f["message"],
            "props": props,
            "target": target,
            "related-observations": [{"observation-uuid": obs_id}],
        }
        risk = risk_of.get(_waiver_key(f["id"], f["waiver"])) if f["waiver"] else None
        if risk is not None:
            oscal_finding["related-risks"] = [{"risk-uuid": risk["uuid"]}]
            risk.setdefault("related-observations", []).append({"observation-uuid": obs_id})
        oscal_findings.append(oscal_finding)

    counts = decision["counts"]
    pack_config = bundle["policy-bundle.json"].get("pack_config")
    applied = " The organisation's policy-pack config (pack-config.json) was applied." \
        if pack_config else ""
    result: dict[str, Any] = {
        "uuid": _id(run, "result"),
        "title": f"MedInfra policy gate: {decision['project']} / {decision['stack']}",
        "description": f"Decision {decision['decision'].upper()} (exit {decision['exit_code']}): "
        f"{counts['blocking']} blocking, {counts['advisory']} advisory, "
        f"{counts['waived']} waived findings on the planned stack, before deployment.{applied}",
        "start": _when(decision["started_at"]),
        "end": collected,
        "props": [
            _prop("decision", decision["decision"]),
            _prop("exit-code", decision["exit_code"]),
            _prop("stack", decision["stack"]),
            _prop("policy-bundle-sha256", bundle["policy-bundle.json"]["sha256"]),
            _prop("config-sha256", bundle["config.json"]["sha256"]),
            *([_prop("policy-pack-config-sha256", pack_config["sha256"])] if pack_config else []),
        ],
        "reviewed-controls": {
            "control-selections": [
                {"include-controls": [{"control-id": c} for c in reviewed]}
                if reviewed
                else {"include-all": {}}
            ]
        },
    }
    if items:
        result["local-definitions"] = {"inventory-items": list(items.values())}
    if observations:
        result["observations"] = observations
    if risks:
        result["risks"] = risks
    if oscal_findings:
        result["findings"] = oscal_findings
    return result


def assessment_results(bundles: list[dict[str, Any]]) -> dict[str, Any]:
    """One OSCAL Assessment Results document for one or more bundles' documents."""
    if not bundles:
        raise ValueError("no evidence to report")
    parties: dict[str, str] = {}
    results = [_result(b, parties) for b in bundles]
    runs = ",".join(b["decision.json"]["run_id"] for b in bundles)
    latest = max(_when(b["decision.json"]["finished_at"]) for b in bundles)
    source = hipaa_standards()["source"]
    catalog = _id("hipaa-catalog", source["catalog_uuid"])
    plan = _id(runs, "assessment-plan")
    return {
        "assessment-results": {
            "uuid": _id(runs, "assessment-results"),
            "metadata": {
                "title": "MedInfra policy gate: assessment results before deployment",
                "last-modified": latest,
                "version": runs[:36] if len(bundles) == 1 else f"{len(bundles)} runs",
                "oscal-version": OSCAL_VERSION,
                "parties": [
                    {"uuid": uid, "type": "person", "name": name}
                    for name, uid in sorted(parties.items())
                ]
                or None,
            },
            "import-ap": {"href": f"#{plan}"},
            "results": results,
            "back-matter": {
                "resources": [
                    {
                        "uuid": plan,
                        "title": "MedInfra policy bundle (the assessment plan: every rule, "
                        "its controls and digest)",
                        "rlinks": [{"href": "policy-bundle.json"}],
                    },
                    {
                        "uuid": catalog,
                        "title": f"{source['title']} {source['version']} (OSCAL catalogue)",
                        "rlinks": [{"href": source["path"]}],
                        "props": [_prop("repository", source["repository"]),
                                  _prop("commit", source["commit"])],
                    },
                ]
            },
        }
    }


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def document(bundles: list[dict[str, Any]]) -> dict[str, Any]:
    """`assessment_results` without empty optional fields (OSCAL forbids nulls)."""
    return _drop_none(assessment_results(bundles))


__all__ = ["OSCAL_VERSION", "assessment_results", "control_token", "document"]
