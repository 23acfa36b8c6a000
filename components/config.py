"""Typed, validated stack config: `PlatformConfig`, read from the `medinfra` config namespace.

A stack file describes one platform (cloud, region, data classification, GPU pools, models).
`load_platform_config` validates all of it at once and raises a single `ConfigError` that lists
every bad key with its value and what is allowed, so a user fixes their stack file in one pass.
Secure settings have secure defaults; nothing here can switch off encryption or scanning.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal

import pulumi
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

NAMESPACE = "medinfra"
CLOUDS = ("aws", "azure", "gcp")
SECRET_MARK = "[secret]"

# -- value types ---------------------------------------------------------------------------


def _cidr(value: str) -> str:
    try:
        net = ipaddress.IPv4Network(value, strict=True)
    except (ValueError, TypeError):
        raise ValueError("not a valid IPv4 CIDR block; expected e.g. 10.40.0.0/16") from None
    return str(net)


def _private_cidr(value: str) -> str:
    value = _cidr(value)
    net = ipaddress.IPv4Network(value)
    if not (net.is_private or net.subnet_of(ipaddress.IPv4Network("100.64.0.0/10"))):
        raise ValueError("must be a private range (10/8, 172.16/12, 192.168/16 or 100.64/10)")
    return value


def _network_cidr(value: str) -> str:
    value = _private_cidr(value)
    if not 16 <= ipaddress.IPv4Network(value).prefixlen <= 22:
        raise ValueError("must be a /16 to /22 range so every zone gets usable subnets")
    return value


Cidr = Annotated[str, AfterValidator(_cidr)]
NetworkCidr = Annotated[str, AfterValidator(_network_cidr)]
PrivateCidr = Annotated[str, AfterValidator(_private_cidr)]
Label = Annotated[str, Field(pattern=r"^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$")]
NonEmpty = Annotated[str, Field(min_length=1, max_length=256)]
Quantity = Annotated[str, Field(pattern=r"^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$")]


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
    )


# -- relations between fields (pure, on alias-keyed mappings, defensive about shapes) --------


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _net(v: Any) -> ipaddress.IPv4Network | None:
    try:
        return ipaddress.IPv4Network(v, strict=True) if isinstance(v, str) else None
    except ValueError:
        return None


def pool_relations(pool: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    """minSize <= desiredSize <= maxSize."""
    lo, hi, want = (_int(pool.get(k)) for k in ("minSize", "maxSize", "desiredSize"))
    out = []
    if lo is not None and hi is not None and lo > hi:
        out.append(("minSize", lo, f"must be <= maxSize ({hi})"))
    elif want is not None and lo is not None and hi is not None and not lo <= want <= hi:
        out.append(("desiredSize", want, f"must be within minSize..maxSize ({lo}..{hi})"))
    return out


def network_relations(net: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    """The VPC, service and pod ranges must not overlap."""
    names = ("cidr", "serviceCidr", "podCidr")
    defaults = dict(zip(names, ("10.40.0.0/16", "172.20.0.0/16", "100.64.0.0/14"), strict=True))
    nets = {n: _net(net.get(n, defaults[n])) for n in names}
    out = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if nets[a] and nets[b] and nets[a].overlaps(nets[b]):
                out.append((b, str(nets[b]), f"overlaps {a} {nets[a]}; ranges must be disjoint"))
    return out


def cluster_relations(cluster: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    """Opening the API endpoint takes the flag *and* a non-empty allow-list without 0.0.0.0/0."""
    public = cluster.get("endpointPublicAccess") is True
    cidrs = cluster.get("publicAccessCidrs")
    cidrs = cidrs if isinstance(cidrs, list) else []
    out = []
    if public and not cidrs:
        out.append(
            ("publicAccessCidrs", cidrs, "endpointPublicAccess: true needs a non-empty allow-list")
        )
    for i, c in enumerate(cidrs):
        n = _net(c)
        if n is not None and n.prefixlen == 0:
            out.append((f"publicAccessCidrs[{i}]", c, "0.0.0.0/0 is never allowed"))
    if cidrs and not public:
        out.append(("publicAccessCidrs", cidrs, "is set but endpointPublicAccess is false"))
    return out


def model_relations(model: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    """minReplicas <= maxReplicas; no plain-http model URIs."""
    out = []
    lo, hi = _int(model.get("minReplicas")), _int(model.get("maxReplicas", 3))
    if lo is not None and hi is not None and lo > hi:
        out.append(("minReplicas", lo, f"must be <= maxReplicas ({hi})"))
    uri = model.get("storageUri")
    if isinstance(uri, str) and uri.lower().startswith("http://"):
        out.append(("storageUri", uri, "plain http is not allowed (encrypt data in transit)"))
    return out


def _check(model: BaseModel, relations) -> None:
    found = relations(model.model_dump(by_alias=True))
    if found:
        raise PydanticCustomError(
            "medinfra_relation", "; ".join(f"{k}: {msg}" for k, _, msg in found)
        )


# -- sections ------------------------------------------------------------------------------


class Tags(_Model):
    """Tags every taggable resource carries. `owner` and `costCenter` are required."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        frozen=True,
        use_attribute_docstrings=True,
    )

    owner: NonEmpty
    """Team accountable for the platform."""
    cost_center: NonEmpty
    """Cost center billed for it."""

    @model_validator(mode="after")
    def _extra_tags_are_strings(self) -> Tags:
        for key, value in (self.model_extra or {}).items():
            if not isinstance(value, str):
                raise ValueError(f"tag {key!r} must be a string, got {json.dumps(value)}")
        return self

    def as_dict(self) -> dict[str, str]:
        return {"owner": self.owner, "costCenter": self.cost_center, **(self.model_extra or {})}


