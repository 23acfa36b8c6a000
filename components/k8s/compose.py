"""Compose model serving on any cluster from the cloud-neutral outputs of a platform."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pulumi
import pulumi_kubernetes as k8s
from medinfra.components.config import PlatformConfig
from medinfra.components.k8s.inference_service import InferenceService, InferenceServiceArgs
from medinfra.components.k8s.isvc_spec import IsvcInputs
from medinfra.components.k8s.kserve_install import KServeInstall, KServeInstallArgs

MODELS_NAMESPACE = "models"


@dataclass(frozen=True)
class ModelIdentity:
    """How one model's Kubernetes service account becomes its cloud identity."""

    service_account_annotations: Mapping[str, pulumi.Input[str]]
    """E.g. IRSA role ARN, Azure workload identity client id, GKE service account email."""
    pod_labels: Mapping[str, str] = field(default_factory=dict)
    """Labels the pod needs for the identity webhook (Azure: azure.workload.identity/use)."""


@dataclass(frozen=True)
class ServingTarget:
    """What any cloud's platform hands the serving layer (DESIGN.md, cloud-neutral outputs)."""

    provider: k8s.Provider
    """Kubernetes provider for the GPU cluster (built from its secret kubeconfig)."""
    gpu_node_selector: dict[str, str]
    """Node selector that lands pods on the GPU pools."""
    gpu_tolerations: list[dict[str, str]]
    """Tolerations matching the GPU pools' taint."""
    identities: Mapping[str, ModelIdentity]
    """Model name -> its workload identity."""
    image_repository: pulumi.Input[str] | None = None
    """Repository URL in this plan's registry that model-server images are pulled from."""
    install_device_plugin: bool = True
    """Install NVIDIA's device plugin on the GPU nodes; False where the cluster runs one itself
    (GKE with GPU driver installation)."""
    extra_egress: tuple[dict, ...] = ()
    """NetworkPolicy egress rules model pods need beyond DNS and 443, e.g. to the node-local
    metadata server that issues workload identity tokens on GKE."""


def _storage_initializer(config: PlatformConfig, target: ServingTarget):
    """KServe's storage initializer from this plan's registry, by digest (None: no digest)."""
    digest = config.serving.storage_initializer_digest
    if digest is None:
        return None
    if target.image_repository is None:
        raise ValueError("ServingTarget.image_repository is required to serve models")
    return (target.image_repository, digest)


def _chart_digests(config: PlatformConfig) -> tuple[str, str] | None:
    digests = config.serving.kserve_chart_digests
    return None if digests is None else (digests.kserve_crd, digests.kserve_resources)


def build(parent: pulumi.Resource, config: PlatformConfig,
          target: ServingTarget) -> dict[str, InferenceService]:
    """KServe on the cluster and one InferenceService per configured model.

    A stack with no models and no storage-initializer digest gets no KServe: there is nothing
    to serve, and the chart's own storage-initializer image is tag-pinned.
    """
    # Config validation requires the digest whenever models are configured.
    if not config.models and config.serving.storage_initializer_digest is None:
        return {}
    provider = target.provider
    opts = pulumi.ResourceOptions(parent=parent, providers=[provider])
    install = KServeInstall("kserve", KServeInstallArgs(
        deployment_mode=config.serving.deployment_mode, models_namespace=MODELS_NAMESPACE,
        gpu_node_selector=target.gpu_node_selector,
        gpu_tolerations=tuple(target.gpu_tolerations),
        device_plugin=target.install_device_plugin, extra_egress=tuple(target.extra_egress),
        storage_initializer=_storage_initializer(config, target),
        chart_digests=_chart_digests(config)),
        opts=opts)
    has_gpu_pools = bool(config.cluster.gpu_pools)
    services = {}
    for model in config.models:
        identity = target.identities[model.name]
        # Knative: the canary's spec with its share (KServe keeps prod as the rolled-out
        # revision); otherwise prod. Candidates are recorded, never served.
        version, canary_percent = model.served(config.serving.deployment_mode)
        spec = IsvcInputs(
            name=model.name, namespace=MODELS_NAMESPACE, version=version.version,
            sha256=version.sha256, image_digest=version.image_digest,
            model_format=model.format, runtime=model.runtime,
            storage_uri=version.storage_uri, service_account=model.name,
            mode=config.serving.deployment_mode, cpu=model.cpu, memory=model.memory,
            gpu=model.gpu, min_replicas=config.min_replicas(model),
            max_replicas=model.max_replicas, canary_percent=canary_percent,
            gpu_node_selector=target.gpu_node_selector if has_gpu_pools else None,
            gpu_tolerations=tuple(target.gpu_tolerations))
        if identity.pod_labels:
            spec = replace(spec, pod_labels=dict(identity.pod_labels))
        services[model.name] = InferenceService(
            f"model-{model.name}",
            InferenceServiceArgs(
                spec=spec,
                service_account_annotations=dict(identity.service_account_annotations),
                image=pulumi.Output.concat(target.image_repository, "@", version.image_digest)),
            opts=pulumi.ResourceOptions(parent=parent, providers=[provider],
                                        depends_on=[install.kserve, install.namespace]))
    return services
