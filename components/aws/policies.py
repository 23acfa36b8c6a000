"""IAM, KMS and bucket policy documents (pure functions, golden-tested).

Every document grants the least that works: named principals, named resources, conditions
that pin who may assume a role. No `*` principal is ever allowed in.
"""

from __future__ import annotations

from typing import Any

_KMS_USE = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
]


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def kms_key_policy(
    account_id: str, partition: str, service_principals: list[str], role_arns: list[str] = ()
) -> dict:
    """Key policy: the account root administers the key (so IAM policies can delegate use);
    each named AWS service may use it, only on behalf of this account; each named role (e.g.
    the Auto Scaling service-linked role that launches encrypted node volumes) may use it and
    create grants for AWS resources only."""
    statements = [
        {
            "Sid": "AccountRootAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    for principal in sorted(service_principals):
        statements.append(
            {
                "Sid": "ServiceUse" + "".join(p.capitalize() for p in principal.split(".")[:1]),
                "Effect": "Allow",
                "Principal": {"Service": principal},
                "Action": _KMS_USE,
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        )
    for arn in sorted(role_arns):
        statements.append(
            {
                "Sid": "RoleUse" + arn.rsplit("/", 1)[-1],
                "Effect": "Allow",
                "Principal": {"AWS": arn},
                "Action": _KMS_USE,
                "Resource": "*",
            }
        )
        statements.append(
            {
                "Sid": "RoleGrants" + arn.rsplit("/", 1)[-1],
                "Effect": "Allow",
                "Principal": {"AWS": arn},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            }
        )
    return _doc(*statements)


def _deny_insecure_transport(bucket_arn: str) -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def bucket_policy(bucket_arn: str, key_arns: str) -> dict:
    """Deny plain-HTTP access and uploads encrypted with a key outside `key_arns` (an ARN or
    an ARN pattern such as this account's and region's keys: `arn:aws:kms:REGION:ACCT:key/*`,
    the narrowest scope a first preview can know; the bucket's default encryption is the
    stack's own key)."""
    objects = f"{bucket_arn}/*"
    return _doc(
        _deny_insecure_transport(bucket_arn),
        {
            "Sid": "DenyOutdatedTls",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket_arn, objects],
            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
        },
        {
            "Sid": "DenyUploadsNotEncryptedWithKms",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": objects,
            "Condition": {
                "StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}
            },
        },
        {
            "Sid": "DenyUploadsWithAnotherKey",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": objects,
            "Condition": {
                "StringNotLikeIfExists": {
                    "s3:x-amz-server-side-encryption-aws-kms-key-id": key_arns
                }
            },
        },
    )


def access_log_bucket_policy(
    bucket_arn: str, account_id: str, source_bucket_arns: list[str]
) -> dict:
    """The access-log bucket: S3's logging service may write, for our buckets only; TLS only."""
    objects = f"{bucket_arn}/*"
    return _doc(
        {
            "Sid": "S3ServerAccessLogsWrite",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": objects,
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account_id},
                "ArnLike": {"aws:SourceArn": sorted(source_bucket_arns)},
            },
        },
        _deny_insecure_transport(bucket_arn),
    )


def service_trust_policy(service: str, account_id: str | None = None) -> dict:
    """Trust policy letting one AWS service assume a role (optionally for this account only)."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if account_id:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": account_id}}
    return _doc(statement)


def pod_identity_trust_policy(
    account_id: str, cluster_name: str, namespace: str, service_account: str
) -> dict:
    """EKS Pod Identity: only the EKS pod-identity service, for one service account of one
    cluster. EKS tags every session with the cluster, namespace and service account; the trust
    pins each tag, so no other workload's session can assume the role. Every value is known in
    a first preview (unlike an IRSA trust, which needs the new cluster's OIDC issuer)."""
    return _doc(
        {
            "Sid": "EksPodIdentity",
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {
                "StringEquals": {
                    "aws:SourceAccount": account_id,
                    "aws:RequestTag/eks-cluster-name": cluster_name,
                    "aws:RequestTag/kubernetes-namespace": namespace,
                    "aws:RequestTag/kubernetes-service-account": service_account,
                }
            },
        }
    )


def model_reader_policy(
    bucket_arn: str, prefix: str, key_arn: str, key_alias: str | None = None
) -> dict:
    """Read (never write) the model objects under one prefix; decrypt with one key.

    `key_arn` is the key's ARN, or, where it is not known yet, a pattern of this account's
    keys narrowed to the one key by its alias (`kms:ResourceAliases`; aliases are unique per
    account and region)."""
    prefix = prefix.strip("/")
    objects = f"{bucket_arn}/{prefix}/*" if prefix else f"{bucket_arn}/*"
    listing: dict[str, Any] = {
        "Sid": "ListModelPrefix",
        "Effect": "Allow",
        "Action": "s3:ListBucket",
        "Resource": bucket_arn,
    }
    if prefix:
        listing["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}/*"]}}
    return _doc(
        {
            "Sid": "ReadModelObjects",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": objects,
        },
        listing,
        {
            "Sid": "DecryptModelObjects",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": key_arn,
            **(
                {"Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": [key_alias]}}}
                if key_alias
                else {}
            ),
        },
    )


def flow_logs_policy(log_group_arn: str) -> dict:
    """VPC flow logs may write to their one log group."""
    return _doc(
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [log_group_arn, f"{log_group_arn}:*"],
        }
    )


def ecr_repository_policy(account_id: str, partition: str) -> dict:
    """Only principals of this account may pull from or push to the repository."""
    return _doc(
        {
            "Sid": "AccountOnly",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
            "Action": [
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
                "ecr:PutImage",
                "ecr:InitiateLayerUpload",
                "ecr:UploadLayerPart",
                "ecr:CompleteLayerUpload",
            ],
        }
    )


def ecr_lifecycle_policy(keep_images: int) -> dict:
    """Expire untagged images after a day; keep the newest `keep_images` tagged ones."""
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Expire untagged images",
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 1,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "description": f"Keep the newest {keep_images} images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": keep_images,
                },
                "action": {"type": "expire"},
            },
        ]
    }
