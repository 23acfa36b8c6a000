"""Deliberately noncompliant: a PHI bucket without SSE-KMS. `medinfra preview` exits 1."""

import pulumi
import pulumi_aws as aws

tags = {"owner": "ml-platform", "costCenter": "cc-1", "environment": "dev",
        "dataClassification": "phi"}
provider = aws.Provider("aws", region="eu-central-1")
bucket = aws.s3.Bucket("scans", tags=tags, opts=pulumi.ResourceOptions(provider=provider))
aws.s3.BucketVersioning("scans", bucket=bucket.id,
                        versioning_configuration={"status": "Enabled"},
                        opts=pulumi.ResourceOptions(provider=provider))
