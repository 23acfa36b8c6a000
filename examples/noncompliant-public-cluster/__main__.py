"""Deliberately noncompliant: an EKS API endpoint open to the internet. Exits 1.

Everything else about the cluster follows the catalogue (secrets encrypted with a rotating key
of the plan, audit logs, access entries, IRSA), so MED-NET-001 is the one finding.
"""

import json

import pulumi
import pulumi_aws as aws

tags = {"owner": "ml-platform", "costCenter": "cc-1", "environment": "dev",
        "dataClassification": "phi"}
opts = pulumi.ResourceOptions(provider=aws.Provider("aws", region="eu-central-1"))
key = aws.kms.Key("secrets", enable_key_rotation=True, rotation_period_in_days=90,
                  deletion_window_in_days=30, tags=tags, opts=opts, policy=json.dumps({
                      "Version": "2012-10-17",
                      "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*",
                                     "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}))
role = aws.iam.Role("cluster", tags=tags, opts=opts, assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"},
                   "Action": "sts:AssumeRole"}]}))
cluster = aws.eks.Cluster(
    "public", role_arn=role.arn, tags=tags, opts=opts,
    access_config={"authentication_mode": "API"},
    enabled_cluster_log_types=["api", "audit", "authenticator"],
    encryption_config={"provider": {"key_arn": key.arn}, "resources": ["secrets"]},
    vpc_config={"subnet_ids": ["subnet-0a", "subnet-0b"], "endpoint_public_access": True},
)
aws.iam.OpenIdConnectProvider(
    "public", url=cluster.identities[0].oidcs[0].issuer, client_id_lists=["sts.amazonaws.com"],
    tags=tags, opts=opts)
