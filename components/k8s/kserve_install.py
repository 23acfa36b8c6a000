"""`KServeInstall`: cert-manager, KServe and the NVIDIA device plugin, pinned, plus a locked-down
namespace for model servers."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
from medinfra.components import PACKAGE
from medinfra.components.validation import raise_if_invalid

# Pinned versions: the KServe CRD these match is tests/data/kserve (v0.20.0).
CERT_MANAGER = ("cert-manager", "https://charts.jetstack.io", "v1.16.2")
KSERVE_VERSION = "v0.20.0"
KSERVE_CHARTS = "oci://ghcr.io/kserve/charts"
# OCI charts are pinned by digest as well as version (Helm >= 3.18 pulls `<ref>@sha256:...` and
# refuses other bytes); the digests come from the stack (serving.kserveChartDigests). HTTP chart
# repositories (cert-manager, the device plugin) offer no digest pin: exact version only.
KSERVE_CHART_NAMES = ("kserve-crd", "kserve-resources")


def chart_ref(chart: str, digest: str) -> str:
    """`oci://.../<chart>@sha256:...`: the KServe chart by digest."""
    return f"{KSERVE_CHARTS}/{chart}@{digest}"

DEVICE_PLUGIN = ("nvidia-device-plugin", "https://nvidia.github.io/k8s-device-plugin", "0.17.0")
MODES = ("Standard", "Knative")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
PSA_RESTRICTED = {f"pod-security.kubernetes.io/{k}": "restricted"
                  for k in ("enforce", "audit", "warn")}
# KServe injects the storage initializer into every model pod, and the models namespace enforces
# Pod Security "restricted" (CIS Kubernetes 5.2): without this the API server refuses the pod
# (kserve/kserve#5373). Complete on its own, because the ClusterStorageContainer is
# cluster-wide and cannot count on a pod-level context; read-only root like every workload
# (MED-HRD-002): it only writes the weights, to the emptyDir KServe mounts at /mnt/models.
STORAGE_SECURITY_CONTEXT = {
    "allowPrivilegeEscalation": False, "privileged": False, "readOnlyRootFilesystem": True,
    "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


@dataclass(frozen=True, kw_only=True)
class KServeInstallArgs:
    """Inputs of `KServeInstall`."""

    deployment_mode: str = "Standard"
    """KServe deployment mode for every InferenceService (Standard or Knative)."""
    models_namespace: str = "models"
    """Namespace the model servers run in."""
    gpu_node_selector: dict[str, str]
    """Where the device plugin runs (GPU nodes only)."""
    gpu_tolerations: tuple[dict[str, str], ...]
    """Tolerations for the GPU taint."""
    device_plugin: bool = True
    """Install NVIDIA's device plugin (False where the cluster provider runs its own)."""
    extra_egress: tuple[dict, ...] = ()
    """Further egress rules for model pods (e.g. a node-local workload identity endpoint)."""
    chart_digests: tuple[str, str] | None = None
    """sha256 digests of the kserve-crd and kserve-resources OCI charts at KSERVE_VERSION.
    Required: an OCI chart is pulled by digest, exactly the bytes reviewed."""
    storage_initializer: tuple[pulumi.Input[str], str] | None = None
    """(repository, sha256 digest) of KServe's storage-initializer image, which KServe injects
    as the init container of every model pod. Required: the chart's own default is a mutable
    tag (kserve/storage-initializer:<version>) that MED-HRD-003 blocks."""


def _validate(args: KServeInstallArgs) -> list[tuple[str, str]]:
    problems = []
    if args.deployment_mode not in MODES:
        problems.append(("deploymentMode", f"{args.deployment_mode!r}: one of {', '.join(MODES)}"))
    if args.chart_digests is None:
        problems.append(("chartDigests", "missing: the sha256:<64 hex> digests of the "
                         "kserve-crd and kserve-resources charts at " + KSERVE_VERSION))
    else:
        for chart, digest in zip(KSERVE_CHART_NAMES, args.chart_digests, strict=True):
            if not DIGEST.match(str(digest)):
                problems.append(("chartDigests", f"{chart} {digest!r}: must be sha256:<64 hex>"))
    if args.storage_initializer is None:
        problems.append(("storageInitializer", "missing: a (repository, 'sha256:<64 hex>') pair "
                         "of the storage-initializer image in this plan's registry; the chart's "
                         "default image is tag-pinned"))
    elif not DIGEST.match(str(args.storage_initializer[1])):
        problems.append(("storageInitializer",
                         f"{args.storage_initializer[1]!r}: the digest must be sha256:<64 hex>"))
    return problems


