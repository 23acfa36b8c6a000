"""The InferenceService inputs the k8s tests start from: one GPU model in Standard mode."""

from __future__ import annotations

from medinfra.components.k8s.isvc_spec import IsvcInputs

TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}


def isvc_inputs(**kw) -> IsvcInputs:
    """The baseline, with `kw` changed."""
    base = dict(name="chest-xray", namespace="models", version="2026.10.1", sha256="a" * 64,
                model_format="pytorch", runtime=None, storage_uri="s3://b/chest-xray/1/",
                service_account="chest-xray", mode="Standard", cpu="500m", memory="8Gi",
                gpu=1, min_replicas=2, max_replicas=4,
                gpu_node_selector={"nvidia.com/gpu.present": "true"},
                gpu_tolerations=(TOLERATION,))
    return IsvcInputs(**{**base, **kw})
