"""Split converted documents into independent parts, and pack parts into balanced chunks. Pure.

Checkov judges a resource from the resource itself and, for graph checks (CKV2_*), from the
edges of the graph it builds over everything it is shown in one run. Two resources may be
scanned in different runs only if no edge Checkov could build joins them; each function below
unions (union-find) everything an edge *could* join, so every part holds whole connected
components and a scan of the parts gives exactly the results of one scan of the whole:

- Terraform plan: Checkov's edges are the references of the plan's `configuration` (the
  converter writes a reference, `aws_s3_bucket.models.id`, wherever a value came from another
  resource, tfplan.py). Resources joined by a reference, at any distance, stay together.
- Kubernetes: manifests of one namespace stay together (a namespaced object without one is in
  `default`), and on top every edge Checkov's Kubernetes graph can build, which ignores
  namespaces: label selectors (a selector and every object or pod template whose labels hold
  it), network policies (a `podSelector` with `matchLabels` joins the pods it selects; one
  with neither labels nor emptiness joins every manifest), RoleBinding/ClusterRoleBinding
  `roleRef` and `subjects` (by kind and name), and ServiceAccount names used as
  `serviceAccountName`. A cluster-scoped object (no namespace: Namespace, ClusterRole,
  ClusterRoleBinding, StorageClass, ...) has no namespace to join, so it is a part of its own
  unless one of those edges joins it to others; its results cannot depend on anything else.
- ARM: the converter writes no `dependsOn` and no template expressions, so resources are
  independent; if any resource holds an expression Checkov turns into an edge (`dependsOn`,
  `resourceId(`, `reference(`, `variables(`, `parameters(`), the template is not split.

`chunks` packs parts (largest first) into chunks of at most `limit` items -- a part larger
than the limit is a chunk of its own -- so each Checkov run stays small (its Kubernetes graph
grows with the square of what it is shown) while its fixed cost is paid a few times only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

ARM_EDGE_MARKERS = ("dependsOn", "resourceId(", "reference(", "variables(", "parameters(")
#: Kubernetes kinds without a namespace (a part of their own unless an edge joins them).
CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding",
    "CustomResourceDefinition", "PriorityClass", "RuntimeClass", "IngressClass", "CSIDriver",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "APIService",
    "ClusterIssuer", "ClusterServingRuntime", "ClusterStorageContainer", "VolumeAttachment",
})


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def union_all(self, items: Iterable[int]) -> None:
        first = None
        for i in items:
            if first is None:
                first = i
            else:
                self.union(first, i)

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(len(self.parent)):
            out.setdefault(self.find(i), []).append(i)
        return sorted(out.values(), key=lambda g: g[0])


# --- Terraform plan ---------------------------------------------------------------------------

def _references(node: Any, found: list[str]) -> list[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "references" and isinstance(value, list):
                found += [v for v in value if isinstance(v, str)]
            else:
                _references(value, found)
    elif isinstance(node, list):
        for value in node:
            _references(value, found)
    return found


def _address_of(reference: str, index: dict[str, int]) -> int | None:
    parts = reference.split(".")
    for k in range(len(parts), 0, -1):
        hit = index.get(".".join(parts[:k]))
        if hit is not None:
            return hit
    return None


def tfplan_parts(document: dict[str, Any]) -> list[list[str]]:
    """The plan's resource addresses grouped into reference-connected components."""
    config = document.get("configuration", {}).get("root_module", {}).get("resources", [])
    planned = document.get("planned_values", {}).get("root_module", {}).get("resources", [])
    addresses = list(dict.fromkeys(r["address"] for r in [*planned, *config]))
    index = {a: i for i, a in enumerate(addresses)}
    uf = _UnionFind(len(addresses))
    for entry in config:
        for reference in _references(entry.get("expressions"), []):
            target = _address_of(reference, index)
            if target is not None:
                uf.union(index[entry["address"]], target)
    return [[addresses[i] for i in group] for group in uf.groups()]


def tfplan_subset(document: dict[str, Any], addresses: Iterable[str]) -> dict[str, Any]:
    """The plan restricted to `addresses` (and the providers they use)."""
    keep = set(addresses)

    def only(items: list[dict]) -> list[dict]:
        return [r for r in items if r.get("address") in keep]

    config = document["configuration"]
    resources = only(config["root_module"]["resources"])
    used = {r.get("provider_config_key") for r in resources}
    return {
        **document,
        "planned_values": {"root_module": {
            "resources": only(document["planned_values"]["root_module"]["resources"])}},
        "resource_changes": only(document.get("resource_changes", [])),
        "configuration": {
            "provider_config": {k: v for k, v in config["provider_config"].items() if k in used},
            "root_module": {"resources": resources},
        },
    }


# --- ARM --------------------------------------------------------------------------------------

def arm_parts(document: dict[str, Any]) -> list[list[int]]:
    """Indices of the template's resources in independent groups (one group when any resource
    holds an expression Checkov's ARM graph turns into an edge)."""
    resources = document.get("resources", [])
    if any(m in json.dumps(r) for r in resources for m in ARM_EDGE_MARKERS):
        return [list(range(len(resources)))] if resources else []
    return [[i] for i in range(len(resources))]


def arm_subset(document: dict[str, Any], indices: Iterable[int]) -> dict[str, Any]:
    resources = document["resources"]
    return {**document, "resources": [resources[i] for i in indices]}


