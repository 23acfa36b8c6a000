"""A minimal Pulumi program: a customer-managed KMS key and a bucket encrypted with it."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
owner = config.require("owner")
api_token = config.require_secret("apiToken")

key = aws.kms.Key(
    "data",
    description="Encrypts the example bucket",
    enable_key_rotation=True,
    deletion_window_in_days=30,
)
bucket = aws.s3.Bucket("data", tags={"owner": owner})
aws.s3.BucketServerSideEncryptionConfiguration(
    "data",
    bucket=bucket.id,
    rules=[
        aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms",
                kms_master_key_id=key.arn,
            ),
            bucket_key_enabled=True,
        )
    ],
)
aws.ssm.Parameter("api-token", type="SecureString", value=api_token, key_id=key.arn)

pulumi.export("bucket", bucket.id)
pulumi.export("token", api_token)
