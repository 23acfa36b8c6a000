"""Every mapped type gives Checkov's verdicts exactly as the equivalent Terraform/ARM/YAML would.

For each format the cases live in one table (`tests/data/checkov/equivalence/<format>.cases.yaml`:
per Pulumi type a known-good and a known-bad set of Pulumi resources, the bad one differing in
one security property or connection) and the equivalent is written by hand in the target format
beside it (`terraform.tfplan.json`, `arm.template.json`, `kubernetes.yaml`), the way a
Terraform, ARM or kubectl user would write it, never produced by our converters. Checkov runs
once per format and side: the converted Inventory through the gate's own runner, the hand-written
file through Checkov's framework runner (both in the Checkov worker, tests/checkov_worker.py).
Their verdicts (check id -> PASSED/FAILED per resource) must be identical, and each case's bad
variant must fail the checks its good variant passes.
Types Checkov has no check for are listed, and the list is computed back from Checkov's
registries so it cannot rot.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
import yaml
from medinfra.policies.checkov_bridge.k8s import ISVC
from medinfra.policies.checkov_bridge.types import ARM_TYPES, TF_TYPES

from tests import checkov_worker
from tests.conftest import REPO

DATA = REPO / "tests" / "data" / "checkov" / "equivalence"
#: framework -> (the Pulumi cases, the hand-written equivalent)
FORMATS = {
    "terraform_plan": ("terraform.cases.yaml", "terraform.tfplan.json"),
    "arm": ("arm.cases.yaml", "arm.template.json"),
    "kubernetes": ("kubernetes.cases.yaml", "kubernetes.yaml"),
}
VARIANTS = ("good", "bad")

#: Mapped types Checkov has no check at all for (no resource check, and no graph check names the
#: type), per framework. Their cases have a good variant only: there is nothing to flip.
ZERO_CHECK_TYPES = {
    "terraform_plan": {
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "aws:eks/accessEntry:AccessEntry",
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        "aws:eks/addon:Addon",
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:kms/alias:Alias",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "gcp:compute/router:Router",
        "gcp:compute/routerNat:RouterNat",
        "gcp:projects/service:Service",
        "gcp:serviceaccount/account:Account",
        "gcp:serviceaccount/iAMMember:IAMMember",
    },
    "arm": {
        "azure-native:authorization:RoleAssignment",
        "azure-native:managedidentity:FederatedIdentityCredential",
        "azure-native:managedidentity:UserAssignedIdentity",
        "azure-native:network:NatGateway",
        "azure-native:network:PrivateEndpoint",
        "azure-native:network:PublicIPAddress",
        "azure-native:network:Subnet",
    },
    "kubernetes": {
        "kubernetes:core/v1:Namespace",
        "kubernetes:policy/v1:PodDisruptionBudget",
        "kubernetes:storage.k8s.io/v1:StorageClass",
    },
}

#: The kubernetes kinds compared: what MedInfra's components create, and the workload kinds the
#: gate's hardening rules judge. Any other manifest goes through the same generic conversion.
K8S_TYPES = {
    "kubernetes:core/v1:Namespace",
    "kubernetes:core/v1:ServiceAccount",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "kubernetes:policy/v1:PodDisruptionBudget",
    "kubernetes:storage.k8s.io/v1:StorageClass",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:core/v1:Pod",
    ISVC,
}
MAPPED = {
    "terraform_plan": set(TF_TYPES),
    "arm": set(ARM_TYPES),
    "kubernetes": K8S_TYPES,
}


@cache
def cases(framework: str) -> tuple[dict, ...]:
    text = (DATA / FORMATS[framework][0]).read_text(encoding="utf-8")
    return tuple(yaml.safe_load(text)["cases"])


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:eq::equivalence::{type_}::{name}"


def variant_resources(case: dict, variant: str) -> list[dict]:
    """A case variant's Inventory resources: names get the variant as suffix, `refs` (JSON
    pointer -> name of another resource of the variant) become Inventory references."""
    entries = case.get(variant) or []
    types = {e["name"]: e.get("type", case["type"]) for e in entries}
    out = []
    for entry in entries:
        type_ = types[entry["name"]]
        name = f"{entry['name']}-{variant}"
        refs = {
            pointer: _urn(types[target], f"{target}-{variant}")
            for pointer, target in (entry.get("refs") or {}).items()
        }
        out.append(
            {
                "urn": _urn(type_, name),
                "type": type_,
                "name": name,
                "provider": type_.split(":")[0],
                "parent": None,
                "props": entry.get("props") or {},
                "references": refs,
            }
        )
    return out


def _verdicts(results) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for resource, check_id, result in results:
        out.setdefault(resource, {})[check_id] = result
    return out


@cache
def converted(framework: str) -> tuple[dict[str, dict[str, str]], dict[str, set[str]]]:
    """Checkov's verdicts on the converted cases (resource id -> check -> result), and which
    Checkov resource ids each URN became."""
    resources = [r for c in cases(framework) for v in VARIANTS for r in variant_resources(c, v)]
    scan = checkov_worker.scan(resources, timeout_s=600)
    ids: dict[str, set[str]] = {}
    for r in scan.results:
        assert r.framework == framework
        ids.setdefault(r.urn, set()).add(r.resource)
    return _verdicts((r.resource, r.check_id, r.result) for r in scan.results), ids


@cache
def hand_written(framework: str) -> dict[str, dict[str, str]]:
    """Checkov's verdicts on the hand-written equivalent, through Checkov's own runner."""
    records = checkov_worker.run(framework, DATA / FORMATS[framework][1])
    # A plan's provider blocks are judged too (`aws.default`); the gate judges resources only.
    records = [r for r in records if r["resource"] not in _provider_blocks(framework)]
    return _verdicts((r["resource"], r["check_id"], r["result"]) for r in records)


def _provider_blocks(framework: str) -> set[str]:
    if framework != "terraform_plan":
        return set()
    plan = json.loads((DATA / FORMATS[framework][1]).read_text(encoding="utf-8"))
    providers = plan["configuration"]["provider_config"].values()
    return {f"{p['name']}.{p.get('alias', 'default')}" for p in providers}


def checkov_types(framework: str, token: str) -> set[str]:
    """The Checkov resource types a Pulumi type is shown to Checkov as."""
    if framework == "terraform_plan":
        return {TF_TYPES[token]}
    if framework == "arm":
        return {ARM_TYPES[token].arm_type}
    kind = token.rsplit(":", 1)[1]
    # An InferenceService is also shown as the Deployment KServe runs for each component.
    return {kind, "Deployment"} if token == ISVC else {kind}


def _named_types(node, found: set[str]) -> set[str]:
    """Resource types a graph check's definition names (its targets and connections)."""
    if isinstance(node, dict):
        for key in ("resource_types", "connected_resource_types"):
            value = node.get(key)
            found.update([value] if isinstance(value, str) else value or [])
        if node.get("cond_type") == "filter" and node.get("attribute") == "resource_type":
            value = node.get("value")
            found.update([value] if isinstance(value, str) else value or [])
        for value in node.values():
            _named_types(value, found)
    elif isinstance(node, list):
        for value in node:
            _named_types(value, found)
    return found


