"""`InferenceService`: one model version served by KServe, hardened and bound to its identity."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s
from medinfra.components import PACKAGE
from medinfra.components.k8s.admission import KSERVE_SOURCE, kserve_rejections
from medinfra.components.k8s.isvc_spec import API_VERSION, IsvcInputs, render
from medinfra.components.k8s.kserve_pod import UNCONFIGURED_CSC
from medinfra.components.validation import raise_if_invalid


@dataclass(frozen=True, kw_only=True)
class InferenceServiceArgs:
    """Inputs of `InferenceService`."""

    spec: IsvcInputs
    """The model version and how to serve it."""
    service_account_annotations: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    """Annotations binding the service account to the cloud identity (e.g. IRSA role ARN)."""
    image: pulumi.Input[str] | None = None
    """Model-server image by digest (`<repository>@sha256:...`), usually an output of this
    plan's registry. Required: without it KServe runs the serving runtime's tagged image."""


PINNED = re.compile(r"^[^@\s]+@sha256:[0-9a-f]{64}$")


def _validate(args: InferenceServiceArgs) -> list[tuple[str, str]]:
    spec, problems = args.spec, []
    if args.image is None:
        problems.append(("image", "missing: the model-server image by digest "
                         "(<repository>@sha256:<64 hex>); the serving runtime's default image "
                         "is tag-pinned"))
    elif isinstance(args.image, str) and not PINNED.match(args.image):
        problems.append(("image", f"{args.image!r}: must be <repository>@sha256:<64 hex>"))
    if spec.min_replicas > spec.max_replicas:
        problems.append(("minReplicas", f"{spec.min_replicas} > maxReplicas {spec.max_replicas}"))
    if spec.canary_percent is not None and spec.mode != "Knative":
        problems.append(("canaryPercent", f"{spec.mode} mode ignores canary traffic"))
    if spec.gpu and not spec.gpu_node_selector:
        problems.append(("gpu", "GPU requested but the cluster has no GPU pool"))
    if spec.storage_uri.lower().startswith("http://"):
        problems.append(("storageUri", "plain http is not allowed"))
    if not args.service_account_annotations:
        problems.append(("serviceAccountAnnotations", "a cloud identity is required"))
    # What the cluster would refuse, refused here before anything is created.
    formats = UNCONFIGURED_CSC["supportedUriFormats"]
    problems += [("spec", f"{KSERVE_SOURCE} would refuse it: {reason}")
                 for reason in kserve_rejections(render(spec), formats)]
    return problems


class InferenceService(pulumi.ComponentResource):
    """Service account bound to the cloud identity (no static credentials), the KServe
    InferenceService, and a PodDisruptionBudget where the mode creates Deployments."""

    def __init__(self, name: str, args: InferenceServiceArgs,
                 opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:k8s:InferenceService", name, _validate(args))
        super().__init__(f"{PACKAGE}:k8s:InferenceService", name, None, opts)
        spec = args.spec
        child = pulumi.ResourceOptions(parent=self)
        account = k8s.core.v1.ServiceAccount(
            name, metadata={"name": spec.service_account, "namespace": spec.namespace,
                            "annotations": args.service_account_annotations},
            automount_service_account_token=True, opts=child)
        manifest = render(spec)
        # Only this field waits on the registry: the rest of the spec stays known in preview.
        manifest["spec"]["predictor"]["model"]["image"] = args.image
        self.resource = k8s.apiextensions.CustomResource(
            name, api_version=API_VERSION, kind="InferenceService",
            metadata=manifest["metadata"], spec=manifest["spec"],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[account]))
        if spec.mode == "Standard":
            k8s.policy.v1.PodDisruptionBudget(
                name, metadata={"name": spec.name, "namespace": spec.namespace},
                spec={"maxUnavailable": 1, "selector": {"matchLabels": {
                    "serving.kserve.io/inferenceservice": spec.name}}},
                opts=child)
        self.register_outputs({"name": spec.name})
