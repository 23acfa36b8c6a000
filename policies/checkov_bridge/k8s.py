"""kubernetes Inventory resources -> manifests; an InferenceService also -> its pods. Pure.

A kubernetes resource's props are its manifest. Checkov's pod checks cannot read a KServe
InferenceService, so each component (predictor, transformer, explainer) is also expanded into
the Deployment KServe runs for it in Standard mode: the component's pod-spec fields, its model
as the `kserve-container` container, its other containers, the replica floor, and the
readiness probe KServe's reconciler gives the model server when it has none. The
predictor's pod is the one KServe's webhook really creates (components/k8s/kserve_pod.py): with
the `storage-initializer` init container from the ClusterStorageContainer this plan's KServe
release renders (KServe's unconfigured default when the plan installs no KServe), and the agent
when payload logging is on. Both are mapped back to the InferenceService's URN. Checkov skip
annotations (`checkov.io/skip*`) are dropped: exceptions are waivers. Helm releases are not
expanded (their charts are pinned and installed by KServeInstall; see README).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medinfra.components.k8s.kserve_pod import (
    POD_SPEC_FIELDS,
    UNCONFIGURED_CSC,
    chart_storage_container,
    predictor_pod,
)

ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
NOT_MANIFESTS = ("kubernetes:helm.sh/", "kubernetes:yaml", "kubernetes:kustomize")
SKIP_ANNOTATION = "checkov.io/skip"
COMPONENTS = ("predictor", "transformer", "explainer")
MODEL_FIELDS = ("model",)
#: Model-spec fields KServe consumes itself; the rest of the model spec is a container.
_MODEL_ONLY = frozenset({"modelFormat", "runtime", "storageUri", "protocolVersion", "storage"})
@dataclass
class Manifests:
    """One manifest per file, and the URN each came from (by position)."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    urns: dict[int, str] = field(default_factory=dict)

    def urn_of(self, record: Any) -> str | None:
        """The URN of a Checkov record, from the file it was found in (`k8s-<index>.json`)."""
        stem = Path(str(getattr(record, "file_path", ""))).stem
        if not stem.startswith("k8s-"):
            return None
        try:
            return self.urns.get(int(stem[4:]))
        except ValueError:
            return None


def _api_version_kind(token: str) -> tuple[str, str]:
    _, module, kind = token.split(":", 2)
    group, _, version = module.rpartition("/")
    return (version if group in ("core", "") else f"{group}/{version}"), kind


def _clean_metadata(metadata: Any, name: str) -> dict[str, Any]:
    metadata = dict(metadata) if isinstance(metadata, dict) else {}
    metadata.setdefault("name", name)
    annotations = metadata.get("annotations")
    if isinstance(annotations, dict):
        kept = {k: v for k, v in annotations.items() if SKIP_ANNOTATION not in str(k)}
        metadata["annotations"] = kept
    return metadata


