"""Splitting a plan for Checkov (partition.py) and scanning the parts on a pool (parallel.py)
gives exactly the results of one scan: on the six reference stacks and on every equivalence
fixture, graph checks (CKV2_*) included; and the partition keeps every reference together."""

from __future__ import annotations

import json

import pytest
from medinfra.policies.checkov_bridge import parallel, runner
from medinfra.policies.checkov_bridge.partition import (
    arm_parts,
    chunks,
    k8s_parts,
    tfplan_parts,
    tfplan_subset,
)
from medinfra.policies.checkov_bridge.tfplan import to_terraform_plan

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


def _key(scan) -> list[tuple]:
    return [(r.urn, r.check_id, r.resource, r.result, r.framework, r.check_name, r.guideline)
            for r in scan.results]


@pytest.fixture(scope="module")
def split_vs_one(tmp_path_factory, monkeypatch_module):
    """(one scan, the split scan on a 2-process pool, jobs run) of a list of resources."""
    runner.load_checkov()
    ran: list[int] = []
    real_execute = runner.execute

    def counting(run_job, jobs, selection, workers):
        ran.append(len(jobs))
        return real_execute(run_job, jobs, selection, workers)

    monkeypatch_module.setattr(runner, "execute", counting)

    def compare(resources: list[dict]):
        monkeypatch_module.setattr(runner, "PARALLEL_MIN_ITEMS", 10**9)
        one = runner._run_all(resources, runner.Selection(), tmp_path_factory.mktemp("one"))
        # Tiny chunks: as many Checkov runs as the partition allows.
        monkeypatch_module.setattr(runner, "PARALLEL_MIN_ITEMS", 0)
        monkeypatch_module.setattr(runner, "CHUNK_ITEMS", 3)
        split = runner._run_all(resources, runner.Selection(),
                                tmp_path_factory.mktemp("split"), workers=2)
        return one, split, ran[-1]

    yield compare
    parallel.stop_pool()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.mark.parametrize("stack", STACKS)
def test_reference_stack_split_scan_equals_one_scan(all_stacks, split_vs_one, stack):
    inventory = json.loads((all_stacks.inventories / f"{stack}.json").read_text())
    one, split, jobs = split_vs_one(inventory["resources"])
    assert jobs > 3, "the stack was not split"
    assert one.results and _key(split) == _key(one)
    assert split.scanned == one.scanned


def test_equivalence_fixtures_split_scan_equals_one_scan(split_vs_one):
    resources = [r for framework in sorted(FORMATS) for c in cases(framework)
                 for v in VARIANTS for r in variant_resources(c, v)]
    one, split, jobs = split_vs_one(resources)
    assert jobs > 10
    # Graph checks spanning resources are among what must not change (a bucket and its
    # encryption configuration, a pod and its network policy, a binding and its role).
    graph = {r.check_id for r in one.results if r.check_id.startswith("CKV2_")}
    assert {"CKV2_AWS_6", "CKV2_K8S_6"} <= graph, graph
    assert any(r.check_id.startswith("CKV2_") and r.result == "PASSED" for r in one.results)
    assert _key(split) == _key(one)
