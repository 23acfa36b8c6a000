"""Deliberately noncompliant: a PHI bucket without SSE-KMS. `medinfra preview` exits 1.

Everything else about the bucket follows the catalogue (private, TLS-only, versioned, logged,
object-locked), so MED-ENC-001 is the one finding.
"""

import json

import pulumi
import pulumi_aws as aws

tags = {"owner": "ml-platform", "costCenter": "cc-1", "environment": "dev",
        "dataClassification": "phi"}
opts = pulumi.ResourceOptions(provider=aws.Provider("aws", region="eu-central-1"))
bucket = aws.s3.Bucket("scans", bucket="scans-eu", object_lock_enabled=True, tags=tags, opts=opts)
aws.s3.BucketVersioning("scans", bucket=bucket.id,
                        versioning_configuration={"status": "Enabled"}, opts=opts)
aws.s3.BucketPublicAccessBlock("scans", bucket=bucket.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True,
                               restrict_public_buckets=True, opts=opts)
aws.s3.BucketPolicy("scans", bucket=bucket.id, opts=opts, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
                   "Action": "s3:*",
                   "Resource": ["arn:aws:s3:::scans-eu", "arn:aws:s3:::scans-eu/*"],
                   "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
aws.s3.BucketLogging("scans", bucket=bucket.id, target_bucket="central-access-logs",
                     target_prefix="scans-eu/", opts=opts)
aws.s3.BucketObjectLockConfiguration(
    "scans", bucket=bucket.id, object_lock_enabled="Enabled",
    rule={"default_retention": {"mode": "GOVERNANCE", "days": 2190}}, opts=opts)
