"""What KServe v0.20.0 refuses in an InferenceService, as pure functions over the manifest.

Ported from kserve/kserve@v0.20.0 (commit 1fb7810): the validating webhook
(`pkg/apis/serving/v1beta1/inference_service_validation.go`, `component.go`, `predictor.go`,
`pkg/validation/env_policy.go`) and the reconciler's storage-URI check
(`pkg/controller/v1beta1/inferenceservice/utils/utils.go: ValidateStorageURI`). Messages are
KServe's own, so a refusal here reads like the one the cluster would give. The webhook stops at
its first error; these functions report every rule that fails, in the webhook's order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

KSERVE_SOURCE = "kserve/kserve v0.20.0 (1fb781055dd1567164358233e1125142ca6ef1fe)"
DEPLOYMENT_MODE = "serving.kserve.io/deploymentMode"
AUTOSCALER_CLASS = "serving.kserve.io/autoscalerClass"
KNATIVE_CLASS = "autoscaling.knative.dev/class"
KNATIVE_HPA = "hpa.autoscaling.knative.dev"
ISVC_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
AUTOSCALER_CLASSES = ("hpa", "external", "keda", "none")
HPA_METRICS = ("cpu", "memory")
KPA_METRICS = ("concurrency", "rps")
LOGGER_MODES = ("all", "request", "response")
BLOCKED_ENV = ("PYTHONPATH",)
#: PredictorSpec's framework fields (json name -> Go name) in struct order.
FRAMEWORKS = {"sklearn": "SKLearn", "xgboost": "XGBoost", "tensorflow": "Tensorflow",
              "pytorch": "PyTorch", "triton": "Triton", "onnx": "ONNX",
              "huggingface": "HuggingFace", "pmml": "PMML", "lightgbm": "LightGBM",
              "paddle": "Paddle", "model": "Model"}
# ExactlyOneErrorFor lists every PredictorSpec field but the last (ComponentExtensionSpec).
_PREDICTOR_FIELDS = ("Name", *FRAMEWORKS.values(), "StorageUris", "StorageContainerName",
                     "WorkerSpec", "PodSpec")
#: The reconciler's fallback when no ClusterStorageContainer claims a URI.
STORAGE_PREFIXES = ("gs://", "s3://", "pvc://", "file://", "https://", "http://", "hdfs://",
                    "webhdfs://", "oci://", "oci+native://", "hf://")
AZURE_BLOB = re.compile(r"https://(.+?).blob.core.windows.net/(.+)")
NAME_MSG = ("the InferenceService \"{}\" is invalid: a InferenceService name must consist of "
            "lower case alphanumeric characters or '-', and must start with alphabetical "
            "character. (e.g. \"my-name\" or \"abc-123\", regex used for validation is "
            "'[a-z]([-a-z0-9]*[a-z0-9])?')")
NAME_IN_PREDICTOR = "the 'name' field is not allowed in standard predictor"
UTILIZATION = "the target utilization percentage should be a [1-100] integer"
STORAGE_URI_MSG = ("storageUri, must be one of: [{}] or match "
                   "https://{{}}.blob.core.windows.net/{{}}/{{}} or be an absolute or relative "
                   "local path. StorageUri [{}] is not supported")

Check = Callable[[Mapping[str, Any]], list[str]]


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _components(isvc: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    spec = _obj(isvc.get("spec"))
    return [(c, spec[c]) for c in ("predictor", "transformer", "explainer")
            if isinstance(spec.get(c), dict)]


def check_name(isvc: Mapping[str, Any]) -> list[str]:
    """validateInferenceServiceName: a DNS-1035-like name (it becomes hostnames)."""
    name = str(_obj(isvc.get("metadata")).get("name", ""))
    return [] if ISVC_NAME.match(name) else [NAME_MSG.format(name)]


def check_autoscaler_class(isvc: Mapping[str, Any]) -> list[str]:
    """validateInferenceServiceAutoscaler: only KServe's autoscaler classes."""
    annotations = _obj(_obj(isvc.get("metadata")).get("annotations"))
    value = annotations.get(AUTOSCALER_CLASS)
    if value is None or value in AUTOSCALER_CLASSES:
        return []
    return [f"[{value}] is not a supported autoscaler class type"]


