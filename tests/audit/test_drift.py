"""Drift comparison without a cloud: ids differ between plan and cloud, meaning must not."""

from __future__ import annotations

import json

from medinfra.audit.aws_client import is_read
from medinfra.audit.drift import compare

KEY = "urn:pulumi:dev::p::aws:kms/key:Key::data"
SSE_TYPE = "aws:s3/bucketServerSideEncryptionConfiguration:" + (
    "BucketServerSideEncryptionConfiguration")
SSE = f"urn:pulumi:dev::p::{SSE_TYPE}::data"
POLICY = "urn:pulumi:dev::p::aws:s3/bucketPolicy:BucketPolicy::data"
TYPES = {"aws:kms/key:Key", SSE_TYPE, "aws:s3/bucketPolicy:BucketPolicy"}


def _inventory(account: str, key_id: str, statements: int = 1) -> dict:
    arn = f"arn:aws:kms:us-east-1:{account}:key/{key_id}"
    key_condition = {"s3:x-amz-server-side-encryption-aws-kms-key-id": arn}
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": "arn:aws:s3:::data/*",
         "Condition": {"StringNotEqualsIfExists": key_condition}}
    ] * statements}
    return {"project": "p", "stack": "dev", "resources": [
        {"urn": KEY, "type": "aws:kms/key:Key", "props": {"enableKeyRotation": True}},
        {"urn": SSE, "type": SSE_TYPE,
         "props": {"rules": [{"kmsMasterKeyId": arn}]},
         "references": {"/rules/0/kmsMasterKeyId": KEY}},
        {"urn": POLICY, "type": "aws:s3/bucketPolicy:BucketPolicy",
         "props": {"policy": json.dumps(policy)}},
    ]}


def test_the_same_stack_with_other_ids_and_another_account_has_no_drift():
    planned = _inventory("123456789012", "mock-1111-2222")
    live = _inventory("999988887777", "real-aaaa-bbbb")
    assert compare(planned, live, TYPES, "999988887777") == []


def test_a_key_that_is_not_the_planned_one_is_a_changed_reference():
    planned = _inventory("123456789012", "mock-1111-2222")
    live = _inventory("123456789012", "real-aaaa-bbbb")
    live["resources"][1]["references"] = {}  # the live value names no key of the stack
    drift = compare(planned, live, TYPES)
    # The encryption setting and the policy that names the key both drift.
    assert [(d.kind, d.urn, d.path) for d in drift] == [
        ("changed", SSE, "/rules/0/kmsMasterKeyId"),
        ("changed", POLICY, "/policy/Statement/0/Condition/StringNotEqualsIfExists/"
                            "s3:x-amz-server-side-encryption-aws-kms-key-id"),
    ]


def test_policy_documents_are_compared_as_json_down_to_the_statement():
    planned = _inventory("123456789012", "mock-1111-2222")
    live = _inventory("123456789012", "real-aaaa-bbbb", statements=2)
    drift = compare(planned, live, TYPES)
    assert [(d.urn, d.path) for d in drift] == [(POLICY, "/policy/Statement")]


def test_missing_and_unexpected_resources():
    planned = _inventory("123456789012", "mock-1111-2222")
    live = _inventory("123456789012", "real-aaaa-bbbb")
    live["resources"] = live["resources"][1:] + [
        {"urn": "urn:x::unplanned:k", "type": "aws:kms/key:Key", "props": {}}]
    kinds = {(d.kind, d.urn) for d in compare(planned, live, TYPES)}
    assert {("missing", KEY), ("unexpected", "urn:x::unplanned:k")} <= kinds


def test_only_reads_pass_the_write_guard():
    assert [is_read(op) for op in ("DescribeCluster", "GetBucketPolicy", "ListRoles",
                                   "HeadBucket", "BatchGetImage", "PutBucketVersioning",
                                   "DeleteRolePolicy", "UpdateClusterConfig", "CreateTags",
                                   "TagResource")] == [True] * 5 + [False] * 5
