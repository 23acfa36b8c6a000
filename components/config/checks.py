"""Checks that depend on more than one key or on the cloud; the loader runs each once.

They run even where other keys are structurally invalid, so one error lists every problem.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from medinfra.components.config.catalogue import (
    AWS_GPU_FAMILIES,
    GCP_ACCELERATORS,
    INSTANCE_FORMATS,
    aws_has_gpu,
    azure_has_gpu,
    gcp_accelerators,
    gcp_family,
)
from medinfra.components.config.constants import CLOUDS
from medinfra.components.config.problems import Problem
from medinfra.components.config.relations import (
    cluster_relations,
    model_relations,
    network_relations,
    pool_relations,
)
from medinfra.components.config.serving import Model, Serving
from medinfra.components.config.value_types import REGION_FORMATS, STORAGE_SCHEMES
from pydantic import BaseModel

#: Why a canary is refused outside Knative mode (also `medinfra promote canary`'s refusal).
CANARY_NEEDS_KNATIVE = (
    "a canary needs serving.deploymentMode: Knative, which splits traffic between revisions; "
    "{mode} mode cannot: KServe v0.20.0 ignores canaryTrafficPercent there (kserve#5335) and "
    "its Standard-mode spec.canary starts the canary beside prod without routing any traffic "
    "to it (weighted routes came after v0.20.0, kserve#5912, and need Gateway API, which this "
    "platform does not install) - promote the candidate straight to prod, or switch the mode")


def _default(model: type[BaseModel], field: str) -> Any:
    """A section field's default: the model is its one source."""
    return model.model_fields[field].default


def _gpu_pool_problems(cloud: str, i: int, pool: Mapping) -> list[Problem]:
    key = f"cluster.gpuPools[{i}]"
    itype = pool.get("instanceType")
    if not isinstance(itype, str):
        return []
    pattern, what = INSTANCE_FORMATS[cloud]
    if not pattern.match(itype):
        return [Problem(f"{key}.instanceType", itype, f"expected {what}")]
    if cloud == "aws" and not aws_has_gpu(itype):
        families = ", ".join(sorted(AWS_GPU_FAMILIES))
        return [
            Problem(
                f"{key}.instanceType", itype, f"has no NVIDIA GPU; use a GPU family ({families})"
            )
        ]
    if cloud == "azure" and not azure_has_gpu(itype):
        return [
            Problem(
                f"{key}.instanceType",
                itype,
                "has no GPU; use an N-series size (Standard_NC*, Standard_ND*, Standard_NV*)",
            )
        ]
    if cloud == "gcp":
        family = gcp_family(itype)
        offered = gcp_accelerators(itype)
        acc = pool.get("accelerator")
        if offered is None:
            return [
                Problem(
                    f"{key}.instanceType",
                    itype,
                    f"carries no GPU; use a family of {', '.join(sorted(GCP_ACCELERATORS))}",
                )
            ]
        if acc not in offered:
            problem = Problem(
                f"{key}.accelerator",
                acc,
                f"{family} machines offer {', '.join(sorted(offered))}",
                missing=acc is None,
            )
            return [problem]
    return []


def relation_problems(data: Mapping[str, Any]) -> list[Problem]:
    """The relations between fields of every section, at their keys in the stack file.

    `data` is alias-keyed: a validated config's dump (values as the sections read them) or,
    where the config does not validate, the raw input (then values of the wrong shape are skipped).
    """

    def at(prefix: str, found: list[tuple[str, Any, str]]) -> list[Problem]:
        return [Problem(f"{prefix}.{k}", v, msg) for k, v, msg in found]

    def mapping(v: Any) -> Mapping[str, Any]:
        return v if isinstance(v, Mapping) else {}

    def items(v: Any) -> list[Mapping[str, Any]]:
        return [x if isinstance(x, Mapping) else {} for x in v] if isinstance(v, list) else []

    cluster = mapping(data.get("cluster"))
    out = at("network", network_relations(mapping(data.get("network"))))
    out += at("cluster", cluster_relations(cluster))
    out += at("cluster.systemPool", pool_relations(mapping(cluster.get("systemPool"))))
    for i, pool in enumerate(items(cluster.get("gpuPools"))):
        out += at(f"cluster.gpuPools[{i}]", pool_relations(pool))
    for i, model in enumerate(items(data.get("models"))):
        out += at(f"models[{i}]", model_relations(model))
    return out


def _store_problems(raw: Mapping[str, Any], models: list) -> list[Problem]:
    """Store names are unique; retention applies to object stores; a model reads only DICOM or
    FHIR stores of this stack (its weights come from its storageUri)."""
    stores = raw.get("dataStores") if isinstance(raw.get("dataStores"), list) else []
    stores = [s for s in stores if isinstance(s, Mapping)]
    problems = []
    counts = Counter(s.get("name") for s in stores if isinstance(s.get("name"), str))
    for dup in sorted(n for n, k in counts.items() if k > 1):
        problems.append(Problem("dataStores", dup, "store names must be unique"))
    health = {s.get("name") for s in stores if s.get("kind") in ("dicom", "fhir")}
    for i, store in enumerate(stores):
        if store.get("kind") in ("dicom", "fhir") and store.get("retentionDays") is not None:
            problems.append(Problem(
                f"dataStores[{i}].retentionDays", store["retentionDays"],
                f"applies to objects stores only; a {store['kind']} store keeps what it holds "
                "until it is deleted"))
    for i, model in enumerate(models):
        names = model.get("dataStores") if isinstance(model, Mapping) else None
        for j, name in enumerate(names if isinstance(names, list) else []):
            if isinstance(name, str) and name not in health:
                allowed = ", ".join(sorted(n for n in health if isinstance(n, str))) or "none"
                problems.append(Problem(
                    f"models[{i}].dataStores[{j}]", name,
                    f"must name a dicom or fhir store of dataStores (this stack has: {allowed})"))
    return problems


