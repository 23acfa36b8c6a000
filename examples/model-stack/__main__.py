"""A model stack: a model server deployed onto a platform stack's cluster.

The platform stack (examples/platform-stack) owns the cluster, the registry, the keys and the
model's cloud identity, and exports them. This stack reads them with a StackReference and adds
what belongs to the model: the EKS Pod Identity association that binds its service account to
the platform's role for this model, the service account, the model server's Deployment (the
image from the platform's registry, by digest) and its log group (encrypted with the
platform's logs key). Plain Pulumi resources: no MedInfra components.
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

# EKS Pod Identity: the platform's role for this model trusts exactly this service account
# (its trust pins the cluster, namespace and service-account session tags); the association
# lets this service account's pods assume it, and nothing else.
aws.eks.PodIdentityAssociation(
    NAME,
    cluster_name=platform.require_output("clusterName"),
    namespace=NAMESPACE,
    service_account=NAME,
    role_arn=platform.require_output("modelRoleArn"),
    tags=TAGS,
)
account = k8s.core.v1.ServiceAccount(
    NAME,
    metadata={"name": NAME, "namespace": NAMESPACE},
    automount_service_account_token=False,
    opts=in_cluster,
)

hardened = {
    "runAsNonRoot": True,
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "privileged": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
gpu = {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"}

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
                # Pod Identity mounts its own token; the Kubernetes API token is not needed.
                "automountServiceAccountToken": False,
                "securityContext": {
                    "runAsNonRoot": True,
                    "runAsUser": 10001,
                    "runAsGroup": 10001,
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
                        "resources": {"requests": gpu, "limits": gpu},
                        "securityContext": hardened,
                        "livenessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 10},
                        "readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 5},
                        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
                    }
                ],
                "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "2Gi"}}],
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