class Network(_Model):
    """Address space of the platform network. Every range must be private and disjoint."""

    cidr: NetworkCidr = "10.40.0.0/16"
    """VPC/VNet range (/16 to /22)."""
    service_cidr: PrivateCidr = "172.20.0.0/16"
    """Kubernetes service range."""
    pod_cidr: PrivateCidr = "100.64.0.0/14"
    """Kubernetes pod range (GKE secondary range)."""
    availability_zones: int | None = Field(default=None, ge=2, le=6)
    """Zones to spread over; default 3 in prod, 2 elsewhere."""

    @model_validator(mode="after")
    def _disjoint(self) -> Network:
        _check(self, network_relations)
        return self


class NodePool(_Model):
    """A managed node pool: machine type and autoscaling bounds."""

    instance_type: NonEmpty
    """EC2 instance type, Azure VM size or GCE machine type."""
    min_size: int = Field(default=2, ge=0, le=1000)
    """Fewest nodes."""
    max_size: int = Field(default=4, ge=1, le=1000)
    """Most nodes."""
    desired_size: int | None = Field(default=None, ge=0, le=1000)
    """Nodes at creation; default minSize."""
    disk_size_gb: int = Field(default=100, ge=20, le=16384)
    """Encrypted root volume size."""

    @model_validator(mode="after")
    def _bounds(self) -> NodePool:
        _check(self, pool_relations)
        return self

    @property
    def desired(self) -> int:
        return self.min_size if self.desired_size is None else self.desired_size


class GpuPool(NodePool):
    """A GPU node pool. `accelerator` is required on GCP (the GPU attached to each node)."""

    name: Label
    """Pool name (lowercase label)."""
    min_size: int = Field(default=0, ge=0, le=1000)
    """Fewest nodes (0 lets an idle pool scale to zero)."""
    max_size: int = Field(default=2, ge=1, le=1000)
    """Most nodes."""
    disk_size_gb: int = Field(default=200, ge=50, le=16384)
    """Encrypted root volume size (model images are large)."""
    accelerator: str | None = None
    """GPU type, required on GCP (e.g. nvidia-l4); implied by the instance type elsewhere."""