def cross_field_problems(raw: Mapping[str, Any]) -> list[Problem]:
    """Checks that depend on more than one key (cloud, region, pools, models), on raw input."""
    return relation_problems(raw) + cloud_problems(raw)


def cloud_problems(raw: Mapping[str, Any]) -> list[Problem]:
    """Checks that depend on the cloud, or on several sections, on raw input.

    Runs even when other keys are structurally invalid, so one error lists everything. Every
    access is defensive: a value of the wrong shape is left to the structural validation.
    """
    problems: list[Problem] = []
    cloud = raw.get("cloud")
    if cloud not in CLOUDS:
        return problems
    region = raw.get("region")
    allowed = raw.get("allowedRegions")
    pattern, what = REGION_FORMATS[cloud]
    if isinstance(region, str) and not pattern.match(region):
        problems.append(Problem("region", region, f"expected {what}"))
    if isinstance(allowed, list):
        for i, r in enumerate(allowed):
            if isinstance(r, str) and not pattern.match(r):
                problems.append(Problem(f"allowedRegions[{i}]", r, f"expected {what}"))
        if isinstance(region, str) and region not in allowed:
            problems.append(
                Problem(
                    "region",
                    region,
                    f"must be one of allowedRegions {json.dumps(allowed)} (data residency)",
                )
            )
    cluster = raw.get("cluster") if isinstance(raw.get("cluster"), Mapping) else {}
    system = cluster.get("systemPool")
    if isinstance(system, Mapping) and isinstance(system.get("instanceType"), str):
        ipattern, iwhat = INSTANCE_FORMATS[cloud]
        if not ipattern.match(system["instanceType"]):
            problems.append(
                Problem(
                    "cluster.systemPool.instanceType", system["instanceType"], f"expected {iwhat}"
                )
            )
    pools = cluster.get("gpuPools") if isinstance(cluster.get("gpuPools"), list) else []
    names = [p.get("name") for p in pools if isinstance(p, Mapping)]
    # Counted once (linear): a long list must not make the check quadratic.
    counts = Counter(n for n in names if isinstance(n, str))
    for dup in sorted(n for n, k in counts.items() if k > 1):
        problems.append(Problem("cluster.gpuPools", dup, "pool names must be unique"))
    for i, pool in enumerate(pools):
        if isinstance(pool, Mapping):
            problems.extend(_gpu_pool_problems(cloud, i, pool))
    models = raw.get("models") if isinstance(raw.get("models"), list) else []
    scheme, scheme_what = STORAGE_SCHEMES[cloud]
    names = [m.get("name") for m in models if isinstance(m, Mapping)]
    # Counted once (linear): a long list must not make the check quadratic.
    counts = Counter(n for n in names if isinstance(n, str))
    for dup in sorted(n for n, k in counts.items() if k > 1):
        problems.append(Problem("models", dup, "model names must be unique"))
    serving = raw.get("serving") if isinstance(raw.get("serving"), Mapping) else {}
    if models and serving.get("storageInitializerDigest") is None:
        problems.append(Problem(
            "serving.storageInitializerDigest", None,
            "required when models are configured: the sha256:<64 hex> digest of KServe's "
            "storage-initializer image mirrored into this stack's registry", missing=True))
    if models and serving.get("kserveChartDigests") is None:
        problems.append(Problem(
            "serving.kserveChartDigests", None,
            "required when models are configured: {kserveCrd, kserveResources}, the sha256 "
            "digests of KServe's OCI charts at the pinned version", missing=True))
    problems.extend(_store_problems(raw, models))
    for i, model in enumerate(models):
        if not isinstance(model, Mapping):
            continue
        versions = model.get("versions") if isinstance(model.get("versions"), list) else []
        uris = [("storageUri", model.get("storageUri"))] + [
            (f"versions[{j}].storageUri", v.get("storageUri"))
            for j, v in enumerate(versions) if isinstance(v, Mapping)]
        for key, uri in uris:
            if isinstance(uri, str) and not uri.lower().startswith(("http://", scheme)):
                problems.append(
                    Problem(f"models[{i}].{key}", uri, f"on {cloud} expected {scheme_what}")
                )
        mode = serving.get("deploymentMode", _default(Serving, "deployment_mode"))
        for j, v in enumerate(versions):
            if isinstance(v, Mapping) and v.get("stage") == "canary" and mode != "Knative":
                problems.append(Problem(
                    f"models[{i}].versions[{j}].stage", "canary", CANARY_NEEDS_KNATIVE.format(
                        mode=mode)))
        if model.get("canaryPercent") is not None and mode != "Knative":
            problems.append(Problem(
                f"models[{i}].canaryPercent", model["canaryPercent"],
                f"canary traffic needs serving.deploymentMode: Knative; {mode} mode ignores it "
                "(kserve#5335) - remove canaryPercent or switch the mode"))
        gpu = model.get("gpu", _default(Model, "gpu"))
        if isinstance(gpu, int) and gpu > 0 and not pools:
            problems.append(
                Problem(
                    f"models[{i}].gpu",
                    gpu,
                    "needs a GPU node pool; add cluster.gpuPools or set gpu: 0",
                )
            )
    return problems
