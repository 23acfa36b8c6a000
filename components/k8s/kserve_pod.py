"""The pod KServe v0.20.0 really runs for an InferenceService's predictor (pure).

Our spec is not the whole pod: KServe's pod mutating webhook injects the `storage-initializer`
init container (and the `agent` sidecar when payload logging is on), and Pod Security admission
judges the result. What we model, each step read at kserve/kserve@v0.20.0:

* the chart (`charts/kserve-resources`) renders ClusterStorageContainer `default` from
  `files/common/storagecontainer.yaml` deep-merged with `storagecontainer-patch.yaml`, whose
  `securityContext` is `.Values.kserve.storage.containerSecurityContext`;
* the injector (`pkg/webhook/admission/pod/storage_initializer_injector.go`) builds the init
  container from the `storageInitializer` config (`pkg/utils/storage.go:
  CreateInitContainerWithConfig`: name, image, args, resources, no securityContext) and then
  strategic-merges the matching ClusterStorageContainer's `spec.container` over it
  (`pkg/utils/container_merge.go`), so the chart value does reach the container in v0.20;
* the agent (`agent_injector.go`) copies the first container's securityContext.

A KServe installed with Kustomize (`config/storagecontainers/default.yaml`) has a default
ClusterStorageContainer with no securityContext at all: that is `UNCONFIGURED_CSC`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from medinfra.components.k8s.admission import FRAMEWORKS, uri_supported

STORAGE_INITIALIZER = "storage-initializer"
MODEL_MOUNT = "/mnt/models"
PROVISION_VOLUME = "kserve-provision-location"
_RESOURCES = {"limits": {"cpu": "1", "memory": "1Gi"},
              "requests": {"cpu": "100m", "memory": "100Mi"}}
_URI_FORMATS = [{"prefix": p} for p in ("gs://", "s3://", "hdfs://", "hf://", "webhdfs://")] + [
    {"regex": "https://(.+?).blob.core.windows.net/(.+)"},
    {"regex": "https://(.+?).file.core.windows.net/(.+)"}, {"regex": "https?://(.+)/(.+)"}]
#: charts/kserve-resources/values.yaml @ v0.20.0, `kserve.storage` (the keys the CSC reads).
CHART_STORAGE_DEFAULTS: dict[str, Any] = {
    "image": "kserve/storage-initializer", "tag": "", "resources": copy.deepcopy(_RESOURCES),
    "containerSecurityContext": {"allowPrivilegeEscalation": False, "privileged": False,
                                 "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]}},
}
CHART_VERSION = "v0.20.0"
#: config/storagecontainers/default.yaml @ v0.20.0 (Kustomize install): no securityContext.
UNCONFIGURED_CSC: dict[str, Any] = {
    "container": {"name": STORAGE_INITIALIZER, "image": "kserve/storage-initializer:v0.20.0",
                  "imagePullPolicy": "IfNotPresent", "resources": copy.deepcopy(_RESOURCES)},
    "supportedUriFormats": _URI_FORMATS, "workloadType": "initContainer",
    "supportsMultiModelDownload": True,
}
#: PodSpec fields (core/v1) a KServe component may set: the rest of a component is KServe's.
POD_SPEC_FIELDS = frozenset({
    "activeDeadlineSeconds", "affinity", "automountServiceAccountToken", "containers",
    "dnsConfig", "dnsPolicy", "enableServiceLinks", "ephemeralContainers", "hostAliases",
    "hostIPC", "hostNetwork", "hostPID", "hostUsers", "hostname", "imagePullSecrets",
    "initContainers", "nodeName", "nodeSelector", "os", "overhead", "preemptionPolicy",
    "priority", "priorityClassName", "readinessGates", "resourceClaims", "restartPolicy",
    "runtimeClassName", "schedulerName", "schedulingGates", "securityContext",
    "serviceAccount", "serviceAccountName", "setHostnameAsFQDN", "shareProcessNamespace",
    "subdomain", "terminationGracePeriodSeconds", "tolerations", "topologySpreadConstraints",
    "volumes",
})
#: Lists a strategic merge patch merges by key (core/v1 Container patchMergeKey).
_MERGE_KEYS = {"env": "name", "volumeMounts": "mountPath", "ports": "containerPort",
               "volumeDevices": "devicePath", "resizePolicy": "resourceName"}


def helm_merge(base: Any, override: Any) -> Any:
    """Helm's values coalescing: maps merge recursively, null deletes, anything else replaces."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return copy.deepcopy(override)
    out = copy.deepcopy(base)
    for key, value in override.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = helm_merge(out.get(key), value)
    return out


