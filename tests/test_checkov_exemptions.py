"""Checkov checks the review does not apply to some resources (`not_on` in mandatory_set.yaml):
log targets, Dataplane V2 clusters, GKE clusters without their default pool. No Checkov run."""

from __future__ import annotations

from medinfra.policies.checkov_bridge.controls import CONTROLS, NOT_ON
from medinfra.policies.checkov_bridge.exemptions import exempt
from medinfra.policies.checkov_bridge.runner import CheckResult, Scan
from medinfra.policies.enforcement import resolve
from medinfra.policies.gate_checkov import _checkov_findings


def _res(type_: str, name: str, props: dict, references: dict | None = None) -> dict:
    return {"urn": f"urn:pulumi:s::p::{type_}::{name}", "type": type_, "name": name,
            "props": props, "references": references or {}}


S3, LOGGING = "aws:s3/bucket:Bucket", "aws:s3/bucketLogging:BucketLogging"
GCS, GKE = "gcp:storage/bucket:Bucket", "gcp:container/cluster:Cluster"
DATA = _res(S3, "data", {"bucket": "data"})
BY_REF = _res(S3, "by-ref", {"bucket": "[unknown]"})
BY_NAME = _res(S3, "by-name", {"bucket": "named-logs"})
GCS_LOGS = _res(GCS, "usage", {"name": "usage-logs"})
GCS_DATA = _res(GCS, "records", {"name": "records", "logging": {"logBucket": "usage-logs"}})
V2 = _res(GKE, "v2", {"datapathProvider": "ADVANCED_DATAPATH", "removeDefaultNodePool": True})
LEGACY = _res(GKE, "legacy", {"datapathProvider": "LEGACY_DATAPATH"})
RESOURCES = [
    DATA, BY_REF, BY_NAME, GCS_LOGS, GCS_DATA, V2, LEGACY,
    _res(LOGGING, "a", {"bucket": "data", "targetBucket": "[unknown]"},
         {"/bucket": DATA["urn"], "/targetBucket": BY_REF["urn"]}),
    _res(LOGGING, "b", {"bucket": "data", "targetBucket": "named-logs"}, {"/bucket": DATA["urn"]}),
]


def test_each_kind_is_found_by_reference_or_by_name_and_nothing_else():
    found = exempt(RESOURCES)
    assert set(found) == set(NOT_ON)
    assert found["log_targets"] == {BY_REF["urn"], BY_NAME["urn"], GCS_LOGS["urn"]}
    assert found["dataplane_v2_clusters"] == {V2["urn"]}
    assert found["clusters_without_default_pool"] == {V2["urn"]}


def test_an_unknown_target_name_matches_no_bucket_whose_name_is_unknown():
    resources = [BY_REF, _res(LOGGING, "c", {"bucket": "x", "targetBucket": "[unknown]"})]
    assert exempt(resources)["log_targets"] == set()


def test_a_not_on_check_is_dropped_only_on_the_resources_it_does_not_apply_to():
    assert CONTROLS["CKV_AWS_145"].not_on == "log_targets"
    inventory = {"config": {"dataClassification": "phi"}, "resources": RESOURCES}
    failed = [CheckResult("CKV_AWS_145", "KMS by default", None, "FAILED", r["urn"],
                          f"aws_s3_bucket.{r['name']}", "terraform_plan")
              for r in (DATA, BY_REF, BY_NAME)]
    levels = resolve(inventory["config"], [], None)
    findings = _checkov_findings(Scan(results=failed), inventory, levels)
    assert [(f.id, f.urn, f.enforcement) for f in findings] == [
        ("CKV_AWS_145", DATA["urn"], "mandatory")]