class Cluster(_Model):
    """The GPU Kubernetes cluster. The API endpoint is private unless explicitly opened."""

    kubernetes_version: str = Field(default="1.33", pattern=r"^1\.\d{2}$")
    """Kubernetes minor version."""
    system_pool: NodePool | None = None
    """Pool for system add-ons; defaults per cloud."""
    gpu_pools: list[GpuPool] = Field(default_factory=list)
    """GPU node pools, tainted nvidia.com/gpu so only GPU workloads land there."""
    # Opening the API endpoint takes this flag *and* a non-empty allow-list (never 0.0.0.0/0).
    endpoint_public_access: bool = False
    """Expose the Kubernetes API beyond the private network (CIS: keep false)."""
    public_access_cidrs: list[Cidr] = Field(default_factory=list)
    """Who may reach a public API endpoint; required when it is public."""

    @model_validator(mode="after")
    def _public_endpoint_needs_allow_list(self) -> Cluster:
        _check(self, cluster_relations)
        return self


class Registry(_Model):
    """The container/model image registry (always immutable tags, scan on push, CMK)."""

    name: Label = "models"
    """Repository name."""
    keep_images: int = Field(default=30, ge=1, le=1000)
    """Images kept per repository by the lifecycle policy."""


class DataStore(_Model):
    """An encrypted, private, versioned object store."""

    name: Label
    """Store name (lowercase label)."""
    purpose: Literal["models", "data", "logs"] = "data"
    """What the store holds."""
    # HIPAA 164.316(b)(2): PHI stores keep objects locked for six years unless told otherwise.
    retention_days: int | None = Field(default=None, ge=1, le=36500)
    """Object-lock retention; default six years on PHI stacks."""


class ModelApproval(_Model):
    """Who approved a model version for clinical use, and under which ticket."""

    ticket: NonEmpty
    """Change/approval ticket."""
    approved_by: NonEmpty
    """Who approved the model for clinical use."""


class Model(_Model):
    """A model version to serve with KServe."""

    name: Label
    version: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    storage_uri: NonEmpty
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    format: Literal[
        "pytorch",
        "onnx",
        "tensorflow",
        "triton",
        "sklearn",
        "xgboost",
        "lightgbm",
        "huggingface",
    ]
    runtime: str | None = None
    image_digest: Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]
    """Digest (sha256:<64 hex>) of the model-server image in this stack's registry. Pods run
    the image by digest, never by a mutable tag."""
    gpu: int = Field(default=1, ge=0, le=16)
    cpu: Quantity = "2"
    memory: Quantity = "8Gi"
    canary_percent: int | None = Field(default=None, ge=0, le=100)
    min_replicas: int | None = Field(default=None, ge=0, le=100)
    max_replicas: int = Field(default=3, ge=1, le=100)
    approval: ModelApproval | None = None

    @model_validator(mode="after")
    def _replicas(self) -> Model:
        _check(self, model_relations)
        return self


class Serving(_Model):
    """How KServe serves models on this stack."""

    # Standard (plain Deployments + HPA) needs no Knative/Istio; Knative adds scale-to-zero and
    # canary traffic splitting. A service's mode cannot change after creation.
    deployment_mode: Literal["Standard", "Knative"] = "Standard"
    """KServe deployment mode (Standard, formerly RawDeployment; Knative, formerly Serverless)."""
    storage_initializer_digest: Annotated[
        str | None, Field(pattern=r"^sha256:[0-9a-f]{64}$")
    ] = None
    """Digest (sha256:<64 hex>) of KServe's storage-initializer image, mirrored into this
    stack's registry. It runs as an init container in every model pod (it fetches the weights),
    so it is pinned like the model-server image; required when models are configured."""


class CheckovSelection(_Model):
    """Which Checkov checks the gate runs on this stack."""

    checks: list[Annotated[str, Field(pattern=r"^CKV2?_(MED_)?[A-Z0-9*]+(_[0-9*]+)?$")]] = Field(
        default_factory=list
    )
    """Check ids (or Checkov globs such as CKV_AWS_*) to run; empty runs every check."""
    skip_checks: list[Annotated[str, Field(pattern=r"^CKV2?_(MED_)?[A-Z0-9]+_\d+$")]] = Field(
        default_factory=list
    )
    """Check ids not to run. On PHI stacks a check of our control families always runs (the
    skip is ignored and reported); exceptions for one resource are waivers."""


