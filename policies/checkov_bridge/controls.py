"""The Checkov checks we have reviewed: their decision, the control each enforces, and why.

The review is data, `mandatory_set.yaml` (one entry per check: `control` in our catalogue,
`decision` mandatory / advisory / off, `reason`, optionally `not_on`: resources it is not
applied to, e.g. `log_targets`, where the catalogue rule it serves makes the same exemption).
A check is mandatory on a PHI stack only when it enforces a control of the catalogue and its
remedy conflicts with no other control (overridable per stack only upwards there:
`medinfra:policy.enforcement`); every other failed
check, and every check on a non-PHI stack, is advisory unless the stack makes it mandatory. An
"off" check's remedy contradicts one of our controls (or it is a false positive everywhere): its
failures are not reported unless an enforcement override names it. A test keeps every id here a
real Checkov check id (Checkov's own, or one of ours in `checks/`, CKV_MED_*) and every control
a rule of the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from medinfra.policies.strict_yaml import load_file

REVIEW_FILE = Path(__file__).resolve().parent / "mandatory_set.yaml"
DECISIONS = ("mandatory", "advisory", "off")
#: Resources a reviewed check may be declared not to apply to (`not_on`), and what they are.
#: (policies/checkov_bridge/exemptions.py finds them in a plan.)
NOT_ON = {
    "log_targets": "buckets that receive other buckets' access or usage logs",
    "dataplane_v2_clusters": "GKE clusters on Dataplane V2 (ADVANCED_DATAPATH)",
    "clusters_without_default_pool": "GKE clusters created without their default node pool",
}


@dataclass(frozen=True)
class CheckControls:
    """What one Checkov check protects, and what we decided about it."""

    family: str | None
    severity: str
    hipaa: tuple[str, ...]
    gdpr: tuple[str, ...]
    cis: tuple[str, ...] = ()
    control: str | None = None
    decision: str = "advisory"
    reason: str = ""
    #: Resources the check is not applied to (a key of NOT_ON), the reason saying why.
    not_on: str | None = None

    def controls(self) -> dict[str, list[str]]:
        return {"hipaa": list(self.hipaa), "gdpr": list(self.gdpr), "cis": list(self.cis)}


_ENC = ("164.312(a)(2)(iv)", "164.312(e)(2)(ii)"), ("Art.32(1)(a)",)
_NET = ("164.312(e)(1)",), ("Art.32(1)(b)", "Art.25(1)")
_LOG = ("164.312(b)",), ("Art.30", "Art.32(1)(d)")
_ACC = ("164.312(a)(1)", "164.308(a)(4)(ii)(B)"), ("Art.25(2)", "Art.32(4)")
_INT = ("164.312(c)(1)",), ("Art.32(1)(b)",)
_RES = ("164.308(a)(7)(ii)(A)", "164.312(c)(1)"), ("Art.32(1)(c)",)
_POD = ("164.312(a)(1)",), ("Art.32(1)(b)",)

#: Family -> (severity, (HIPAA ids, GDPR ids), CIS ids).
FAMILIES: dict[str, tuple[str, tuple, tuple[str, ...]]] = {
    # Encryption at rest with managed keys, rotation, encrypted volumes and logs.
    "encryption": ("high", _ENC, ()),
    # Nothing reachable from the internet: private endpoints, no public IPs, closed ports.
    "network": ("high", _NET, ()),
    # Audit trails: control-plane, access and flow logs, kept long enough.
    "logging": ("medium", _LOG, ()),
    # Least privilege and strong identity.
    "access": ("high", _ACC, ()),
    # What runs is what was reviewed: immutable, scanned images; shielded nodes.
    "integrity": ("high", _INT, ()),
    # Recoverability of stored data.
    "resilience": ("medium", _RES, ()),
    # Pod hardening (CIS Kubernetes 5.2 / 5.7): the pods KServe runs for a model.
    "workload": ("high", _POD, ("5.2.1", "5.2.5", "5.2.7")),
}


class ReviewError(ValueError):
    """mandatory_set.yaml is malformed (the pack cannot load: the gate blocks)."""


def _entry(check_id: str, entry: object) -> CheckControls:
    if not isinstance(entry, dict) or set(entry) - {
        "family", "control", "decision", "reason", "not_on"
    }:
        raise ReviewError(f"{REVIEW_FILE.name}: {check_id}: expected family, control, decision, "
                          "reason (and optionally not_on)")
    if entry.get("not_on") is not None and entry["not_on"] not in NOT_ON:
        raise ReviewError(f"{REVIEW_FILE.name}: {check_id}: not_on must be one of "
                          f"{', '.join(NOT_ON)}")
    family, decision = entry.get("family"), entry.get("decision")
    if decision not in DECISIONS or not str(entry.get("reason") or "").strip():
        raise ReviewError(f"{REVIEW_FILE.name}: {check_id}: decision must be one of "
                          f"{', '.join(DECISIONS)}, with a reason")
    if family is not None and family not in FAMILIES:
        raise ReviewError(f"{REVIEW_FILE.name}: {check_id}: unknown family {family!r}")
    if decision == "mandatory" and (family is None or not entry.get("control")):
        raise ReviewError(f"{REVIEW_FILE.name}: {check_id}: a mandatory check needs a family "
                          "and the control of the catalogue it enforces")
    severity, (hipaa, gdpr), cis = FAMILIES[family] if family else ("low", ((), ()), ())
    return CheckControls(family, severity, hipaa, gdpr, cis, entry.get("control"), decision,
                         " ".join(str(entry["reason"]).split()), entry.get("not_on"))


def load_review(path: Path = REVIEW_FILE) -> dict[str, CheckControls]:
    """Every reviewed check, by id."""
    document = load_file(path)
    checks = document.get("checks") if isinstance(document, dict) else None
    if not isinstance(checks, dict):
        raise ReviewError(f"{path.name}: expected a mapping `checks:` of check ids")
    return {str(i): _entry(str(i), e) for i, e in checks.items()}


CONTROLS: dict[str, CheckControls] = load_review()
#: The checks that block a PHI stack by default.
MANDATORY: frozenset[str] = frozenset(i for i, c in CONTROLS.items() if c.decision == "mandatory")
#: The checks whose failures are not reported unless an enforcement override names them.
OFF: frozenset[str] = frozenset(i for i, c in CONTROLS.items() if c.decision == "off")

#: Where a failed check's guideline points when Checkov has none (offline, it has none).
POLICY_INDEX = {
    "terraform_plan": "https://www.checkov.io/5.Policy%20Index/terraform.html",
    "arm": "https://www.checkov.io/5.Policy%20Index/arm.html",
    "kubernetes": "https://www.checkov.io/5.Policy%20Index/kubernetes.html",
}


def default_enforcement(check_id: str, phi: bool) -> str:
    """Mandatory for a check of the reviewed mandatory set on a PHI stack, "disabled" for a
    check reviewed off (its failures are not reported unless an enforcement override names
    it); advisory otherwise."""
    if check_id in OFF:
        return "disabled"
    return "mandatory" if phi and check_id in MANDATORY else "advisory"
