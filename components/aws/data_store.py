"""`DataStore`: an S3 bucket encrypted with the stack's key, private, versioned and logged."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from medinfra.components import PACKAGE
from medinfra.components.aws.bucket_baseline import lock_down_bucket
from medinfra.components.aws.known import Account
from medinfra.components.aws.policies import bucket_policy
from medinfra.components.validation import raise_if_invalid


@dataclass(frozen=True, kw_only=True)
class DataStoreArgs:
    """Inputs of `DataStore`."""

    bucket_name: str
    """Physical bucket name (globally unique)."""
    key_arn: pulumi.Input[str]
    """The stack's KMS key for data (SSE-KMS)."""
    access_log_bucket: pulumi.Input[str]
    """Bucket receiving this bucket's server access logs."""
    retention_days: int | None = None
    """Object-lock retention in days (PHI: six years); None means no object lock."""
    compliance_mode: bool = False
    """Object lock in COMPLIANCE mode (nobody can shorten it) instead of GOVERNANCE."""
    noncurrent_version_days: int = 90
    """Days before superseded object versions move to cheaper storage."""


def _validate(args: DataStoreArgs) -> list[tuple[str, str]]:
    problems = []
    if not 3 <= len(args.bucket_name) <= 63:
        problems.append(("bucketName", f"{args.bucket_name!r}: must be 3 to 63 characters"))
    if args.retention_days is not None and args.retention_days < 1:
        problems.append(("retentionDays", f"{args.retention_days}: must be >= 1"))
    if args.compliance_mode and args.retention_days is None:
        problems.append(("complianceMode", "needs retentionDays"))
    return problems


class DataStore(pulumi.ComponentResource):
    """S3 bucket: SSE-KMS with bucket key, versioning, all four public access blocks,
    TLS-only policy, owner-enforced ownership, access logs, lifecycle, object lock for PHI."""

    def __init__(self, name: str, args: DataStoreArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:aws:DataStore", name, _validate(args))
        super().__init__(f"{PACKAGE}:aws:DataStore", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = Account.of(self)
        locked = args.retention_days is not None
        self.bucket = aws.s3.Bucket(
            name,
            bucket=args.bucket_name,
            force_destroy=False,
            # HIPAA 164.316(b)(2): object lock can only be enabled when the bucket is created.
            object_lock_enabled=locked,
            opts=child,
        )
        lock_down_bucket(name, self.bucket, child)
        # HIPAA 164.312(a)(2)(iv): encrypted at rest with the stack's customer-managed key.
        aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            bucket=self.bucket.bucket,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": args.key_arn,
                    },
                    "bucket_key_enabled": True,
                }
            ],
            opts=child,
        )
        aws.s3.BucketLogging(
            name,
            bucket=self.bucket.bucket,
            target_bucket=args.access_log_bucket,
            target_prefix=f"{args.bucket_name}/",
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            name,
            bucket=self.bucket.bucket,
            rules=[
                {
                    "id": "tier-noncurrent-versions",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "noncurrent_version_transitions": [
                        {
                            "noncurrent_days": args.noncurrent_version_days,
                            "storage_class": "GLACIER_IR",
                        }
                    ],
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                }
            ],
            opts=child,
        )
        if locked:
            aws.s3.BucketObjectLockConfiguration(
                name,
                bucket=self.bucket.bucket,
                object_lock_enabled="Enabled",
                rule={
                    "default_retention": {
                        "mode": "COMPLIANCE" if args.compliance_mode else "GOVERNANCE",
                        "days": args.retention_days,
                    }
                },
                opts=child,
            )
        # HIPAA 164.312(e)(1): TLS 1.2+ only; uploads only with this stack's key.
        aws.s3.BucketPolicy(
            name,
            bucket=self.bucket.bucket,
            policy=pulumi.Output.all(
                account.bucket_arn(self.bucket.bucket), account.any_key_arn()
            ).apply(lambda a: json.dumps(bucket_policy(a[0], a[1]))),
            opts=child,
        )
        self.arn = account.bucket_arn(self.bucket.bucket)
        self.register_outputs({"bucket": self.bucket.bucket, "arn": self.arn})
