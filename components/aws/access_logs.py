"""`AccessLogBucket`: the locked-down bucket that receives S3 server access logs."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from medinfra.components import PACKAGE
from medinfra.components.aws.bucket_baseline import lock_down_bucket
from medinfra.components.aws.known import Account
from medinfra.components.aws.policies import access_log_bucket_policy
from medinfra.components.config import HIPAA_RETENTION_DAYS
from medinfra.components.validation import raise_if_invalid


@dataclass(frozen=True, kw_only=True)
class AccessLogBucketArgs:
    """Inputs of `AccessLogBucket`."""

    bucket_name: str
    """Physical bucket name."""
    source_bucket_names: tuple[str, ...]
    """Buckets whose access logs may be written here (and only those)."""
    retention_days: int = HIPAA_RETENTION_DAYS
    """Days access logs are kept (HIPAA: six years)."""


def _validate(args: AccessLogBucketArgs) -> list[tuple[str, str]]:
    problems = []
    if not args.source_bucket_names:
        problems.append(("sourceBucketNames", "must name at least one bucket"))
    if args.retention_days < 90:
        problems.append(("retentionDays", f"{args.retention_days}: must be >= 90"))
    return problems


class AccessLogBucket(pulumi.ComponentResource):
    """Private, versioned, TLS-only, SSE-S3-encrypted log bucket.

    S3 server access logging cannot deliver to a bucket whose default encryption is SSE-KMS,
    so this one bucket uses SSE-S3 (AES-256): still encrypted at rest, with AWS-managed keys.
    """

    def __init__(
        self, name: str, args: AccessLogBucketArgs, opts: pulumi.ResourceOptions | None = None
    ):
        raise_if_invalid(f"{PACKAGE}:aws:AccessLogBucket", name, _validate(args))
        super().__init__(f"{PACKAGE}:aws:AccessLogBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = Account.of(self)
        self.bucket = aws.s3.Bucket(name, bucket=args.bucket_name, force_destroy=False, opts=child)
        lock_down_bucket(name, self.bucket, child)
        aws.s3.BucketServerSideEncryptionConfiguration(
            name,
            bucket=self.bucket.bucket,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            name,
            bucket=self.bucket.bucket,
            rules=[
                {
                    "id": "expire-access-logs",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "expiration": {"days": args.retention_days},
                    "noncurrent_version_expiration": {"noncurrent_days": 30},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                }
            ],
            opts=child,
        )
        sources = [account.bucket_arn(b) for b in args.source_bucket_names]
        aws.s3.BucketPolicy(
            name,
            bucket=self.bucket.bucket,
            policy=pulumi.Output.all(
                account.bucket_arn(self.bucket.bucket), account.account_id, *sources
            ).apply(lambda a: json.dumps(access_log_bucket_policy(a[0], a[1], list(a[2:])))),
            opts=child,
        )
        self.register_outputs({"bucket": self.bucket.bucket})