class PolicySettings(_Model):
    """How this stack's policy gate enforces rules."""

    enforcement: dict[
        Annotated[str, Field(pattern=r"^(MED-[A-Z]{2,5}-\d{3}|CKV2?_(MED_)?[A-Z0-9]+_\d+)$")],
        Literal["mandatory", "advisory"],
    ] = Field(default_factory=dict)
    """Rule id -> mandatory|advisory. On PHI stacks a rule is never made weaker than its
    default (such an override is ignored and reported)."""
    allowed_external_keys: list[NonEmpty] = Field(default_factory=list)
    """Customer-managed keys from outside this stack (ARNs, Key Vault key URIs, Cloud KMS key
    names) that may encrypt its data; every other key must be created by the stack."""
    min_log_retention_days: int = Field(default=365, ge=1, le=3653)
    """Shortest retention the gate accepts for log groups, workspaces and log buckets."""
    checkov: CheckovSelection = Field(default_factory=CheckovSelection)
    """Checkov check selection."""


_DEFAULT_SYSTEM_POOL = {"aws": "m6i.large", "azure": "Standard_D4s_v5", "gcp": "e2-standard-4"}


class PlatformConfig(_Model):
    """Everything one stack says about its platform (the `medinfra:*` config keys)."""

    cloud: Literal["aws", "azure", "gcp"]
    """Cloud to deploy to."""
    environment: Literal["dev", "staging", "prod"]
    """Environment; prod gets three zones, HA replicas and stricter settings."""
    region: NonEmpty
    """Region of every regional resource; must be one of allowedRegions."""
    data_classification: Literal["phi", "deidentified", "public"] = "phi"
    """Data the stack handles; PHI (the default) turns on object lock and retention."""
    allowed_regions: list[NonEmpty] = Field(min_length=1)
    """Regions data may live in (GDPR Art.44-49 data residency)."""
    tags: Tags
    """Tags for every taggable resource; owner and costCenter are required."""
    network: Network = Field(default_factory=Network)
    """Private address space of the platform."""
    cluster: Cluster = Field(default_factory=Cluster)
    """GPU Kubernetes cluster: version, system pool, GPU pools, API endpoint exposure."""
    registry: Registry = Field(default_factory=Registry)
    """Container/model image registry."""
    data_stores: list[DataStore] = Field(
        default_factory=lambda: [DataStore(name="models", purpose="models")]
    )
    """Encrypted object stores; the default is one store for model artifacts."""
    models: list[Model] = Field(default_factory=list)
    """Model versions to serve with KServe."""
    serving: Serving = Field(default_factory=Serving)
    """Model serving settings (KServe deployment mode)."""
    policy: PolicySettings = Field(default_factory=PolicySettings)
    """Policy gate settings for this stack (enforcement overrides)."""

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def availability_zones(self) -> int:
        """AZ count: as configured, else 3 in prod and 2 elsewhere."""
        return self.network.availability_zones or (3 if self.is_prod else 2)

    @property
    def system_pool(self) -> NodePool:
        return self.cluster.system_pool or NodePool(instance_type=_DEFAULT_SYSTEM_POOL[self.cloud])

    def min_replicas(self, model: Model) -> int:
        """Minimum replicas: as configured, else 2 in prod (no single point of failure)."""
        if model.min_replicas is not None:
            return model.min_replicas
        return min(2 if self.is_prod else 1, model.max_replicas)

    def retention_days(self, store: DataStore) -> int | None:
        """Object-lock retention: as configured, else six years for PHI, none otherwise."""
        if store.retention_days is not None:
            return store.retention_days
        return 6 * 365 if self.data_classification == "phi" else None


# -- cloud-specific and cross-field checks --------------------------------------------------

