"""Deliberately noncompliant AWS resources, at least one per control family (named
`<family>-...`), next to compliant ones. `medinfra preview --dir examples/noncompliant-aws
--stack dev` exits 1; tests/test_noncompliant_examples.py asserts the exact findings."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

tags = {"owner": "ml-platform", "costCenter": "cc-1", "environment": "dev",
        "dataClassification": "phi"}
opts = pulumi.ResourceOptions(provider=aws.Provider("aws", region="eu-central-1"))
ROOT = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "kms:*", "Resource": "*"}


def key(name: str, *, rotate=True, key_tags=None) -> aws.kms.Key:
    return aws.kms.Key(name, enable_key_rotation=rotate, rotation_period_in_days=90,
                       deletion_window_in_days=30, tags=key_tags or tags, opts=opts,
                       policy=json.dumps({"Version": "2012-10-17", "Statement": [ROOT]}))


data_key = key("data")


def bucket(name: str, *, encrypted=True, tls_only=True, logged=True, versioned=True):
    """A PHI bucket that follows every rule except those switched off."""
    b = aws.s3.Bucket(name, bucket=f"medinfra-{name}", object_lock_enabled=True, tags=tags,
                      opts=opts)
    arn = f"arn:aws:s3:::medinfra-{name}"
    aws.s3.BucketPublicAccessBlock(name, bucket=b.id, block_public_acls=True,
                                   block_public_policy=True, ignore_public_acls=True,
                                   restrict_public_buckets=True, opts=opts)
    aws.s3.BucketObjectLockConfiguration(
        name, bucket=b.id, object_lock_enabled="Enabled",
        rule={"default_retention": {"mode": "GOVERNANCE", "days": 2190}}, opts=opts)
    if encrypted:
        aws.s3.BucketServerSideEncryptionConfiguration(
            name, bucket=b.id, opts=opts, rules=[{"apply_server_side_encryption_by_default": {
                "sse_algorithm": "aws:kms", "kms_master_key_id": data_key.arn}}])
    if tls_only:
        aws.s3.BucketPolicy(name, bucket=b.id, opts=opts, policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                           "Resource": [arn, f"{arn}/*"],
                           "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    if logged:
        aws.s3.BucketLogging(name, bucket=b.id, target_bucket="medinfra-access-logs",
                             target_prefix=f"{name}/", opts=opts)
    if versioned:
        aws.s3.BucketVersioning(name, bucket=b.id,
                                versioning_configuration={"status": "Enabled"}, opts=opts)
    return b


bucket("models")
bucket("enc-unencrypted", encrypted=False)
bucket("tls-no-tls-policy", tls_only=False)
bucket("log-no-access-logs", logged=False)
bucket("int-unversioned", versioned=False)
key("key-no-rotation", rotate=False)
key("tag-missing-cost-center", key_tags={k: v for k, v in tags.items() if k != "costCenter"})
aws.ec2.SecurityGroup(
    "net-ssh-from-anywhere", vpc_id="vpc-0a", description="SSH", tags=tags, opts=opts,
    ingress=[{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}])
aws.iam.RolePolicy("iam-wildcard", role="model-server", opts=opts, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
# Any service account of any namespace may assume the role (StringLike with wildcards).
ISSUER = "oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE"
aws.iam.OpenIdConnectProvider("cluster", url=f"https://{ISSUER}",
                              client_id_lists=["sts.amazonaws.com"], tags=tags, opts=opts)
aws.iam.Role("iam-any-service-account", tags=tags, opts=opts, assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{ISSUER}"},
        "Condition": {"StringEquals": {f"{ISSUER}:aud": "sts.amazonaws.com"},
                      "StringLike": {f"{ISSUER}:sub": "system:serviceaccount:*:*"}}}]}))
aws.ec2.LaunchTemplate(
    "hrd-imdsv1", tags=tags, opts=opts,
    metadata_options={"http_endpoint": "enabled", "http_tokens": "optional",
                      "http_put_response_hop_limit": 1},
    block_device_mappings=[{"device_name": "/dev/xvda", "ebs": {
        "encrypted": "true", "kms_key_id": key("volumes").arn, "volume_type": "gp3"}}])
aws.Provider("res-us-east-1", region="us-east-1")

# A FHIR R4 store that keeps AWS's own key (HealthLake's default) instead of the stack's; its
# API calls (management events of healthlake.amazonaws.com, FHIR reads included) are
# recorded, so only the encryption rule fails.
native = pulumi.ResourceOptions(provider=aws_native.Provider("aws-native", region="eu-central-1"))
aws_native.healthlake.FhirDatastore(
    "enc-fhir-aws-owned-key", datastore_name="clinical", datastore_type_version="R4",
    sse_configuration={"kms_encryption_config": {"cmk_type": "AWS_OWNED_KMS_KEY"}},
    identity_provider_configuration={"authorization_strategy": "AWS_AUTH"},
    tags=[aws_native.TagArgs(key=k, value=v) for k, v in tags.items()], opts=native)
aws.cloudtrail.EventDataStore(
    "health-events", name="health-data-events", kms_key_id=data_key.arn, retention_period=2190,
    multi_region_enabled=False, termination_protection_enabled=True, tags=tags, opts=opts,
    advanced_event_selectors=[{"name": "fhir", "field_selectors": [
        {"field": "eventCategory", "equals": ["Management"]},
        {"field": "eventSource", "equals": ["healthlake.amazonaws.com"]}]}])
