"""The Checkov checks we care about: their control family, severity and HIPAA / GDPR / CIS ids.

A failed check in one of these families is mandatory on a PHI stack (overridable per stack only
upwards there: `medinfra:policy.enforcement`); every other failed check, and every check on a
non-PHI stack, is advisory unless the stack makes it mandatory. A test keeps every id here a
real Checkov check id (Checkov's own, or one of ours in `checks/`, CKV_MED_*).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckControls:
    """What one Checkov check protects."""

    family: str
    severity: str
    hipaa: tuple[str, ...]
    gdpr: tuple[str, ...]
    cis: tuple[str, ...] = ()

    def controls(self) -> dict[str, list[str]]:
        return {"hipaa": list(self.hipaa), "gdpr": list(self.gdpr), "cis": list(self.cis)}


_ENC = ("164.312(a)(2)(iv)", "164.312(e)(2)(ii)"), ("Art.32(1)(a)",)
_NET = ("164.312(e)(1)",), ("Art.32(1)(b)", "Art.25(1)")
_LOG = ("164.312(b)",), ("Art.30", "Art.32(1)(d)")
_ACC = ("164.312(a)(1)", "164.308(a)(4)(ii)(B)"), ("Art.25(2)", "Art.32(4)")
_INT = ("164.312(c)(1)",), ("Art.32(1)(b)",)
_RES = ("164.308(a)(7)(ii)(A)", "164.312(c)(1)"), ("Art.32(1)(c)",)
_POD = ("164.312(a)(1)",), ("Art.32(1)(b)",)


def _family(name: str, severity: str, frameworks: tuple, ids: str, cis: str = "") -> dict:
    hipaa, gdpr = frameworks
    cis_ids = tuple(c for c in cis.split() if c)
    return {i: CheckControls(name, severity, hipaa, gdpr, cis_ids) for i in ids.split()}


CONTROLS: dict[str, CheckControls] = {
    # Encryption at rest with managed keys, rotation, encrypted volumes and logs.
    **_family(
        "encryption",
        "high",
        _ENC,
        "CKV_AWS_19 CKV_AWS_145 CKV_AWS_58 CKV_AWS_136 CKV_AWS_7 CKV_AWS_158 CKV_AWS_8 "
        "CKV_AWS_3 CKV_GCP_43 CKV_GCP_82 CKV_GCP_84 CKV_AZURE_206 CKV_AZURE_110 CKV_AZURE_42 "
        "CKV_AZURE_117 CKV_AZURE_227",
    ),
    # Nothing reachable from the internet: private endpoints, no public IPs, closed ports.
    **_family(
        "network",
        "high",
        _NET,
        "CKV_AWS_39 CKV_AWS_38 CKV_AWS_88 CKV_AWS_130 CKV_AWS_23 CKV_AWS_24 CKV_AWS_25 "
        "CKV_AWS_260 CKV2_AWS_12 CKV2_AWS_6 CKV_AWS_53 CKV_AWS_54 CKV_AWS_55 CKV_AWS_56 "
        "CKV_AWS_70 CKV_GCP_25 CKV_GCP_64 CKV_GCP_20 CKV_GCP_12 CKV_GCP_2 CKV_GCP_3 "
        "CKV_GCP_28 CKV_GCP_114 CKV_AZURE_190 CKV_AZURE_59 CKV_AZURE_3 CKV_AZURE_44 "
        "CKV_AZURE_35 CKV_AZURE_139 CKV_AZURE_189 CKV_AZURE_6 CKV_AZURE_7 CKV_AZURE_115 "
        "CKV_MED_AZURE_1",
    ),
    # Audit trails: control-plane, access and flow logs, kept long enough.
    **_family(
        "logging",
        "medium",
        _LOG,
        "CKV_AWS_18 CKV_AWS_37 CKV2_AWS_11 CKV_AWS_338 CKV_GCP_1 CKV_GCP_26 CKV_GCP_62 CKV_AZURE_4",
    ),
    # Least privilege and strong identity.
    **_family(
        "access",
        "high",
        _ACC,
        "CKV_AWS_79 CKV_AWS_40 CKV_AWS_274 CKV_AWS_62 CKV_AWS_63 CKV_AWS_286 CKV_AWS_287 "
        "CKV_AWS_288 CKV_AWS_289 CKV_AWS_290 CKV_AWS_355 CKV_AWS_33 CKV_GCP_7 CKV_GCP_13 "
        "CKV_GCP_69 CKV_GCP_29 CKV_GCP_41 CKV_GCP_49 CKV_AZURE_5 CKV_AZURE_137 CKV_AZURE_141",
    ),
    # What runs is what was reviewed: immutable, scanned images; shielded nodes.
    **_family(
        "integrity",
        "high",
        _INT,
        "CKV_AWS_51 CKV_AWS_163 CKV_GCP_66 CKV_GCP_71 CKV_GCP_72 CKV_GCP_68 CKV_GCP_22 "
        "CKV_AZURE_163 CKV_AZURE_166",
    ),
    # Recoverability of stored data.
    **_family("resilience", "medium", _RES, "CKV_AWS_21 CKV_GCP_78"),
    # Pod hardening (CIS Kubernetes 5.2 / 5.7): the pods KServe runs for a model.
    **_family(
        "workload",
        "high",
        _POD,
        "CKV_K8S_16 CKV_K8S_17 CKV_K8S_18 CKV_K8S_19 CKV_K8S_20 CKV_K8S_22 CKV_K8S_23 "
        "CKV_K8S_28 CKV_K8S_37 CKV_K8S_6 CKV_K8S_40 CKV_K8S_31 CKV_K8S_38 CKV_K8S_43 "
        "CKV_K8S_11 CKV_K8S_13",
        "5.2.1 5.2.5 5.2.7",
    ),
}

#: Where a failed check's guideline points when Checkov has none (offline, it has none).
POLICY_INDEX = {
    "terraform_plan": "https://www.checkov.io/5.Policy%20Index/terraform.html",
    "arm": "https://www.checkov.io/5.Policy%20Index/arm.html",
    "kubernetes": "https://www.checkov.io/5.Policy%20Index/kubernetes.html",
}


def default_enforcement(check_id: str, phi: bool) -> str:
    """Mandatory for a check in our control families on a PHI stack; advisory otherwise."""
    return "mandatory" if phi and check_id in CONTROLS else "advisory"
