"""Deliberately noncompliant: an EKS API endpoint open to the internet. Exits 1."""

import json

import pulumi
import pulumi_aws as aws

tags = {"owner": "ml-platform", "costCenter": "cc-1", "environment": "dev",
        "dataClassification": "phi"}
opts = pulumi.ResourceOptions(provider=aws.Provider("aws", region="eu-central-1"))
role = aws.iam.Role("cluster", tags=tags, opts=opts, assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"},
                   "Action": "sts:AssumeRole"}]}))
aws.eks.Cluster(
    "public", role_arn=role.arn, tags=tags, opts=opts,
    vpc_config={"subnet_ids": ["subnet-0a", "subnet-0b"], "endpoint_public_access": True},
)
