"""Golden copies of the rendered IAM/KMS/bucket policy documents (security-relevant fields:
Effect, Principal, Action, Resource, Condition). Regenerate only on purpose:
MEDINFRA_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/aws/test_aws_policy_golden.py"""

from __future__ import annotations

import json
import os

from medinfra.components.aws import policies

from tests.conftest import REPO

GOLDEN = REPO / "tests" / "golden" / "aws_policies.json"
ACCOUNT, KEY = "123456789012", "arn:aws:kms:us-east-1:123456789012:key/k-1"
BUCKET = "arn:aws:s3:::medinfra-aws-prod-models"
ACCOUNT_KEYS = "arn:aws:kms:us-east-1:123456789012:key/*"


def _rendered() -> dict:
    return {
        "kms_key_policy": policies.kms_key_policy(
            ACCOUNT,
            "aws",
            ["logs.us-east-1.amazonaws.com"],
            [
                f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/"
                "AWSServiceRoleForAutoScaling"
            ],
        ),
        "bucket_policy": policies.bucket_policy(BUCKET, KEY),
        "access_log_bucket_policy": policies.access_log_bucket_policy(
            "arn:aws:s3:::medinfra-aws-prod-access-logs", ACCOUNT, [BUCKET]
        ),
        "eks_trust": policies.service_trust_policy("eks.amazonaws.com"),
        "pod_identity_trust": policies.pod_identity_trust_policy(
            ACCOUNT, "medinfra-aws-prod", "models", "chest-xray"
        ),
        "model_reader": policies.model_reader_policy(
            BUCKET, "chest-xray/2026.10.1/", ACCOUNT_KEYS, "alias/medinfra-aws-prod-data"
        ),
        "flow_logs": policies.flow_logs_policy(
            "arn:aws:logs:us-east-1:123456789012:log-group:/medinfra/network/vpc-flow-logs"
        ),
        "ecr_repository": policies.ecr_repository_policy(ACCOUNT, "aws"),
        "ecr_lifecycle": policies.ecr_lifecycle_policy(30),
    }


def _security_fields(document: dict) -> list:
    keys = ("Effect", "Principal", "Action", "Resource", "Condition")
    if "Statement" not in document:
        return [document]
    return [{k: s.get(k) for k in keys} for s in document["Statement"]]


def test_policy_documents_match_the_golden_file():
    rendered = _rendered()
    if os.environ.get("MEDINFRA_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(rendered, indent=2, sort_keys=True) + "\n")
    golden = json.loads(GOLDEN.read_text())
    assert set(golden) == set(rendered)
    for name, document in rendered.items():
        assert _security_fields(document) == _security_fields(golden[name]), name


def test_no_allow_statement_grants_everything():
    for name, document in _rendered().items():
        for statement in document.get("Statement", []):
            if statement["Effect"] != "Allow":
                continue
            assert statement.get("Principal") != "*", name
            root = str(statement.get("Principal", {}).get("AWS", "")).endswith(":root")
            if name == "kms_key_policy":
                # In a key policy Resource "*" means this key; only the account root administers.
                assert statement["Action"] != "kms:*" or root, statement
            else:
                assert statement["Action"] != "*" and statement.get("Resource") != "*", name