def chart_storage_container(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """ClusterStorageContainer `default`'s spec as the v0.20.0 chart renders it from values."""
    kserve = (values or {}).get("kserve") or {}
    storage = helm_merge(CHART_STORAGE_DEFAULTS, kserve.get("storage") or {})
    version = kserve.get("version") or CHART_VERSION
    spec = copy.deepcopy(UNCONFIGURED_CSC)
    patch = {"image": f"{storage['image']}:{storage.get('tag') or version}",
             "resources": storage.get("resources"),
             # `{{- with }}` renders nothing for an empty context: the key is then null.
             "securityContext": storage.get("containerSecurityContext") or None}
    for key, value in patch.items():
        if value is None:
            spec["container"].pop(key, None)
        else:
            spec["container"][key] = helm_merge(spec["container"].get(key), value)
    return spec


def strategic_merge(base: dict[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """A core/v1 Container strategic merge: keyed lists merge by key, other lists replace."""
    out = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = strategic_merge(out[key], value)
        elif key in _MERGE_KEYS and isinstance(value, list) and isinstance(out.get(key), list):
            k = _MERGE_KEYS[key]
            merged = {item.get(k): item for item in out[key]}
            for item in value:
                merged[item.get(k)] = strategic_merge(merged.get(item.get(k), {}), item)
            out[key] = list(merged.values())
        else:
            out[key] = copy.deepcopy(value)
    return out


def storage_initializer(uri: str, csc: Mapping[str, Any] | None) -> dict[str, Any]:
    """The init container KServe injects to fetch `uri`, with the ClusterStorageContainer's
    container merged over the config's (None: no ClusterStorageContainer claims the URI)."""
    image = (csc or UNCONFIGURED_CSC)["container"].get("image", "")
    container = {"name": STORAGE_INITIALIZER, "image": image, "args": [uri, MODEL_MOUNT],
                 "terminationMessagePolicy": "FallbackToLogsOnError",
                 "resources": copy.deepcopy(_RESOURCES)}
    if csc is not None:
        container = strategic_merge(container, csc["container"])
        container["name"] = STORAGE_INITIALIZER
    container["volumeMounts"] = [*container.get("volumeMounts", []),
                                 {"name": PROVISION_VOLUME, "mountPath": MODEL_MOUNT}]
    return container


def _model_container(model: Mapping[str, Any]) -> dict[str, Any]:
    only_kserve = {"modelFormat", "runtime", "storageUri", "protocolVersion", "storage",
                   "runtimeVersion", "confidential"}
    container = {k: copy.deepcopy(v) for k, v in model.items() if k not in only_kserve}
    container["name"] = "kserve-container"
    return container


def predictor_pod(isvc: Mapping[str, Any], csc: Mapping[str, Any] | None,
                  agent_image: str = "kserve/agent:v0.20.0") -> dict[str, Any] | None:
    """The predictor's Pod, injected containers included (None without a predictor).

    `csc` is the ClusterStorageContainer spec the cluster has (`chart_storage_container`), or
    None to let the URI fall through to the injector's unmerged config container.
    """
    predictor = (isvc.get("spec") or {}).get("predictor")
    if not isinstance(predictor, dict):
        return None
    meta = isvc.get("metadata") or {}
    name = str(meta.get("name") or "inferenceservice")
    spec = {k: copy.deepcopy(v) for k, v in predictor.items() if k in POD_SPEC_FIELDS}
    containers = [c for c in spec.get("containers") or [] if isinstance(c, dict)]
    model = next((predictor[k] for k in FRAMEWORKS if isinstance(predictor.get(k), dict)), None)
    if model is not None:
        containers.insert(0, _model_container(model))
    uri = (model or {}).get("storageUri")
    if isinstance(uri, str) and not uri.startswith("pvc://"):
        claimed = csc if csc and uri_supported(uri, csc["supportedUriFormats"]) else None
        spec["initContainers"] = [*(spec.get("initContainers") or []),
                                  storage_initializer(uri, claimed)]
        spec["volumes"] = [*(spec.get("volumes") or []), {"name": PROVISION_VOLUME, "emptyDir": {}}]
        if containers:
            containers[0].setdefault("volumeMounts", []).append(
                {"name": PROVISION_VOLUME, "mountPath": MODEL_MOUNT, "readOnly": True})
    if isinstance(predictor.get("logger"), dict) and containers:
        containers.append({"name": "agent", "image": agent_image,
                           "securityContext": copy.deepcopy(containers[0].get("securityContext")),
                           "resources": copy.deepcopy(_RESOURCES),
                           "ports": [{"name": "agent-port", "containerPort": 9081,
                                      "protocol": "TCP"}]})
        if containers[-1]["securityContext"] is None:
            del containers[-1]["securityContext"]
    spec["containers"] = containers
    labels = {**(meta.get("labels") or {}), **(predictor.get("labels") or {}),
              "serving.kserve.io/inferenceservice": name, "component": "predictor"}
    metadata = {"name": f"{name}-predictor", "labels": labels,
                "annotations": dict(predictor.get("annotations") or {})}
    if meta.get("namespace"):
        metadata["namespace"] = meta["namespace"]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}
