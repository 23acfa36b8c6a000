"""How a plan is shown: a readable tree for people, a JSON document for machines."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from medinfra.planner import Plan
from medinfra.policies.findings import control_labels


def report(plan: Plan, decision: str, findings: list[dict[str, Any]]) -> dict[str, Any]:
    """The `--format json` document (DESIGN.md: project, stack, decision, resources, ...)."""
    return {
        "project": plan.project,
        "stack": plan.stack,
        "decision": decision,
        "resources": len(plan.resources),
        "findings": findings,
        "preview": preview_summary(plan),
        "environment": environment_summary(plan),
        "timings": plan.timings,
    }


def preview_summary(plan: Plan) -> dict[str, Any]:
    """How the engine's answers were modelled, and what that left unknown."""
    from medinfra.policies.stack_refs import without_outputs

    summary = {
        "mode": plan.mode,
        "unknown_values": sum(len(r["unknowns"]) for r in plan.resources),
        "unconfigured_providers": plan.unconfigured_providers,
    }
    unread = without_outputs(plan.resources)
    return {**summary, "stack_references_without_outputs": unread} if unread else summary


def environment_summary(plan: Plan) -> dict[str, Any]:
    """Where the program ran: its virtualenv ("medinfra": MedInfra's own environment) and the
    release of every Pulumi SDK it imported there."""
    return {"python": plan.python, "sdks": plan.sdks}


def gate_report(
    inventory: dict[str, Any], decision: str, findings: list[dict[str, Any]], timings: dict
) -> dict[str, Any]:
    """`medinfra gate --format json`: the preview document's shape, for a given Inventory."""
    return {
        "project": str(inventory.get("project", "")),
        "stack": str(inventory.get("stack", "")),
        "decision": decision,
        "resources": len(inventory["resources"]),
        "findings": findings,
        "timings": timings,
    }


def gate_text(
    inventory: dict[str, Any], decision: str, findings: list[dict[str, Any]], timings: dict
) -> str:
    """The human-readable verdict on a given Inventory."""
    out = [
        f"{inventory.get('project', '')} · stack {inventory.get('stack', '')} · "
        f"{len(inventory['resources'])} resources from an Inventory file",
        "",
        *findings_text(findings),
        "",
        _decision_line(decision, findings),
    ]
    if timings.get("gate_s") is not None:
        out.append(f"Judged in {timings['gate_s']:.2f}s.")
    return "\n".join(out)


def _label(resource: dict[str, Any]) -> str:
    marks = []
    if resource["secrets"]:
        marks.append(f"{len(resource['secrets'])} secret")
    if resource["unknowns"]:
        marks.append(f"{len(resource['unknowns'])} unknown")
    suffix = f"  ({', '.join(marks)})" if marks else ""
    return f"{resource['type']}  {resource['name']}{suffix}"


def tree(resources: list[dict[str, Any]]) -> list[str]:
    """Parent/child tree of the planned resources, children in URN order."""
    by_parent: dict[str | None, list[dict[str, Any]]] = {}
    urns = {r["urn"] for r in resources}
    for r in resources:
        parent = r["parent"] if r["parent"] in urns else None
        by_parent.setdefault(parent, []).append(r)
    lines: list[str] = []

    def walk(parent: str | None, prefix: str) -> None:
        children = sorted(by_parent.get(parent, []), key=lambda r: r["urn"])
        for i, child in enumerate(children):
            last = i == len(children) - 1
            if parent is None:
                lines.append(_label(child))
                walk(child["urn"], "")
            else:
                lines.append(f"{prefix}{'└─ ' if last else '├─ '}{_label(child)}")
                walk(child["urn"], prefix + ("   " if last else "│  "))

    walk(None, "")
    return lines


def text(plan: Plan, decision: str, findings: list[dict[str, Any]]) -> str:
    """The default human-readable summary of one stack's offline plan."""
    resources = plan.resources
    out = [
        f"{plan.project} · stack {plan.stack} · {len(resources)} resources planned offline "
        "(Pulumi mock runtime, no cloud credentials)",
        "",
        *tree(resources),
        "",
        "Resources by type:",
    ]
    counts = Counter(r["type"] for r in resources)
    width = max((len(str(n)) for n in counts.values()), default=1)
    out += [f"  {n:>{width}}  {t}" for t, n in sorted(counts.items())]
    if plan.outputs:
        out += ["", "Outputs:"]
        out += [f"  {k}: {json.dumps(v)}" for k, v in sorted(plan.outputs.items())]
    for msg in plan.messages:
        out.append(f"{msg['severity']}: {msg['message']}")
    out += ["", _mode_line(plan)]
    out += ["", *findings_text(findings), "", _decision_line(decision, findings)]
    gate = plan.timings.get("gate_s")
    out.append(
        f"Planned in {plan.timings.get('plan_wall_s', 0):.2f}s"
        + (f", judged in {gate:.2f}s." if gate is not None else ".")
    )
    return "\n".join(out)


_MODE_TEXT = {
    "new-stack": "Judged as the first preview of a new stack: ids and computed outputs unknown",
    "existing-stack": "Judged as a preview of the exported stack (--state); new resources unknown",
    "synthetic": "Judged with synthetic ids and outputs, as if every resource existed",
}


def _mode_line(plan: Plan) -> str:
    summary = preview_summary(plan)
    line = f"{_MODE_TEXT[summary['mode']]} ({summary['unknown_values']} unknown values"
    if summary["unconfigured_providers"]:
        line += f"; {len(summary['unconfigured_providers'])} provider(s) not configurable yet"
    line += ")."
    for name in summary.get("stack_references_without_outputs", []):
        line += (
            f"\nStack reference {name}: its outputs are unknown offline; give them with "
            f"--stack-outputs {name}=FILE (the JSON `pulumi stack output --json` prints)."
        )
    return line


def _decision_line(decision: str, findings: list[dict[str, Any]]) -> str:
    blocking = sum(1 for f in findings if f["enforcement"] == "mandatory" and not f["waiver"])
    waived = sum(1 for f in findings if f["waiver"])
    advisory = sum(1 for f in findings if f["enforcement"] == "advisory" and not f["waiver"])
    return (
        f"Decision: {decision.upper()} ({blocking} blocking, {advisory} advisory, {waived} waived)"
    )


def findings_text(findings: list[dict[str, Any]]) -> list[str]:
    """Findings grouped by resource: what is wrong, why it matters, how to fix it."""
    if not findings:
        return ["Policy gate: no findings."]
    out = ["Findings:"]
    by_urn: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        by_urn.setdefault(f["urn"] or "(the gate itself)", []).append(f)
    for urn, group in sorted(by_urn.items()):
        out.append(f"  {urn}")
        for f in group:
            status = "WAIVED" if f["waiver"] else f["enforcement"].upper()
            controls = ", ".join(control_labels(f["controls"]))
            out.append(f"    [{status}] {f['id']} ({f['severity']}): {f['message']}")
            if controls:
                out.append(f"      why: {f['title']} ({controls})")
            out.append(f"      fix: {f['remediation']}")
            if f["waiver"]:
                w = f["waiver"]
                out.append(
                    f"      waived: ticket {w['ticket']}, approved by {w['approved_by']}, "
                    f"expires {w['expires']}: {w['reason']}"
                )
    return out
