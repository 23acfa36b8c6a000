"""`DataStore`: a GCS bucket encrypted with the stack's key, private, retained or versioned,
with access logs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from medinfra.components import PACKAGE
from medinfra.components.gcp.bucket_baseline import bucket_baseline
from medinfra.components.validation import raise_if_invalid


@dataclass(frozen=True, kw_only=True)
class DataStoreArgs:
    """Inputs of `DataStore`."""

    bucket_name: str
    """Physical bucket name (globally unique)."""
    location: str
    """Region of the bucket (data residency)."""
    key_id: pulumi.Input[str]
    """The stack's Cloud KMS key for data (default CMEK of the bucket)."""
    key_grants: Sequence[pulumi.Resource] = ()
    """Grants that let the Cloud Storage agent use the key (created first)."""
    access_log_bucket: pulumi.Input[str]
    """Bucket receiving this bucket's usage and storage logs."""
    retention_days: int | None = None
    """Retention policy in days (PHI: six years); None means a versioned bucket instead."""
    lock_retention: bool = False
    """Lock the retention policy (irreversible: nobody can shorten or remove it)."""
    soft_delete_days: int = 7
    """Days deleted objects stay restorable (7-90)."""
    noncurrent_version_days: int = 90
    """Days before superseded versions of a versioned bucket are deleted."""


def _validate(args: DataStoreArgs) -> list[tuple[str, str]]:
    problems = []
    if not 3 <= len(args.bucket_name) <= 63:
        problems.append(("bucketName", f"{args.bucket_name!r}: must be 3 to 63 characters"))
    if args.retention_days is not None and not 1 <= args.retention_days <= 36500:
        problems.append(("retentionDays", f"{args.retention_days}: must be 1 to 36500"))
    if args.lock_retention and args.retention_days is None:
        problems.append(("lockRetention", "needs retentionDays"))
    if not 7 <= args.soft_delete_days <= 90:
        problems.append(("softDeleteDays", f"{args.soft_delete_days}: must be 7 to 90"))
    return problems


class DataStore(pulumi.ComponentResource):
    """GCS bucket: CMEK, uniform bucket-level access, public access prevention enforced,
    soft delete, access logs, and a (lockable) retention policy or versioning."""

    def __init__(self, name: str, args: DataStoreArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:gcp:DataStore", name, _validate(args))
        super().__init__(f"{PACKAGE}:gcp:DataStore", name, None, opts)
        self.bucket = gcp.storage.Bucket(
            name,
            name=args.bucket_name,
            logging={"log_bucket": args.access_log_bucket, "log_object_prefix": args.bucket_name},
            **bucket_baseline(
                location=args.location,
                key_id=args.key_id,
                retention_days=args.retention_days,
                locked=args.lock_retention,
                soft_delete_days=args.soft_delete_days,
                noncurrent_days=args.noncurrent_version_days,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.key_grants)),
        )
        self.register_outputs({"bucket": self.bucket.name, "url": self.bucket.url})