# --- Kubernetes -------------------------------------------------------------------------------

def _pairs(labels: Any) -> list[tuple[str, str]]:
    if not isinstance(labels, dict):
        return []
    return [(str(k), json.dumps(v, sort_keys=True)) for k, v in labels.items()]


def _vertices(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifest and the pod templates Checkov's graph extracts from it (spec.template, at
    any depth)."""
    out, node = [], document
    while isinstance(node, dict):
        out.append(node)
        spec = node.get("spec")
        node = spec.get("template") if isinstance(spec, dict) else None
    return out


def _selector(vertex: dict[str, Any]) -> Any:
    spec = vertex.get("spec")
    selector = spec.get("selector") if isinstance(spec, dict) else None
    if not isinstance(selector, dict):
        return None
    return selector if vertex.get("kind") == "Service" else selector.get("matchLabels")


def _meta(vertex: dict[str, Any]) -> dict[str, Any]:
    return vertex.get("metadata") if isinstance(vertex.get("metadata"), dict) else {}


def _namespace_key(document: dict[str, Any]) -> str | None:
    if document.get("kind") in CLUSTER_SCOPED:
        return None
    return str(_meta(document).get("namespace") or "default")


def k8s_parts(documents: list[dict[str, Any]]) -> list[list[int]]:
    """Indices of the manifests grouped by namespace and by every edge Checkov could build."""
    uf = _UnionFind(len(documents))
    by_namespace: dict[str, list[int]] = {}
    by_label: dict[tuple[str, str], set[int]] = {}
    by_kind_name: dict[tuple[str, str], list[int]] = {}
    by_account: dict[str, list[int]] = {}
    accounts: dict[str, list[int]] = {}
    selectors: list[tuple[int, list[tuple[str, str]]]] = []
    pods: list[int] = []
    policies: list[tuple[int, Any]] = []
    for i, document in enumerate(documents):
        key = _namespace_key(document)
        if key is not None:
            by_namespace.setdefault(key, []).append(i)
        for depth, vertex in enumerate(_vertices(document)):
            kind = vertex.get("kind") if depth == 0 else (vertex.get("kind") or "Pod")
            meta = _meta(vertex)
            for pair in _pairs(meta.get("labels")):
                by_label.setdefault(pair, set()).add(i)
            if isinstance(meta.get("name"), str):
                by_kind_name.setdefault((str(kind), meta["name"]), []).append(i)
            if kind == "Pod":
                pods.append(i)
            spec = vertex.get("spec") if isinstance(vertex.get("spec"), dict) else {}
            if isinstance(spec.get("serviceAccountName"), str):
                by_account.setdefault(spec["serviceAccountName"], []).append(i)
            if kind == "ServiceAccount" and isinstance(meta.get("name"), str):
                accounts.setdefault(meta["name"], []).append(i)
            if kind == "NetworkPolicy":
                policies.append((i, spec.get("podSelector")))
            elif (pairs := _pairs(_selector(vertex))):
                selectors.append((i, pairs))
            if kind in ("RoleBinding", "ClusterRoleBinding"):
                refs = [vertex.get("roleRef"), *(vertex.get("subjects") or [])]
                for ref in refs:
                    if isinstance(ref, dict) and isinstance(ref.get("name"), str):
                        key = (f"ref:{ref.get('kind')}", ref["name"])
                        by_kind_name.setdefault(key, []).append(i)
    for members in by_namespace.values():
        uf.union_all(members)
    for (kind, name), members in list(by_kind_name.items()):
        if kind.startswith("ref:"):
            uf.union_all([*members, *by_kind_name.get((kind[4:], name), [])])
    for name, members in accounts.items():
        uf.union_all([*members, *by_account.get(name, [])])
    for i, pairs in selectors:
        _union_matching(uf, i, pairs, by_label)
    for i, pod_selector in policies:
        if not pod_selector:
            continue  # Checkov joins an empty podSelector to nothing
        match = pod_selector.get("matchLabels") if isinstance(pod_selector, dict) else None
        if match:
            _union_matching(uf, i, _pairs(match), by_label)
        else:
            uf.union_all([i, *pods])  # Checkov's wildcard: every pod, every namespace
    return uf.groups()


def _union_matching(uf: _UnionFind, owner: int, pairs: list, by_label: dict) -> None:
    matched: set[int] | None = None
    for pair in sorted(pairs, key=lambda p: len(by_label.get(p, ()))):
        found = by_label.get(pair, set())
        matched = set(found) if matched is None else matched & found
        if not matched:
            return
    uf.union_all([owner, *(matched or ())])


# --- packing ----------------------------------------------------------------------------------

def chunks(parts: list[list[Any]], limit: int) -> list[list[Any]]:
    """Parts packed (largest first, first fit) into chunks of at most `limit` items; a part
    bigger than `limit` is a chunk alone. Deterministic: same parts, same chunks."""
    ordered = sorted(parts, key=lambda p: (-len(p), str(p[0]) if p else ""))
    out: list[list[Any]] = []
    sizes: list[int] = []
    for part in ordered:
        for k, size in enumerate(sizes):
            if size + len(part) <= limit:
                out[k] += part
                sizes[k] += len(part)
                break
        else:
            out.append(list(part))
            sizes.append(len(part))
    return out

