"""A model stack: a model server deployed onto a platform stack's cluster.

The platform stack (examples/platform-stack) owns the cluster, the registry, the keys and the
model's cloud identity, and exports them. This stack reads them with a StackReference and adds
what belongs to the model: its service account (bound to the platform's role), its Deployment
(the image from the platform's registry, by digest) and its log group (encrypted with the
platform's logs key).
"""

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

config = pulumi.Config()
platform = pulumi.StackReference(config.require("platformStack"))
digest = config.require("imageDigest")

NAMESPACE, NAME = "models", "chest-xray"
TAGS = {
    "owner": "ml-platform",
    "costCenter": "cc-4410",
    "dataClassification": "phi",
    "environment": "prod",
}

# The platform's kubeconfig is a secret output: it stays secret here.
cluster = k8s.Provider("platform", kubeconfig=platform.require_output("kubeconfig"))
in_cluster = pulumi.ResourceOptions(provider=cluster)

# HIPAA 164.312(b): the model's own audit trail, encrypted with the platform's logs key.
aws.cloudwatch.LogGroup(
    NAME,
    name=f"/models/{NAME}",
    kms_key_id=platform.require_output("logsKeyArn"),
    retention_in_days=2192,
    tags=TAGS,
)

# IRSA: the platform's role for this model trusts exactly this service account.
account = k8s.core.v1.ServiceAccount(
    NAME,
    metadata={
        "name": NAME,
        "namespace": NAMESPACE,
        "annotations": {"eks.amazonaws.com/role-arn": platform.require_output("modelRoleArn")},
    },
    opts=in_cluster,
)

hardened = {
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "runAsGroup": 10001,
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "privileged": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}

k8s.apps.v1.Deployment(
    NAME,
    metadata={"name": NAME, "namespace": NAMESPACE, "labels": {"app": NAME}},
    spec={
        "replicas": 2,
        "selector": {"matchLabels": {"app": NAME}},
        "template": {
            "metadata": {"labels": {"app": NAME}},
            "spec": {
                "serviceAccountName": account.metadata["name"],
                # IRSA projects its own web-identity token; the Kubernetes API token is not needed.
                "automountServiceAccountToken": False,
                "securityContext": {
                    "runAsNonRoot": True,
                    "runAsUser": 10001,
                    "fsGroup": 10001,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
                "containers": [
                    {
                        "name": "server",
                        # The platform's registry, by digest: never a mutable tag.
                        "image": platform.require_output("registryUrl").apply(
                            lambda url: f"{url}@{digest}"
                        ),
                        "imagePullPolicy": "Always",
                        "ports": [{"containerPort": 8080}],
                        "resources": {
                            "requests": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"},
                            "limits": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"},
                        },
                        "securityContext": hardened,
                        "livenessProbe": {"httpGet": {"path": "/v2/health/live", "port": 8080}},
                        "readinessProbe": {"httpGet": {"path": "/v2/health/ready", "port": 8080}},
                        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
                    }
                ],
                "volumes": [{"name": "tmp", "emptyDir": {}}],
                "nodeSelector": {"nvidia.com/gpu.present": "true"},
                "tolerations": [
                    {"key": "nvidia.com/gpu", "operator": "Equal", "value": "true",
                     "effect": "NoSchedule"}
                ],
            },
        },
    },
    opts=in_cluster,
)
