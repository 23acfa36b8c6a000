"""Splitting a plan for Checkov (partition.py) and scanning the parts on a pool (parallel.py)
gives exactly the results of one scan: on the six reference stacks and on every equivalence
fixture, graph checks (CKV2_*) included; and the partition keeps every reference together. The
scans run in Checkov's interpreter (tests/checkov_side/split_scan.py), one call for them all."""

from __future__ import annotations

import json

import pytest
from medinfra.policies.checkov_bridge.partition import (
    arm_parts,
    chunks,
    k8s_parts,
    tfplan_parts,
    tfplan_subset,
)
from medinfra.policies.checkov_bridge.tfplan import to_terraform_plan

from tests import checkov_worker
from tests.test_checkov_equivalence import FORMATS, VARIANTS, cases, variant_resources

STACKS = ("aws-dev", "aws-prod", "azure-dev", "azure-prod", "gcp-dev", "gcp-prod")


def _resource(type_: str, name: str, props: dict, refs: dict | None = None) -> dict:
    return {"urn": f"urn:pulumi:t::p::{type_}::{name}", "type": type_, "name": name,
            "props": props, "references": refs or {}}


def _manifest(kind: str, name: str, namespace: str | None = None, **extra) -> dict:
    metadata = {"name": name, **({"namespace": namespace} if namespace else {})}
    metadata.update(extra.pop("metadata", {}))
    return {"apiVersion": "v1", "kind": kind, "metadata": metadata, **extra}


def _groups(parts: list[list], names: list[str]) -> set[frozenset[str]]:
    return {frozenset(names[i] for i in part) for part in parts}


def test_terraform_parts_are_the_reference_connected_components():
    bucket = _resource("aws:s3/bucket:Bucket", "data", {"bucket": "data"})
    key = _resource("aws:kms/key:Key", "key", {"enableKeyRotation": True})
    sse_type = ("aws:s3/bucketServerSideEncryptionConfiguration:"
                "BucketServerSideEncryptionConfiguration")
    sse = _resource(sse_type, "sse", {
        "bucket": "data",
        "rules": [{"applyServerSideEncryptionByDefault": {"kmsMasterKeyId": "arn:k"}}],
    }, {"/bucket": bucket["urn"],
        "/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyId": key["urn"]})
    lone = _resource("aws:s3/bucket:Bucket", "logs", {"bucket": "logs"})
    plan = to_terraform_plan([bucket, key, sse, lone]).document
    parts = {frozenset(p) for p in tfplan_parts(plan)}
    # The SSE configuration references the bucket and the key: the three are one part, even
    # though the bucket and the key do not reference each other.
    assert parts == {
        frozenset({"aws_s3_bucket.data", "aws_kms_key.key",
                   "aws_s3_bucket_server_side_encryption_configuration.sse"}),
        frozenset({"aws_s3_bucket.logs"}),
    }
    sub = tfplan_subset(plan, ["aws_s3_bucket.logs"])
    assert [r["address"] for r in sub["resource_changes"]] == ["aws_s3_bucket.logs"]
    assert [r["address"] for r in sub["configuration"]["root_module"]["resources"]] == [
        "aws_s3_bucket.logs"]


