"""Compose model serving on any cluster from the cloud-neutral outputs of a platform."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s

from components.config import PlatformConfig
from components.k8s.inference_service import InferenceService, InferenceServiceArgs
from components.k8s.isvc_spec import IsvcInputs
from components.k8s.kserve_install import KServeInstall, KServeInstallArgs

MODELS_NAMESPACE = "models"


def build(parent: pulumi.Resource, config: PlatformConfig, *, provider: k8s.Provider,
          gpu_node_selector: dict[str, str], gpu_tolerations: list[dict[str, str]],
          identity_annotations: Mapping[str, dict]) -> dict[str, InferenceService]:
    """KServe on the cluster and one InferenceService per configured model."""
    opts = pulumi.ResourceOptions(parent=parent, providers=[provider])
    install = KServeInstall("kserve", KServeInstallArgs(
        deployment_mode=config.serving.deployment_mode, models_namespace=MODELS_NAMESPACE,
        gpu_node_selector=gpu_node_selector, gpu_tolerations=tuple(gpu_tolerations)),
        opts=opts)
    has_gpu_pools = bool(config.cluster.gpu_pools)
    services = {}
    for model in config.models:
        spec = IsvcInputs(
            name=model.name, namespace=MODELS_NAMESPACE, version=model.version,
            sha256=model.sha256, model_format=model.format, runtime=model.runtime,
            storage_uri=model.storage_uri, service_account=model.name,
            mode=config.serving.deployment_mode, cpu=model.cpu, memory=model.memory,
            gpu=model.gpu, min_replicas=config.min_replicas(model),
            max_replicas=model.max_replicas, canary_percent=model.canary_percent,
            gpu_node_selector=gpu_node_selector if has_gpu_pools else None,
            gpu_tolerations=tuple(gpu_tolerations))
        services[model.name] = InferenceService(
            f"model-{model.name}",
            InferenceServiceArgs(spec=spec,
                                 service_account_annotations=identity_annotations[model.name]),
            opts=pulumi.ResourceOptions(parent=parent, providers=[provider],
                                        depends_on=[install.kserve, install.namespace]))
    return services