def check_blocked_env(isvc: Mapping[str, Any]) -> list[str]:
    """validateBlockedEnvVars: PYTHONPATH would let a spec load code into the model server."""
    name = _obj(isvc.get("metadata")).get("name", "")
    out = []
    for _, part in _components(isvc):
        containers = [*(part.get("containers") or []), *(part.get("initContainers") or [])]
        containers += [v for k, v in part.items() if k in FRAMEWORKS and isinstance(v, dict)]
        for c in filter(lambda c: isinstance(c, dict), containers):
            for env in c.get("env") or []:
                if isinstance(env, dict) and env.get("name") in BLOCKED_ENV:
                    out.append(f"the InferenceService \"{name}\" is invalid: setting "
                               f"{env['name']} in container \"{c.get('name', '')}\" is not "
                               "allowed for security reasons")
    return out


def check_predictor_name(isvc: Mapping[str, Any]) -> list[str]:
    """validatePredictor: no `name` on predictor.model or any framework spec."""
    predictor = _obj(_obj(isvc.get("spec")).get("predictor"))
    named = any(_obj(predictor.get(k)).get("name") for k in FRAMEWORKS)
    return [NAME_IN_PREDICTOR] if named else []


def _implementations(part: Mapping[str, Any]) -> int:
    count = sum(isinstance(part.get(k), dict) for k in FRAMEWORKS)
    containers = [c for c in part.get("containers") or [] if isinstance(c, dict)]
    custom = sum(c.get("name") == "kserve-container" for c in containers)
    return count + custom + (1 if containers and count + custom == 0 else 0)


def check_exactly_one_implementation(isvc: Mapping[str, Any]) -> list[str]:
    """validateExactlyOneImplementation, for the predictor (the component we render)."""
    predictor = _obj(_obj(isvc.get("spec")).get("predictor"))
    if _implementations(predictor) == 1:
        return []
    return [f"exactly one of [{', '.join(_PREDICTOR_FIELDS)}] must be specified in PredictorSpec"]


def _replicas(low: Any, high: Any) -> list[str]:
    if not (isinstance(low, int) and isinstance(high, int)):
        return []  # not known yet (preview); the CRD schema types them
    if low < 0:
        return ["'MinReplicas' cannot be less than 0"]
    if high < 0:
        return ["'MaxReplicas' cannot be less than 0"]
    if low > high and high != 0:
        return ["'MinReplicas' cannot be greater than MaxReplicas"]
    return []


def check_extensions(isvc: Mapping[str, Any]) -> list[str]:
    """ComponentExtensionSpec.Validate: concurrency, replica bounds, logger."""
    out = []
    for _, part in _components(isvc):
        concurrency = part.get("containerConcurrency")
        if isinstance(concurrency, int) and concurrency < 0:
            out.append("parallelism cannot be less than 0")
        out += _replicas(part.get("minReplicas", 1), part.get("maxReplicas", 0))
        logger = part.get("logger")
        if isinstance(logger, dict):
            if logger.get("mode", "all") not in LOGGER_MODES:
                out.append("invalid logger type")
            storage = logger.get("storage")
            if isinstance(storage, dict) and not all(
                    storage.get(k) is not None for k in ("path", "parameters", "key")):
                out.append("invalid logger storage configuration")
    return out


def _hpa(part: Mapping[str, Any]) -> list[str]:
    metric, target = part.get("scaleMetric", "cpu"), part.get("scaleTarget")
    if metric not in HPA_METRICS:
        return [f"[{metric}] is not a supported metric"]
    # Go precedence: `metric == cpu && target < 1 || target > 100`, so >100 fails any metric.
    if isinstance(target, int) and ((metric == "cpu" and target < 1) or target > 100):
        return [UTILIZATION]
    if isinstance(target, int) and metric == "memory" and target < 1:
        return ["the target memory should be greater than 1 MiB"]
    for m in _obj(part.get("autoScaling")).get("metrics") or []:
        if m.get("type") != "Resource":
            return [f"invalid HPA metric source type with value [{m.get('type')}],valid metric "
                    "source types are Resource"]
        if not m.get("resource"):
            return ["metricSpec.Resource is not set for resource metric source type"]
    return []


def _kpa(part: Mapping[str, Any]) -> list[str]:
    if part.get("deploymentStrategy") is not None:
        return ["customizing deploymentStrategy is only supported for raw deployment mode"]
    metric, target = part.get("scaleMetric", "concurrency"), part.get("scaleTarget")
    if metric not in KPA_METRICS:
        return [f"[{metric}] is not a supported metric"]
    if metric == "rps" and isinstance(target, int) and target < 1:
        return ["the target for rps should be greater than 1"]
    return []