@cache
def checked_types(framework: str) -> frozenset[str]:
    """Every resource type some Checkov check of the framework judges or connects to."""
    registry = framework.removesuffix("_plan")  # Terraform plans use Terraform's checks
    listed = [c for c in checkov_worker.checks() if c["framework"] == registry]
    found = {e for c in listed if c["kind"] == "resource" for e in c["entities"]}
    for check in (c for c in listed if c["kind"] == "graph"):
        text = Path(check["path"]).read_text(encoding="utf-8")
        raw = json.loads(text) if check["path"].endswith(".json") else yaml.safe_load(text)
        _named_types(raw.get("definition"), found)
    return frozenset(found)


ALL_CASES = [(f, c["type"]) for f in FORMATS for c in cases(f)]


def _case(framework: str, token: str) -> dict:
    (case,) = [c for c in cases(framework) if c["type"] == token]
    return case


@pytest.mark.parametrize("framework", sorted(FORMATS))
def test_every_mapped_type_has_exactly_one_case(framework):
    tokens = [c["type"] for c in cases(framework)]
    assert sorted(tokens) == sorted(MAPPED[framework])


@pytest.mark.parametrize("framework", sorted(FORMATS))
def test_zero_check_types_are_exactly_those_checkov_has_no_check_for(framework):
    checked = checked_types(framework)
    computed = {t for t in MAPPED[framework] if not checkov_types(framework, t) & checked}
    assert computed == ZERO_CHECK_TYPES[framework]


@pytest.mark.parametrize("framework", sorted(FORMATS))
def test_the_converted_cases_get_checkovs_verdicts_on_the_hand_written_equivalent(framework):
    verdicts, _ids = converted(framework)
    assert verdicts == hand_written(framework)


@pytest.mark.parametrize("framework", sorted(FORMATS))
def test_case_resources_are_distinct_resources(framework):
    urns = [r["urn"] for c in cases(framework) for v in VARIANTS for r in variant_resources(c, v)]
    assert len(urns) == len(set(urns))


def _results(verdicts, ids, resources: list[dict], name: str, check: str) -> set[str]:
    """The results of one check on one named resource (an InferenceService: on its pods)."""
    (resource,) = [r for r in resources if r["name"] == name]
    return {verdicts[i].get(check) for i in ids.get(resource["urn"], ())} - {None}


@pytest.mark.parametrize(("framework", "token"), ALL_CASES)
def test_a_mapped_type_gets_the_verdicts_of_its_equivalent_and_its_bad_variant_fails(
    framework, token
):
    case = _case(framework, token)
    verdicts, ids = converted(framework)
    expected = hand_written(framework)
    resources = {v: variant_resources(case, v) for v in VARIANTS}
    for resource in resources["good"] + resources["bad"]:
        for resource_id in ids.get(resource["urn"], ()):
            assert verdicts[resource_id] == expected.get(resource_id), resource_id
    if token in ZERO_CHECK_TYPES[framework]:
        assert not case.get("bad") and not case.get("flips"), "nothing to flip"
        assert not any(ids.get(r["urn"]) for r in resources["good"] if r["type"] == token)
        return
    assert case.get("flips"), "a checked type's case names the checks its bad variant fails"
    for name, checks in case["flips"].items():
        for check in checks:
            outcome = {
                v: _results(verdicts, ids, resources[v], f"{name}-{v}", check) for v in VARIANTS
            }
            assert outcome == {"good": {"PASSED"}, "bad": {"FAILED"}}, (name, check)
