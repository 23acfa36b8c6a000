"""Every input property of every planned resource is one the provider SDK declares."""

from __future__ import annotations

import pytest

from tests.sdk_schema import CUSTOM_RESOURCE_TYPES, input_names, unknown_properties


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_every_prop_is_declared_by_the_sdk(request, stack):
    inventory = request.getfixturevalue(stack)
    checked = set()
    for resource in inventory.resources:
        if resource["provider"] is None:  # components and the stack have no SDK inputs
            continue
        if resource["type"] in CUSTOM_RESOURCE_TYPES:  # CRD-validated in tests/k8s
            continue
        assert unknown_properties(resource["type"], resource["props"]) == [], resource["urn"]
        checked.add(resource["type"])
    assert len(checked) >= 35


def test_the_walker_catches_a_typo_at_any_depth():
    bucket_sse = (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    props = {
        "bucket": "b",
        "rules": [
            {
                "applyServerSideEncryptionByDefault": {
                    "sseAlgorithm": "aws:kms",
                    "kmsMasterKeyID": "k",
                }
            }
        ],
        "bukcet": "x",
    }
    assert sorted(unknown_properties(bucket_sse, props)) == [
        "/bukcet",
        "/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyID",
    ]
    assert "tags" in input_names("aws:s3/bucket:Bucket")
    assert "tags" not in input_names(bucket_sse)