def _strip_skips(value: Any) -> Any:
    """Drop Checkov skip annotations at every depth (pod templates carry metadata too)."""
    if isinstance(value, list):
        return [_strip_skips(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        if k == "annotations" and isinstance(v, dict):
            v = {a: b for a, b in v.items() if SKIP_ANNOTATION not in str(a)}
        out[k] = _strip_skips(v)
    return out


def manifest(resource: dict[str, Any]) -> dict[str, Any] | None:
    """A kubernetes resource's manifest (None for non-manifest types such as Helm releases)."""
    token = resource.get("type")
    if not isinstance(token, str) or not token.startswith("kubernetes:") or token.count(":") != 2:
        return None
    if token.startswith(NOT_MANIFESTS):
        return None
    props = resource.get("props") if isinstance(resource.get("props"), dict) else {}
    api_version, kind = _api_version_kind(token)
    document = _strip_skips(copy.deepcopy(props))
    document["apiVersion"], document["kind"] = api_version, kind
    name = resource.get("name") if isinstance(resource.get("name"), str) else kind.lower()
    document["metadata"] = _clean_metadata(document.get("metadata"), name)
    return document


def _model_container(model: dict[str, Any]) -> dict[str, Any]:
    container = {k: v for k, v in model.items() if k not in _MODEL_ONLY}
    container["name"] = "kserve-container"
    return container


# KServe's kserve-resources chart, by name or pinned by digest (policies/rego/lib/kserve.rego).
KSERVE_RESOURCES_CHART = re.compile(r"/kserve-resources(@sha256:[0-9a-f]{64})?$")


def storage_container(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """The ClusterStorageContainer the plan's KServe release renders (KServe's unconfigured
    default when the plan installs no KServe: what a cluster would then have)."""
    for r in resources:
        props = r.get("props") if isinstance(r, dict) else None
        if (isinstance(props, dict) and str(r.get("type", "")).startswith("kubernetes:helm.sh/")
                and KSERVE_RESOURCES_CHART.search(str(props.get("chart", "")))):
            values = props.get("values")
            return chart_storage_container(values if isinstance(values, dict) else {})
    return UNCONFIGURED_CSC


def component_deployment(isvc: dict[str, Any], component: str,
                         csc: dict[str, Any] = UNCONFIGURED_CSC) -> dict[str, Any] | None:
    """The Deployment KServe (Standard mode) creates for one component of an InferenceService."""
    spec = isvc.get("spec") if isinstance(isvc.get("spec"), dict) else {}
    part = spec.get(component)
    if not isinstance(part, dict):
        return None
    metadata = isvc.get("metadata") if isinstance(isvc.get("metadata"), dict) else {}
    name = str(metadata.get("name") or "inferenceservice")
    if component == "predictor":
        pod = predictor_pod(isvc, csc)["spec"]
    else:
        pod = {k: copy.deepcopy(v) for k, v in part.items() if k in POD_SPEC_FIELDS}
        containers = [c for c in pod.get("containers") or [] if isinstance(c, dict)]
        model = next((part[f] for f in MODEL_FIELDS if isinstance(part.get(f), dict)), None)
        if model is not None:
            containers = [_model_container(model), *containers]
        elif containers and "name" not in containers[0]:
            containers[0] = {**containers[0], "name": "kserve-container"}
        pod["containers"] = containers
    _default_readiness_probes(pod)
    labels = {
        **(metadata.get("labels") if isinstance(metadata.get("labels"), dict) else {}),
        "serving.kserve.io/inferenceservice": name,
        "component": component,
        "app": f"isvc.{name}-{component}",
    }
    replicas = part.get("minReplicas")
    deployment: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"{name}-{component}", "labels": labels},
        "spec": {
            "replicas": replicas if isinstance(replicas, int) else 1,
            "selector": {"matchLabels": {"app": f"isvc.{name}-{component}"}},
            "template": {"metadata": {"labels": labels}, "spec": pod},
        },
    }
    if metadata.get("namespace"):
        deployment["metadata"]["namespace"] = metadata["namespace"]
    return _strip_skips(deployment)


#: Containers KServe's deployment reconciler gives a default readiness probe (v0.20.0,
#: pkg/controller/v1beta1/inferenceservice/reconcilers/deployment/deployment_reconciler.go).
_PROBED = ("kserve-container", "transformer-container")


def _default_readiness_probes(pod: dict[str, Any]) -> None:
    """As KServe's Standard-mode reconciler does: a model-server (or collocated transformer)
    container without a readiness probe gets a TCP probe on its first port, else 8080."""
    for container in pod.get("containers") or []:
        if not isinstance(container, dict) or container.get("name") not in _PROBED:
            continue
        if container.get("readinessProbe") is None:
            ports = [p for p in container.get("ports") or [] if isinstance(p, dict)]
            port = ports[0].get("containerPort", 8080) if ports else 8080
            container["readinessProbe"] = {
                "tcpSocket": {"port": port}, "timeoutSeconds": 1, "periodSeconds": 10,
                "successThreshold": 1, "failureThreshold": 3,
            }


def to_manifests(resources: list[dict[str, Any]]) -> Manifests:
    """Every kubernetes resource as a manifest, plus the pods of each InferenceService."""
    out = Manifests()
    csc = storage_container(resources)
    for r in resources:
        if not isinstance(r, dict) or not isinstance(r.get("urn"), str):
            continue
        document = manifest(r)
        if document is None:
            continue
        out.urns[len(out.documents)] = r["urn"]
        out.documents.append(document)
        if r.get("type") == ISVC:
            for component in COMPONENTS:
                deployment = component_deployment(document, component, csc)
                if deployment is not None:
                    out.urns[len(out.documents)] = r["urn"]
                    out.documents.append(deployment)
    return out
