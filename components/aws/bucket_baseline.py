"""The baseline every MedInfra S3 bucket gets, whatever it holds."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


def lock_down_bucket(name: str, bucket: aws.s3.Bucket, opts: pulumi.ResourceOptions) -> None:
    """No ACLs, no public access of any kind, every version kept.

    Configuration resources name the bucket by `bucket.bucket` (the name the program sets,
    known in a first preview) rather than its id (unknown until the bucket exists)."""
    # No ACLs at all: access is decided by policies only.
    aws.s3.BucketOwnershipControls(
        name, bucket=bucket.bucket, rule={"object_ownership": "BucketOwnerEnforced"}, opts=opts
    )
    # CIS AWS 2.1.4: block every form of public access.
    aws.s3.BucketPublicAccessBlock(
        name,
        bucket=bucket.bucket,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    # HIPAA 164.312(c)(1): integrity — every overwrite and delete keeps the old version.
    aws.s3.BucketVersioning(
        name, bucket=bucket.bucket, versioning_configuration={"status": "Enabled"}, opts=opts
    )