def check_autoscaling(isvc: Mapping[str, Any]) -> list[str]:
    """validateAutoScalingCompExtension: per deployment mode and autoscaler class.

    In Standard mode only an explicit hpa/keda class is checked (as KServe does); every other
    mode is Knative, checked as KPA unless Knative's own class annotation selects HPA.
    """
    annotations = _obj(_obj(isvc.get("metadata")).get("annotations"))
    mode, out = annotations.get(DEPLOYMENT_MODE), []
    for _, part in _components(isvc):
        if mode == "Standard":
            if annotations.get(AUTOSCALER_CLASS) == "hpa":
                out += _hpa(part)
            elif annotations.get(AUTOSCALER_CLASS) == "keda" and "scaleMetric" in part:
                out.append("ScaleMetric is not supported for KEDA")
        elif annotations.get(KNATIVE_CLASS) == KNATIVE_HPA:
            out += _hpa(part)
        else:
            out += _kpa(part)
    return out


def check_canary(isvc: Mapping[str, Any]) -> list[str]:
    """validateCanarySpecs: the `spec.canary` list (not predictor.canaryTrafficPercent)."""
    spec = _obj(isvc.get("spec"))
    canaries = [c for c in spec.get("canary") or [] if isinstance(c, dict)]
    if not canaries:
        return []
    mode = _obj(_obj(isvc.get("metadata")).get("annotations")).get(DEPLOYMENT_MODE)
    if mode != "Standard":
        return ["canary is only supported in Standard deployment mode"]
    stable, names, out, total = _obj(spec.get("predictor")).get("name"), set(), [], 0
    for i, canary in enumerate(canaries):
        name = _obj(canary.get("predictor")).get("name") or ""
        percent = canary.get("trafficPercent", 0)
        if not name:
            out.append(f"canary[{i}] predictor.name is required")
        elif name in names:
            out.append(f"canary predictor.name \"{name}\" is duplicated")
        elif name == stable:
            out.append(f"canary predictor.name \"{name}\" conflicts with stable predictor name")
        elif not 0 <= percent <= 100:
            out.append(f"canary \"{name}\" trafficPercent must be between 0 and 100, "
                       f"got {percent}")
        names.add(name)
        total += percent
    if total > 100:
        out.append(f"sum of canary trafficPercent values ({total}) must be <= 100")
    return out


def uri_supported(uri: str, formats: list[Mapping[str, str]]) -> bool:
    """StorageContainerSpec.IsStorageUriSupported: a prefix, or a regex matched anywhere."""
    return any(uri.startswith(f["prefix"]) if "prefix" in f else bool(re.search(f["regex"], uri))
               for f in formats)


def check_storage_uri(isvc: Mapping[str, Any],
                      formats: list[Mapping[str, str]] = ()) -> list[str]:
    """ValidateStorageURI (reconciler): a ClusterStorageContainer or the fallback must claim it.

    Not the webhook: the object is stored, but the predictor never reconciles.
    """
    out = []
    for _, part in _components(isvc):
        for key in FRAMEWORKS:
            uri = _obj(part.get(key)).get("storageUri")
            if not isinstance(uri, str) or uri_supported(uri, list(formats)):
                continue
            if not re.search(r"\w+?://", uri):
                continue
            if AZURE_BLOB.search(uri) if "blob.core.windows.net" in uri else uri.startswith(
                    STORAGE_PREFIXES):
                continue
            out.append(STORAGE_URI_MSG.format(", ".join(STORAGE_PREFIXES), uri))
    return out


#: In the webhook's order; check_storage_uri runs separately (it needs the install's formats).
WEBHOOK_CHECKS: tuple[Check, ...] = (
    check_name, check_autoscaler_class, check_blocked_env, check_predictor_name,
    check_exactly_one_implementation, check_extensions, check_autoscaling, check_canary,
)


def kserve_rejections(isvc: Mapping[str, Any],
                      storage_formats: list[Mapping[str, str]] = ()) -> list[str]:
    """Every reason KServe v0.20.0 would refuse (or never reconcile) this InferenceService."""
    out = [msg for check in WEBHOOK_CHECKS for msg in check(isvc)]
    return out + check_storage_uri(isvc, storage_formats)
