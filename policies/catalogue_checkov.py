"""The Checkov part of docs/controls.md: every reviewed check, its decision and its reason
(policies/checkov_bridge/mandatory_set.yaml)."""

from __future__ import annotations

from medinfra.policies.checkov_bridge.controls import CONTROLS, MANDATORY, NOT_ON, OFF


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def checks_for(rule_id: str) -> list[str]:
    """The Checkov checks reviewed as enforcing `rule_id`'s control, mandatory ones first."""
    ids = [i for i, c in CONTROLS.items() if c.control == rule_id]
    return sorted(ids, key=lambda i: (i not in MANDATORY, i))


def rule_line(rule_id: str) -> list[str]:
    """The line of a rule's section naming the Checkov checks that serve its control."""
    ids = checks_for(rule_id)
    if not ids:
        return []
    shown = [i if i in MANDATORY else f"{i} ({CONTROLS[i].decision})" for i in ids]
    return [f"* Checkov checks for the same control ([reviewed](#checkov-checks-reviewed)): "
            f"{', '.join(shown)}"]


def section() -> list[str]:
    """`## Checkov checks, reviewed`: the decision and reason for every reviewed check."""
    out = [
        "## Checkov checks, reviewed",
        "",
        "Checkov runs on the same plan as a second engine. A failed check is **mandatory** on a "
        "PHI stack only when it enforces a control of this catalogue and its remedy conflicts "
        "with no other control; otherwise it is **advisory** (reported, not blocking), or "
        "**off** when its remedy contradicts one of our controls or it is a false positive on "
        "every supported version (not reported unless an enforcement override names it). "
        "Checks not listed are advisory. Source: "
        "[`policies/checkov_bridge/mandatory_set.yaml`](../policies/checkov_bridge/"
        "mandatory_set.yaml).",
        "",
        f"{len(MANDATORY)} mandatory, {len(CONTROLS) - len(MANDATORY) - len(OFF)} advisory, "
        f"{len(OFF)} off.",
        "",
        "| check | decision | control | reason |",
        "|---|---|---|---|",
    ]
    order = {"off": 0, "advisory": 1, "mandatory": 2}
    for check_id, c in sorted(CONTROLS.items(), key=lambda kv: (order[kv[1].decision], kv[0])):
        control = f"[{c.control}](#{c.control.lower()})" if c.control else "none"
        decision = f"{c.decision}, not on {NOT_ON[c.not_on]}" if c.not_on else c.decision
        out.append(f"| {check_id} | {decision} | {control} | {_cell(c.reason)} |")
    return [*out, ""]
