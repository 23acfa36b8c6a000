"""The Checkov bridge on a plan of a stack that does not exist yet: a value unknown at preview
that the Inventory traces to a resource of the plan stays a Terraform reference, so Checkov
still connects a bucket to its configuration resources (issue 15)."""

from __future__ import annotations

import json

from medinfra.policies.checkov_bridge.tfplan import to_terraform_plan
from medinfra.policies.inventory import UNKNOWN_MARK

from tests.test_checkov import BUCKET, TAGS, VERSIONING, _resource, _results_by_address


def _plan(bucket_value, traced=True):
    """A versioned bucket whose versioning resource names it by `bucket_value`."""
    bucket = _resource("data", BUCKET, {"bucket": "data", "tags": TAGS})
    versioning = _resource(
        "data",
        VERSIONING,
        {"bucket": bucket_value, "versioningConfiguration": {"status": "Enabled"}},
        {"/bucket": bucket["urn"]} if traced else {},
    )
    return [bucket, versioning]


def _versioning(plan):
    config = plan.document["configuration"]["root_module"]["resources"]
    (entry,) = [c for c in config if c["type"] == "aws_s3_bucket_versioning"]
    (change,) = [
        c for c in plan.document["resource_changes"] if c["type"] == "aws_s3_bucket_versioning"
    ]
    return entry["expressions"], change["change"]


def test_an_unknown_traced_bucket_id_becomes_a_reference_to_the_bucket():
    expressions, change = _versioning(to_terraform_plan(_plan(UNKNOWN_MARK)))
    assert expressions["bucket"] == {"references": ["aws_s3_bucket.data.id", "aws_s3_bucket.data"]}
    assert "bucket" not in change["after"] and change["after_unknown"]["bucket"] is True


def test_an_unknown_untraced_value_stays_unknown_without_a_reference():
    expressions, change = _versioning(to_terraform_plan(_plan(UNKNOWN_MARK, traced=False)))
    assert "bucket" not in expressions and change["after_unknown"]["bucket"] is True


def test_a_traced_policy_document_stays_a_value():
    bucket = _resource("data", BUCKET, {"bucket": "data", "tags": TAGS})
    policy = _resource(
        "data",
        "aws:s3/bucketPolicy:BucketPolicy",
        {"bucket": "data", "policy": '{"Statement": []}'},
        {"/bucket": bucket["urn"], "/policy": bucket["urn"]},
    )
    plan = to_terraform_plan([bucket, policy])
    (values,) = [
        r["values"]
        for r in plan.document["planned_values"]["root_module"]["resources"]
        if r["type"] == "aws_s3_bucket_policy"
    ]
    assert values == {"policy": '{"Statement": []}'}


def test_checkov_connects_a_bucket_to_its_versioning_when_the_bucket_id_is_unknown(tmp_path):
    results = {}
    for name, plan in {
        "known": _plan("data"),
        "unknown": _plan(UNKNOWN_MARK),
        "untraced": _plan(UNKNOWN_MARK, traced=False),
    }.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(to_terraform_plan(plan).document))
        results[name] = _results_by_address(path)["aws_s3_bucket.data"]["CKV_AWS_21"]
    assert results == {"known": "PASSED", "unknown": "PASSED", "untraced": "FAILED"}
