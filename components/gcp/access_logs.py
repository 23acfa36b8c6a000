"""`AccessLogBucket`: where the platform's buckets deliver their usage and storage logs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from medinfra.components import PACKAGE
from medinfra.components.config import HIPAA_RETENTION_DAYS
from medinfra.components.gcp.bucket_baseline import bucket_baseline
from medinfra.components.validation import raise_if_invalid

#: The Google group that writes Cloud Storage usage and storage logs.
LOG_WRITER = "group:cloud-storage-analytics@google.com"


@dataclass(frozen=True, kw_only=True)
class AccessLogBucketArgs:
    """Inputs of `AccessLogBucket`."""

    bucket_name: str
    """Physical bucket name."""
    location: str
    """Region of the bucket."""
    key_id: pulumi.Input[str]
    """The stack's Cloud KMS key for data."""
    key_grants: Sequence[pulumi.Resource] = ()
    """Grants that let the Cloud Storage agent use the key (created first)."""
    # HIPAA 164.316(b)(2): access records are kept (and cannot be altered) for six years.
    retention_days: int = HIPAA_RETENTION_DAYS
    """Days logs are retained (and then deleted)."""
    lock_retention: bool = False
    """Lock the retention policy (irreversible)."""


def _validate(args: AccessLogBucketArgs) -> list[tuple[str, str]]:
    if args.retention_days < 90:
        return [("retentionDays", f"{args.retention_days}: must be >= 90")]
    return []


class AccessLogBucket(pulumi.ComponentResource):
    """Private, CMEK-encrypted, retained log bucket; only Cloud Storage's log writer may add
    objects, and objects expire after the retention period."""

    def __init__(
        self, name: str, args: AccessLogBucketArgs, opts: pulumi.ResourceOptions | None = None
    ):
        raise_if_invalid(f"{PACKAGE}:gcp:AccessLogBucket", name, _validate(args))
        super().__init__(f"{PACKAGE}:gcp:AccessLogBucket", name, None, opts)
        settings = bucket_baseline(
            location=args.location,
            key_id=args.key_id,
            retention_days=args.retention_days,
            locked=args.lock_retention,
            soft_delete_days=7,
            noncurrent_days=90,
        )
        settings["lifecycle_rules"] = [
            {"action": {"type": "Delete"}, "condition": {"age": args.retention_days}}
        ]
        self.bucket = gcp.storage.Bucket(
            name,
            name=args.bucket_name,
            **settings,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.key_grants)),
        )
        gcp.storage.BucketIAMMember(
            name,
            bucket=self.bucket.name,
            role="roles/storage.objectCreator",
            member=LOG_WRITER,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"bucket": self.bucket.name})