def test_kubernetes_parts_group_namespaces_and_every_edge_checkov_builds_across_them():
    docs = [
        _manifest("Namespace", "a"),                                                   # 0
        _manifest("Deployment", "web", "a", spec={
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"serviceAccountName": "runner"}}}),                  # 1
        _manifest("NetworkPolicy", "deny", "a", spec={"podSelector": {}}),             # 2
        _manifest("Service", "svc", "b", spec={"selector": {"app": "web"}}),           # 3
        _manifest("ServiceAccount", "runner", "c"),                                    # 4
        _manifest("ClusterRole", "reader"),                                            # 5
        _manifest("RoleBinding", "bind", "d", roleRef={"kind": "ClusterRole", "name": "reader"},
                  subjects=[{"kind": "User", "name": "alice"}]),                        # 6
        _manifest("StorageClass", "gp3"),                                              # 7
        _manifest("ConfigMap", "cfg"),                                                 # 8 default
        _manifest("Pod", "p", "e", metadata={"labels": {"tier": "x"}}),                # 9
        _manifest("Pod", "q", "f"),                                                    # 10
    ]
    names = [d["metadata"]["name"] for d in docs]
    # a holds web and deny; b's Service selects web's pods (Checkov ignores namespaces); c's
    # ServiceAccount is web's serviceAccountName; d's binding names the cluster role; the
    # Namespace object, the StorageClass, `default` and e/f's pods are parts of their own (an
    # empty podSelector joins nothing in Checkov's graph).
    assert _groups(k8s_parts(docs), names) == {
        frozenset({"web", "deny", "svc", "runner"}),
        frozenset({"reader", "bind"}),
        frozenset({"a"}), frozenset({"gp3"}), frozenset({"cfg"}),
        frozenset({"p"}), frozenset({"q"}),
    }
    # A podSelector without matchLabels but not empty joins every pod of every namespace.
    wildcard = _manifest("NetworkPolicy", "all", "g", spec={
        "podSelector": {"matchExpressions": [{"key": "tier", "operator": "Exists"}]}})
    groups = _groups(k8s_parts([*docs, wildcard]), [*names, "all"])
    assert frozenset({"web", "deny", "svc", "runner", "p", "q", "all"}) in groups


def test_arm_resources_are_independent_unless_an_expression_joins_them():
    template = {"resources": [{"name": "a", "properties": {}}, {"name": "b", "properties": {}}]}
    assert arm_parts(template) == [[0], [1]]
    template["resources"][1]["dependsOn"] = ["a"]
    assert arm_parts(template) == [[0, 1]]


def test_chunks_never_split_a_part_and_respect_the_limit():
    parts = [[1, 2, 3, 4, 5, 6], [7, 8], [9], [10, 11, 12], [13]]
    packed = chunks(parts, 4)
    assert sorted(x for c in packed for x in c) == list(range(1, 14))
    for part in parts:
        assert sum(set(part) <= set(c) for c in packed) == 1
    assert all(len(c) <= 4 for c in packed if c != [1, 2, 3, 4, 5, 6])
    assert chunks(list(reversed(parts)), 4) == packed


def _equivalence_resources() -> list[dict]:
    return [r for framework in sorted(FORMATS) for c in cases(framework)
            for v in VARIANTS for r in variant_resources(c, v)]


@pytest.fixture(scope="module")
def split_vs_one(all_stacks):
    """Per stack (and "equivalence"): one scan, the split scan on a 2-process pool in chunks of
    3 items (as many Checkov runs as the partition allows) and the jobs it ran, all done in one
    call to Checkov's interpreter (tests/checkov_side/split_scan.py). A scan is its results as
    (urn, check id, resource, result, framework, check name, guideline) and `scanned`."""
    inputs = {stack: json.loads((all_stacks.inventories / f"{stack}.json").read_text())[
        "resources"] for stack in STACKS}
    inputs["equivalence"] = _equivalence_resources()
    return checkov_worker.in_checkov("split_scan", "one_and_split", inputs)


@pytest.mark.parametrize("stack", STACKS)
def test_reference_stack_split_scan_equals_one_scan(split_vs_one, stack):
    found = split_vs_one[stack]
    assert found["jobs"] > 3, "the stack was not split"
    assert found["one"] and found["split"] == found["one"]
    assert found["split_scanned"] == found["one_scanned"]


def test_equivalence_fixtures_split_scan_equals_one_scan(split_vs_one):
    found = split_vs_one["equivalence"]
    assert found["jobs"] > 10
    # Graph checks spanning resources are among what must not change (a bucket and its
    # encryption configuration, a pod and its network policy, a binding and its role).
    graph = {check_id for _, check_id, *_ in found["one"] if check_id.startswith("CKV2_")}
    assert {"CKV2_AWS_6", "CKV2_K8S_6"} <= graph, graph
    assert any(check_id.startswith("CKV2_") and result == "PASSED"
               for _, check_id, _, result, *_ in found["one"])
    assert found["split"] == found["one"]
