"""The InferenceService a model gets, built with the kserve SDK's typed models (pure).

Kept apart from the component so it can be golden-tested and validated against KServe's CRD
schema without any Pulumi runtime.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kserve import (
    ApiClient,
    V1beta1InferenceService,
    V1beta1InferenceServiceSpec,
    V1beta1ModelFormat,
    V1beta1ModelSpec,
    V1beta1PredictorSpec,
)
from kubernetes.client import (
    V1Capabilities,
    V1EmptyDirVolumeSource,
    V1ObjectMeta,
    V1PodSecurityContext,
    V1Probe,
    V1ResourceRequirements,
    V1SeccompProfile,
    V1SecurityContext,
    V1TCPSocketAction,
    V1Toleration,
    V1Volume,
    V1VolumeMount,
)
from medinfra.components.config.constants import MODEL_DIGEST_ANNOTATION

API_VERSION = "serving.kserve.io/v1beta1"
SHA_ANNOTATION = "medinfra.io/model-sha256"
#: The model-server image digest the predictor runs (known at preview, unlike the image's
#: registry part): MED-SRV-006 binds it to the version's approval.
DIGEST_ANNOTATION = MODEL_DIGEST_ANNOTATION
MODE_ANNOTATION = "serving.kserve.io/deploymentMode"
# Above 10000: no clash with a UID of the node (CIS Kubernetes 5.7.x, Checkov CKV_K8S_40).
RUN_AS = 10001
#: KServe's model-server port in every serving runtime.
SERVING_PORT = 8080


@dataclass(frozen=True, kw_only=True)
class IsvcInputs:
    """Everything the spec depends on (plain values: pure and testable)."""

    name: str
    namespace: str
    version: str
    sha256: str
    model_format: str
    runtime: str | None
    storage_uri: str
    service_account: str
    mode: str
    cpu: str
    memory: str
    gpu: int
    min_replicas: int
    max_replicas: int
    canary_percent: int | None = None
    gpu_node_selector: dict[str, str] | None = None
    gpu_tolerations: tuple[dict[str, str], ...] = ()
    image_digest: str | None = None
    """Digest of the model-server image (annotated; the image itself is set by `image`)."""
    image: str | None = None
    """Model-server image by digest; None leaves the serving runtime's image (the component
    sets it from the registry's output)."""
    pod_labels: dict[str, str] | None = None
    """Extra labels on the predictor pods (e.g. Azure workload identity's opt-in label)."""


def render(inputs: IsvcInputs) -> dict[str, Any]:
    """The InferenceService manifest (dict) for one model version."""
    resources = {"cpu": inputs.cpu, "memory": inputs.memory}
    if inputs.gpu:
        resources["nvidia.com/gpu"] = str(inputs.gpu)
    gpu = inputs.gpu > 0
    predictor = V1beta1PredictorSpec(
        service_account_name=inputs.service_account,
        # No static credentials in the pod: the service account carries the cloud identity.
        # The model server never calls the Kubernetes API: no API token in the pod (the cloud
        # identity's projected token is mounted by the identity webhook regardless).
        automount_service_account_token=False,
        labels=dict(inputs.pod_labels) if inputs.pod_labels else None,
        min_replicas=inputs.min_replicas,
        max_replicas=inputs.max_replicas,
        scale_metric="concurrency" if inputs.mode == "Knative" else "cpu",
        scale_target=4 if inputs.mode == "Knative" else 70,
        canary_traffic_percent=inputs.canary_percent if inputs.mode == "Knative" else None,
        node_selector=dict(inputs.gpu_node_selector or {}) if gpu else None,
        tolerations=[V1Toleration(**t) for t in inputs.gpu_tolerations] if gpu else None,
        # CIS Kubernetes 5.2: non-root, default seccomp, no privilege escalation, no caps.
        security_context=V1PodSecurityContext(
            run_as_non_root=True, run_as_user=RUN_AS, run_as_group=RUN_AS, fs_group=RUN_AS,
            seccomp_profile=V1SeccompProfile(type="RuntimeDefault")),
        # Read-only root filesystem; model servers get an explicit writable scratch space.
        volumes=[V1Volume(name="scratch", empty_dir=V1EmptyDirVolumeSource(size_limit="2Gi"))],
        # No `name`: KServe's webhook refuses any name on predictor.model ("the 'name' field is
        # not allowed in standard predictor"); KServe names the container kserve-container.
        model=V1beta1ModelSpec(
            model_format=V1beta1ModelFormat(name=inputs.model_format),
            runtime=inputs.runtime,
            image=inputs.image,
            storage_uri=inputs.storage_uri,
            # GPU requests == limits: a GPU cannot be overcommitted.
            resources=V1ResourceRequirements(requests=dict(resources), limits=dict(resources)),
            security_context=V1SecurityContext(
                allow_privilege_escalation=False, read_only_root_filesystem=True,
                run_as_non_root=True, privileged=False,
                capabilities=V1Capabilities(drop=["ALL"]),
                seccomp_profile=V1SeccompProfile(type="RuntimeDefault")),
            volume_mounts=[V1VolumeMount(name="scratch", mount_path="/tmp")],
            # Protocol-neutral probes on the serving port; liveness tolerates a long model load.
            readiness_probe=V1Probe(tcp_socket=V1TCPSocketAction(port=SERVING_PORT),
                                    period_seconds=5),
            liveness_probe=V1Probe(tcp_socket=V1TCPSocketAction(port=SERVING_PORT),
                                   initial_delay_seconds=60, period_seconds=10,
                                   failure_threshold=30),
        ),
    )
    isvc = V1beta1InferenceService(
        api_version=API_VERSION,
        kind="InferenceService",
        metadata=V1ObjectMeta(
            name=inputs.name,
            namespace=inputs.namespace,
            labels={"app.kubernetes.io/name": inputs.name,
                    "app.kubernetes.io/version": inputs.version,
                    "app.kubernetes.io/managed-by": "medinfra"},
            annotations={MODE_ANNOTATION: inputs.mode, SHA_ANNOTATION: inputs.sha256,
                         "medinfra.io/model-version": inputs.version,
                         **({DIGEST_ANNOTATION: inputs.image_digest}
                            if inputs.image_digest else {})},
        ),
        spec=V1beta1InferenceServiceSpec(predictor=predictor),
    )
    manifest = ApiClient().sanitize_for_serialization(isvc)
    # The SDK's ModelSpec serializes its (required, inherited from Container) name as "": drop
    # it, so the spec says nothing KServe's webhook could read as a name.
    predictor_model = manifest["spec"]["predictor"]["model"]
    if not predictor_model.get("name"):
        predictor_model.pop("name", None)
    return manifest
