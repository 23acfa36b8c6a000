"""Deliberately noncompliant for Checkov, one failure per resource. `medinfra preview` exits 1:

* bucket `unversioned`: no versioning (CKV_AWS_21);
* cluster `plain-secrets`: no envelope encryption of Kubernetes secrets (CKV_AWS_58);
* repository `mutable`: mutable image tags (CKV_AWS_51).
"""

import pulumi
import pulumi_aws as aws

tags = {"owner": "ml-platform", "costCenter": "cc-1", "environment": "dev",
        "dataClassification": "phi"}
opts = pulumi.ResourceOptions(provider=aws.Provider("aws", region="eu-central-1"))

aws.s3.Bucket("unversioned", tags=tags, opts=opts)
aws.eks.Cluster(
    "plain-secrets",
    role_arn="arn:aws:iam::123456789012:role/eks",
    vpc_config={"subnet_ids": ["subnet-1", "subnet-2"], "endpoint_public_access": False,
                "endpoint_private_access": True},
    enabled_cluster_log_types=["api", "audit", "authenticator"],
    tags=tags,
    opts=opts,
)
aws.ecr.Repository("mutable", image_tag_mutability="MUTABLE",
                   image_scanning_configuration={"scan_on_push": True}, tags=tags, opts=opts)
