"""Deliberately noncompliant model serving: production InferenceServices on AWS, one per
serving-related control family (named `<family>-...`), next to a compliant one and a compliant
registry, store and namespace. `medinfra preview --dir examples/noncompliant-kserve --stack prod`
exits 1; tests/test_noncompliant_examples.py asserts the exact findings."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

SHA = "3f1c7a9e0b5d2c4e8a6f1b3d5c7e9a0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a1c"
DIGEST = "sha256:9b2e4c6a8d0f1e3c5a7b9d1f3e5c7a9b1d3f5e7c9a1b3d5f7e9c1a3b5d7f9e1c"
BUCKET = "medinfra-kserve-models"
tags = {"owner": "ml-platform", "costCenter": "cc-1", "environment": "prod",
        "dataClassification": "phi"}
opts = pulumi.ResourceOptions(provider=aws.Provider("aws", region="eu-central-1"))

key = aws.kms.Key("data", enable_key_rotation=True, rotation_period_in_days=90,
                  deletion_window_in_days=30, tags=tags, opts=opts, policy=json.dumps({
                      "Version": "2012-10-17",
                      "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*",
                                     "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}))
registry = aws.ecr.Repository(
    "registry", name="medinfra/models", image_tag_mutability="IMMUTABLE",
    image_scanning_configuration={"scan_on_push": True}, tags=tags, opts=opts,
    encryption_configurations=[{"encryption_type": "KMS", "kms_key": key.arn}])

store = aws.s3.Bucket("models", bucket=BUCKET, object_lock_enabled=True, tags=tags, opts=opts)
aws.s3.BucketServerSideEncryptionConfiguration(
    "models", bucket=store.id, opts=opts, rules=[{"apply_server_side_encryption_by_default": {
        "sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}])
aws.s3.BucketPublicAccessBlock("models", bucket=store.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True,
                               restrict_public_buckets=True, opts=opts)
aws.s3.BucketPolicy("models", bucket=store.id, opts=opts, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                   "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
                   "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
aws.s3.BucketVersioning("models", bucket=store.id,
                        versioning_configuration={"status": "Enabled"}, opts=opts)
aws.s3.BucketLogging("models", bucket=store.id, target_bucket="medinfra-access-logs",
                     target_prefix="models/", opts=opts)
aws.s3.BucketObjectLockConfiguration(
    "models", bucket=store.id, object_lock_enabled="Enabled",
    rule={"default_retention": {"mode": "COMPLIANCE", "days": 2190}}, opts=opts)

namespace = k8s.core.v1.Namespace("models", metadata={"name": "models", "labels": {
    "pod-security.kubernetes.io/enforce": "restricted"}})
k8s.networking.v1.NetworkPolicy(
    "default-deny", metadata={"name": "default-deny", "namespace": "models"},
    spec={"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
k8s.core.v1.ServiceAccount("model-server", metadata={
    "name": "model-server", "namespace": "models",
    "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/model"}})
# KServe, its storage initializer mirrored into the registry by digest, and restricted (the
# init container KServe injects into every model pod; without a KServe release in the plan the
# gate judges KServe's unconfigured default).
k8s.helm.v3.Release(
    "kserve", chart="oci://ghcr.io/kserve/charts/kserve-resources", version="v0.20.0",
    namespace="kserve", values={"kserve": {"storage": {
        "image": registry.repository_url, "tag": f"v0.20.0@{DIGEST}",
        "containerSecurityContext": {
            "allowPrivilegeEscalation": False, "privileged": False, "readOnlyRootFilesystem": True,
            "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"}}}}})


def inference_service(name, *, uri=None, account="model-server", privileged=False,
                      canary=None):
    """A hardened, GPU, digest-pinned production InferenceService, except what is switched."""
    resources = {"cpu": "2", "memory": "8Gi", "nvidia.com/gpu": "1"}
    predictor = {
        "serviceAccountName": account, "minReplicas": 2, "maxReplicas": 4,
        "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
        "securityContext": {"runAsNonRoot": True, "runAsUser": 1000},
        "model": {
            "modelFormat": {"name": "pytorch"},
            "storageUri": uri or f"s3://{BUCKET}/{name}/1.0/",
            "image": registry.repository_url.apply(lambda url: f"{url}@{DIGEST}"),
            "resources": {"requests": resources, "limits": resources},
            "securityContext": {"allowPrivilegeEscalation": False, "privileged": privileged,
                                "readOnlyRootFilesystem": True, "runAsNonRoot": True,
                                "capabilities": {"drop": ["ALL"]}},
        },
    }
    if canary is not None:
        predictor["canaryTrafficPercent"] = canary
    k8s.apiextensions.CustomResource(
        name, api_version="serving.kserve.io/v1beta1", kind="InferenceService",
        metadata={"name": name, "namespace": "models", "annotations": {
            "serving.kserve.io/deploymentMode": "Standard",
            "medinfra.io/model-sha256": SHA, "medinfra.io/model-version": "1.0",
            "medinfra.io/image-digest": DIGEST}},
        spec={"predictor": predictor}, opts=pulumi.ResourceOptions(depends_on=[namespace]))
    k8s.policy.v1.PodDisruptionBudget(name, metadata={"name": name, "namespace": "models"}, spec={
        "maxUnavailable": 1,
        "selector": {"matchLabels": {"serving.kserve.io/inferenceservice": name}}})


inference_service("chest-xray")
inference_service("tls-http-model", uri="http://models.example.org/chest-xray/1.0/")
inference_service("iam-no-identity", account="default")
inference_service("hrd-privileged", privileged=True)
inference_service("srv-canary-in-standard", canary=10)
inference_service("srv-unapproved")
inference_service("srv-approved-other-image")
