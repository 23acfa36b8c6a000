"""Relations between fields of one config section, and the API endpoint exposure check.

Pure functions on alias-keyed mappings (as a stack file spells them), defensive about shapes:
a value of the wrong type is left to structural validation. Each returns (key, value, reason)
triples, keys relative to the section. The config runs them once on a stack's raw input; the
section models run them when built directly; each cloud's `GpuCluster` runs the endpoint check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from medinfra.components.config.constants import DEFAULT_MAX_REPLICAS, DEFAULT_RANGES
from medinfra.components.config.value_types import parse_network

Found = list[tuple[str, Any, str]]


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def pool_relations(pool: Mapping[str, Any]) -> Found:
    """minSize <= desiredSize <= maxSize."""
    lo, hi, want = (_int(pool.get(k)) for k in ("minSize", "maxSize", "desiredSize"))
    out = []
    if lo is not None and hi is not None and lo > hi:
        out.append(("minSize", lo, f"must be <= maxSize ({hi})"))
    elif want is not None and lo is not None and hi is not None and not lo <= want <= hi:
        out.append(("desiredSize", want, f"must be within minSize..maxSize ({lo}..{hi})"))
    return out


def network_relations(net: Mapping[str, Any]) -> Found:
    """The VPC, service and pod ranges must not overlap."""
    names = tuple(DEFAULT_RANGES)
    nets = {n: parse_network(net.get(n, DEFAULT_RANGES[n])) for n in names}
    out = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if nets[a] and nets[b] and nets[a].overlaps(nets[b]):
                out.append((b, str(nets[b]), f"overlaps {a} {nets[a]}; ranges must be disjoint"))
    return out


def endpoint_access_problems(public: bool, cidrs: Sequence[Any], key: str) -> Found:
    """Opening the API endpoint takes the flag *and* a non-empty allow-list without 0.0.0.0/0.

    `key` names the allow-list (publicAccessCidrs, or AKS's authorizedIpRanges). Entries that
    are not CIDR blocks are not judged here: the config types them, `GpuCluster`s check them.
    """
    cidrs = list(cidrs)
    out: Found = []
    if public and not cidrs:
        out.append((key, cidrs, "endpointPublicAccess: true needs a non-empty allow-list"))
    for i, c in enumerate(cidrs):
        n = parse_network(c)
        if n is not None and n.prefixlen == 0:
            out.append((f"{key}[{i}]", c, "0.0.0.0/0 is never allowed"))
    if cidrs and not public:
        out.append((key, cidrs, "is set but endpointPublicAccess is false"))
    return out


def cluster_relations(cluster: Mapping[str, Any]) -> Found:
    """The cluster's API endpoint exposure (see `endpoint_access_problems`)."""
    cidrs = cluster.get("publicAccessCidrs")
    return endpoint_access_problems(
        cluster.get("endpointPublicAccess") is True,
        cidrs if isinstance(cidrs, list) else [],
        "publicAccessCidrs",
    )


def model_relations(model: Mapping[str, Any]) -> Found:
    """minReplicas <= maxReplicas; no plain-http model URIs; the versions' relations."""
    from medinfra.components.config.model_versions import version_relations

    out = version_relations(model)
    lo, hi = _int(model.get("minReplicas")), _int(model.get("maxReplicas", DEFAULT_MAX_REPLICAS))
    if lo is not None and hi is not None and lo > hi:
        out.append(("minReplicas", lo, f"must be <= maxReplicas ({hi})"))
    uris = [("storageUri", model.get("storageUri"))]
    if isinstance(model.get("versions"), list):
        uris += [(f"versions[{i}].storageUri", v.get("storageUri"))
                 for i, v in enumerate(model["versions"]) if isinstance(v, Mapping)]
    for key, uri in uris:
        if isinstance(uri, str) and uri.lower().startswith("http://"):
            out.append((key, uri, "plain http is not allowed (encrypt data in transit)"))
    return out