_REGION = {
    "aws": (re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$"), "an AWS region such as us-east-1"),
    "azure": (re.compile(r"^[a-z]+[a-z0-9]*$"), "an Azure region such as westeurope"),
    "gcp": (re.compile(r"^[a-z]+-[a-z]+\d+$"), "a GCP region such as europe-west4"),
}
_INSTANCE = {
    "aws": (re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$"), "an EC2 instance type such as g5.2xlarge"),
    "azure": (
        re.compile(r"^Standard_[A-Za-z0-9_]+$"),
        "an Azure VM size such as Standard_NC4as_T4_v3",
    ),
    "gcp": (re.compile(r"^[a-z][a-z0-9]*-[a-z0-9-]+$"), "a GCE machine type such as g2-standard-8"),
}
#: NVIDIA GPU instance families per cloud (what `nvidia.com/gpu` can schedule on).
AWS_GPU_FAMILIES = frozenset(
    {"g4dn", "g5", "g5g", "g6", "g6e", "gr6", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en"}
)
#: Azure VM sizes with an NVIDIA GPU (N-series: NC, ND, NV).
AZURE_GPU_SIZES = re.compile(r"^Standard_N(C|D|V)[A-Za-z0-9_]*$")
#: GCP machine family -> accelerators it can carry.
GCP_ACCELERATORS = {
    "n1": frozenset(
        {"nvidia-tesla-t4", "nvidia-tesla-v100", "nvidia-tesla-p4", "nvidia-tesla-p100"}
    ),
    "g2": frozenset({"nvidia-l4"}),
    "a2": frozenset({"nvidia-tesla-a100", "nvidia-a100-80gb"}),
    "a3": frozenset({"nvidia-h100-80gb", "nvidia-h100-mega-80gb"}),
}
_STORAGE_SCHEMES = {
    "aws": ("s3://", "an s3:// URI"),
    "gcp": ("gs://", "a gs:// URI"),
    "azure": ("https://", "an https://<account>.blob.core.windows.net/... URI"),
}


@dataclass(frozen=True)
class Problem:
    """One bad config value: where it is, what it was, and what is allowed."""

    key: str
    value: Any
    allowed: str
    missing: bool = False

    def render(self) -> str:
        if self.missing:
            return f"{NAMESPACE}:{self.key}: missing; {self.allowed}"
        shown = self.value if self.value == SECRET_MARK else json.dumps(self.value, default=str)
        return f"{NAMESPACE}:{self.key}: got {shown}; {self.allowed}"


def _gpu_pool_problems(cloud: str, i: int, pool: Mapping) -> list[Problem]:
    key = f"cluster.gpuPools[{i}]"
    itype = pool.get("instanceType")
    if not isinstance(itype, str):
        return []
    pattern, what = _INSTANCE[cloud]
    if not pattern.match(itype):
        return [Problem(f"{key}.instanceType", itype, f"expected {what}")]
    if cloud == "aws" and itype.split(".")[0] not in AWS_GPU_FAMILIES:
        families = ", ".join(sorted(AWS_GPU_FAMILIES))
        return [
            Problem(
                f"{key}.instanceType", itype, f"has no NVIDIA GPU; use a GPU family ({families})"
            )
        ]
    if cloud == "azure" and not AZURE_GPU_SIZES.match(itype):
        return [
            Problem(
                f"{key}.instanceType",
                itype,
                "has no GPU; use an N-series size (Standard_NC*, Standard_ND*, Standard_NV*)",
            )
        ]
    if cloud == "gcp":
        family = itype.split("-")[0]
        offered = GCP_ACCELERATORS.get(family)
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


def _relation_problems(raw: Mapping[str, Any]) -> list[Problem]:
    def at(prefix: str, found: list[tuple[str, Any, str]]) -> list[Problem]:
        return [Problem(f"{prefix}.{k}", v, msg) for k, v, msg in found]

    def mapping(v: Any) -> Mapping[str, Any]:
        return v if isinstance(v, Mapping) else {}

    def items(v: Any) -> list[Mapping[str, Any]]:
        return [x if isinstance(x, Mapping) else {} for x in v] if isinstance(v, list) else []

    cluster = mapping(raw.get("cluster"))
    out = at("network", network_relations(mapping(raw.get("network"))))
    out += at("cluster", cluster_relations(cluster))
    out += at("cluster.systemPool", pool_relations(mapping(cluster.get("systemPool"))))
    for i, pool in enumerate(items(cluster.get("gpuPools"))):
        out += at(f"cluster.gpuPools[{i}]", pool_relations(pool))
    for i, model in enumerate(items(raw.get("models"))):
        out += at(f"models[{i}]", model_relations(model))
    return out


def cross_field_problems(raw: Mapping[str, Any]) -> list[Problem]:
    """Checks that depend on more than one key (cloud, region, pools, models), on raw input.

    Runs even when other keys are structurally invalid, so one error lists everything. Every
    access is defensive: a value of the wrong shape is left to the structural validation.
    """
    problems = _relation_problems(raw)
    cloud = raw.get("cloud")
    if cloud not in CLOUDS:
        return problems
    region = raw.get("region")
    allowed = raw.get("allowedRegions")
    pattern, what = _REGION[cloud]
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
        ipattern, iwhat = _INSTANCE[cloud]
        if not ipattern.match(system["instanceType"]):
            problems.append(
                Problem(
                    "cluster.systemPool.instanceType", system["instanceType"], f"expected {iwhat}"
                )
            )
    pools = cluster.get("gpuPools") if isinstance(cluster.get("gpuPools"), list) else []
    names = [p.get("name") for p in pools if isinstance(p, Mapping)]
    counts = Counter(n for n in names if isinstance(n, str))
    for dup in sorted(n for n, k in counts.items() if k > 1):
        problems.append(Problem("cluster.gpuPools", dup, "pool names must be unique"))
    for i, pool in enumerate(pools):
        if isinstance(pool, Mapping):
            problems.extend(_gpu_pool_problems(cloud, i, pool))
    models = raw.get("models") if isinstance(raw.get("models"), list) else []
    scheme, scheme_what = _STORAGE_SCHEMES[cloud]
    names = [m.get("name") for m in models if isinstance(m, Mapping)]
    counts = Counter(n for n in names if isinstance(n, str))
    for dup in sorted(n for n, k in counts.items() if k > 1):
        problems.append(Problem("models", dup, "model names must be unique"))
    serving = raw.get("serving") if isinstance(raw.get("serving"), Mapping) else {}
    if models and serving.get("storageInitializerDigest") is None:
        problems.append(Problem(
            "serving.storageInitializerDigest", None,
            "required when models are configured: the sha256:<64 hex> digest of KServe's "
            "storage-initializer image mirrored into this stack's registry", missing=True))
    for i, model in enumerate(models):
        if not isinstance(model, Mapping):
            continue
        uri = model.get("storageUri")
        if isinstance(uri, str) and not uri.lower().startswith(("http://", scheme)):
            problems.append(
                Problem(f"models[{i}].storageUri", uri, f"on {cloud} expected {scheme_what}")
            )
        mode = serving.get("deploymentMode", "Standard")
        if model.get("canaryPercent") is not None and mode != "Knative":
            problems.append(Problem(
                f"models[{i}].canaryPercent", model["canaryPercent"],
                f"canary traffic needs serving.deploymentMode: Knative; {mode} mode ignores it "
                "(kserve#5335) - remove canaryPercent or switch the mode"))
        gpu = model.get("gpu", 1)
        if isinstance(gpu, int) and gpu > 0 and not pools:
            problems.append(
                Problem(
                    f"models[{i}].gpu",
                    gpu,
                    "needs a GPU node pool; add cluster.gpuPools or set gpu: 0",
                )
            )
    return problems


# -- loading -------------------------------------------------------------------------------


class ConfigError(pulumi.RunError):
    """Invalid stack config. Pulumi prints a RunError's message without a traceback."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p.render()}" for p in problems)
        n = len(problems)
        super().__init__(f"invalid stack config ({n} problem{'s' * (n != 1)}):\n{lines}")


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated, Optional and list wrappers down to the item type."""
    import types
    import typing

    while typing.get_origin(annotation) in (list, typing.Union, types.UnionType, Annotated):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = args[0]
    return annotation


def _field_model(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class at `loc` inside `model` (for listing a section's allowed keys)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = next((f for n, f in current.model_fields.items() if part in (n, f.alias)), None)
        if field is None:
            return None
        current = _unwrap(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _key(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _problem_from_pydantic(err: Mapping[str, Any]) -> Problem:
    loc = tuple(err["loc"])
    key = _key(loc)
    value = err.get("input")
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        model = _field_model(PlatformConfig, loc[:-1])
        field = model.model_fields.get(_snake(loc[-1])) if model else None
        hint = (field.description or "") if field else ""
        return Problem(key, None, f"required{': ' + hint if hint else ''}", missing=True)
    if kind == "extra_forbidden":
        model = _field_model(PlatformConfig, loc[:-1])
        names = sorted((f.alias or n) for n, f in model.model_fields.items()) if model else []
        return Problem(key, value, "unknown key; allowed keys: " + ", ".join(names))
    if kind == "literal_error":
        return Problem(key, value, msg.replace("Input should be", "expected one of"))
    if kind == "string_pattern_mismatch":
        return Problem(key, value, f"must match {err['ctx']['pattern']}")
    if kind == "value_error":
        return Problem(
            key,
            value if not isinstance(value, Mapping) else None,
            msg.removeprefix("Value error, "),
        )
    return Problem(key, value, msg.replace("Input should be", "expected"))


def _snake(name: Any) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", str(name)).lower()


def parse_raw(values: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    """Decode the namespace's string values (JSON for objects and lists) into raw data."""
    raw: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, text in values.items():
        if isinstance(text, str) and text[:1] in "[{":
            try:
                raw[key] = json.loads(text)
            except ValueError as exc:
                problems.append(Problem(key, text[:40], f"not valid JSON ({exc.msg})"))
        else:
            raw[key] = text
    return raw, problems


def load_platform_config(
    values: Mapping[str, str], secret_keys: set[str] | frozenset[str] = frozenset()
) -> PlatformConfig:
    """Validate the `medinfra` namespace (keys without prefix); raise one ConfigError."""
    raw, problems = parse_raw(values)
    try:
        config = PlatformConfig.model_validate(raw)
    except ValidationError as exc:
        config = None
        problems.extend(
            _problem_from_pydantic(e)
            for e in exc.errors()
            if e["type"] != "medinfra_relation"  # reported precisely by cross_field_problems
        )
    seen = {p.render() for p in problems}  # a set: linear in the number of problems
    for extra in cross_field_problems(raw):
        if extra.render() not in seen:
            seen.add(extra.render())
            problems.append(extra)
    if problems:
        # One place redacts: no check, present or future, can echo a secret value.
        top = re.compile(r"^[^.\[]+")
        problems = [
            replace(p, value=SECRET_MARK) if top.match(p.key).group(0) in secret_keys else p
            for p in problems
        ]
        raise ConfigError(sorted(problems, key=lambda p: p.key))
    assert config is not None
    return config


def from_pulumi() -> PlatformConfig:
    """Read and validate the `medinfra:*` keys of the running stack."""
    from pulumi.runtime import config as runtime_config

    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret = set(runtime_config.get_config_secret_keys_env()) | set(
        runtime_config._SECRET_KEYS.get()
    )
    prefix = NAMESPACE + ":"
    values = {k[len(prefix) :]: v for k, v in merged.items() if k.startswith(prefix)}
    return load_platform_config(values, {k[len(prefix) :] for k in secret if k.startswith(prefix)})


def json_schema() -> dict[str, Any]:
    """JSON Schema of the `medinfra:*` keys (object keys included), for docs and editors."""
    schema = PlatformConfig.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "MedInfra stack config (medinfra:* keys, without the namespace)"
    return schema
