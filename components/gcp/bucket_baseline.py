"""The settings every GCS bucket of the platform shares (pure, so both bucket kinds agree)."""

from __future__ import annotations

from typing import Any

import pulumi

DAY = 24 * 3600


def bucket_baseline(
    *,
    location: str,
    key_id: pulumi.Input[str],
    retention_days: int | None,
    locked: bool,
    soft_delete_days: int,
    noncurrent_days: int,
) -> dict[str, Any]:
    """Keyword arguments of `gcp.storage.Bucket` for a private, CMEK-encrypted bucket.

    GCS does not allow Object Versioning on a bucket with a retention policy, so a bucket is
    either retained (objects can be neither deleted nor replaced for `retention_days`) or
    versioned (replaced and deleted objects stay recoverable as noncurrent versions).
    """
    settings: dict[str, Any] = {
        "location": location.upper(),
        "storage_class": "STANDARD",
        # HIPAA 164.312(a)(2)(iv): encrypted by default with the stack's rotating CMEK.
        "encryption": {"default_kms_key_name": key_id},
        # CIS GCP 5.2: IAM only, no object ACLs.
        "uniform_bucket_level_access": True,
        # CIS GCP 5.1: never public, whatever IAM says.
        "public_access_prevention": "enforced",
        # Deleted objects stay restorable for a while, even past a retention period.
        "soft_delete_policy": {"retention_duration_seconds": soft_delete_days * DAY},
        "force_destroy": False,
    }
    if retention_days is not None:
        # HIPAA 164.316(b)(2): objects kept for the retention period; locked = irreversible.
        settings["retention_policy"] = {
            "retention_period": str(retention_days * DAY),
            "is_locked": locked,
        }
        settings["versioning"] = {"enabled": False}
    else:
        settings["versioning"] = {"enabled": True}
        settings["lifecycle_rules"] = [
            {
                "action": {"type": "Delete"},
                "condition": {"days_since_noncurrent_time": noncurrent_days,
                              "with_state": "ARCHIVED"},
            }
        ]
    return settings
