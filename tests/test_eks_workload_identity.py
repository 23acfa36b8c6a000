"""EKS workload identity, IRSA or Pod Identity, on hand-written programs (no MedInfra
components): MED-IAM-003 accepts either mechanism on a cluster, and MED-IAM-005 judges either
trust for "exactly one service account".

Planned with synthetic outputs, as a cluster that exists: an IRSA trust names the cluster's
OIDC issuer, which a new stack's first preview does not know (and the gate then blocks it as
unverifiable); Pod Identity trusts hold only names, known either way.
"""

from __future__ import annotations

import json
from functools import cache

import pytest
from medinfra.policies.engines import EmbeddedEngine
from medinfra.policies.rules import load_rules

from tests.conftest import PROGRAMS

PROGRAM = PROGRAMS / "eks-workload-identity"


@cache
def findings(variant: str) -> dict[str, list[dict]]:
    from medinfra.planner import plan
    from medinfra.project import load_project, load_stack_config

    project = load_project(PROGRAM)
    planned = plan(project, load_stack_config(project, variant), semantics={"mode": "synthetic"})
    found = EmbeddedEngine().evaluate(load_rules(), json.dumps(planned.inventory), 60)
    return {rule: entries for rule, entries in found.items() if entries}


def _names(entries: list[dict]) -> set[str]:
    return {f["urn"].rsplit("::", 1)[1] for f in entries}


@pytest.mark.parametrize("variant", ["irsa", "pod-identity"])
def test_a_cluster_with_irsa_or_pod_identity_trusting_one_account_passes(variant):
    found = findings(variant)
    assert "MED-IAM-003" not in found, found.get("MED-IAM-003")
    assert "MED-IAM-005" not in found, found.get("MED-IAM-005")


def test_an_irsa_role_whose_sub_is_a_wildcard_is_blocked():
    found = findings("irsa-wildcard")
    assert _names(found["MED-IAM-005"]) == {"chest-xray"}
    assert "not pinned with StringEquals" in found["MED-IAM-005"][0]["message"]
    assert "MED-IAM-003" not in found


def test_a_pod_identity_role_associated_with_two_accounts_is_blocked():
    found = findings("pod-identity-two-accounts")
    messages = [f["message"] for f in found["MED-IAM-005"]]
    assert _names(found["MED-IAM-005"]) == {"chest-xray", "triage"}
    assert any("more than one service account" in m for m in messages)
    assert "MED-IAM-003" not in found