def _kserve_values(args: KServeInstallArgs) -> dict:
    repository, digest = args.storage_initializer
    return {"kserve": {
        "controller": {"deploymentMode": args.deployment_mode},
        # The chart renders "<image>:<tag>" into the ClusterStorageContainer and the
        # inferenceservice-config map; "<version>@<digest>" makes the kubelet pull by digest.
        # containerSecurityContext becomes the `default` ClusterStorageContainer's
        # securityContext (storagecontainer-patch.yaml), which KServe v0.20 strategic-merges
        # into the injected init container (components/k8s/kserve_pod.py).
        "storage": {"image": repository, "tag": f"{KSERVE_VERSION}@{digest}",
                    "containerSecurityContext": dict(STORAGE_SECURITY_CONTEXT)},
    }}


class KServeInstall(pulumi.ComponentResource):
    """KServe with its prerequisites; models get a `restricted` namespace that denies all
    traffic except what serving needs."""

    def __init__(self, name: str, args: KServeInstallArgs,
                 opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:k8s:KServeInstall", name, _validate(args))
        super().__init__(f"{PACKAGE}:k8s:KServeInstall", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namespaces = {
            ns: k8s.core.v1.Namespace(f"{name}-{ns}", metadata={"name": ns}, opts=child)
            for ns in ("cert-manager", "kserve", "nvidia-device-plugin")
            if ns != "nvidia-device-plugin" or args.device_plugin
        }
        chart, repo, version = CERT_MANAGER
        cert_manager = k8s.helm.v3.Release(
            f"{name}-cert-manager", chart=chart, version=version, repository_opts={"repo": repo},
            namespace="cert-manager", values={"crds": {"enabled": True}},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[namespaces["cert-manager"]]))
        crds = k8s.helm.v3.Release(
            f"{name}-kserve-crd", chart=chart_ref("kserve-crd", args.chart_digests[0]),
            version=KSERVE_VERSION,
            namespace="kserve",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[namespaces["kserve"]]))
        self.kserve = k8s.helm.v3.Release(
            f"{name}-kserve", chart=chart_ref("kserve-resources", args.chart_digests[1]),
            version=KSERVE_VERSION,
            namespace="kserve",
            values=_kserve_values(args),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[cert_manager, crds]))
        if args.device_plugin:
            self._device_plugin(name, args, namespaces["nvidia-device-plugin"])
        self.namespace = k8s.core.v1.Namespace(
            f"{name}-{args.models_namespace}",
            # CIS Kubernetes 5.2: Pod Security Admission "restricted" for model servers.
            metadata={"name": args.models_namespace, "labels": PSA_RESTRICTED}, opts=child)
        self._network_policies(name, args.models_namespace, args.extra_egress)
        self.register_outputs({"modelsNamespace": args.models_namespace})

    def _device_plugin(self, name: str, args: KServeInstallArgs, namespace) -> None:
        chart, repo, version = DEVICE_PLUGIN
        k8s.helm.v3.Release(
            f"{name}-device-plugin", chart=chart, version=version,
            repository_opts={"repo": repo}, namespace="nvidia-device-plugin",
            # Only GPU nodes run it, and it tolerates their taint.
            values={"nodeSelector": args.gpu_node_selector,
                    "tolerations": [dict(t) for t in args.gpu_tolerations]},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[namespace]))

    def _network_policies(self, name: str, namespace: str, extra_egress) -> None:
        opts = pulumi.ResourceOptions(parent=self, depends_on=[self.namespace])
        # Default deny both ways; then only what serving needs.
        k8s.networking.v1.NetworkPolicy(
            f"{name}-default-deny", metadata={"name": "default-deny", "namespace": namespace},
            spec={"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}, opts=opts)
        k8s.networking.v1.NetworkPolicy(
            f"{name}-allow-serving", metadata={"name": "allow-serving", "namespace": namespace},
            spec={
                "podSelector": {},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [{
                    "from": [{"namespaceSelector": {"matchLabels": {
                        "kubernetes.io/metadata.name": ns}}} for ns in ("kserve", namespace)],
                    "ports": [{"protocol": "TCP", "port": 8080}],
                }],
                "egress": [
                    {"to": [{"namespaceSelector": {"matchLabels": {
                        "kubernetes.io/metadata.name": "kube-system"}}}],
                     "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]},
                    # Model weights and credentials over TLS only (store, STS, via endpoints).
                    {"ports": [{"protocol": "TCP", "port": 443}]},
                    *[dict(rule) for rule in extra_egress],
                ],
            },
            opts=opts)
