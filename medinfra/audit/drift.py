"""Drift: the live Inventory against the planned Inventory of the same stack.

Physical ids differ between a plan (mock ids) and the cloud (real ids), so both sides are
compared in terms of *which resource of the stack* a value names: every value a `references`
entry attributes to a resource, on either side, becomes `<urn>` wherever it appears (also inside
policy documents), and the plan's account id becomes the live one. Policy documents are
compared as JSON, lists of plain values as sets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Managed outside Pulumi on purpose: the cluster autoscaler moves a node group's desired size.
IGNORED = {("aws:eks/nodeGroup:NodeGroup", "/scalingConfig/desiredSize")}
_IDENT = re.compile(r"[^\s\[\]{}\"]{6,2048}")
_ACCOUNT = re.compile(r"arn:aws[\w-]*:[\w-]+:[\w-]*:(\d{12}):")


@dataclass
class Drift:
    """One difference: a planned resource that is not deployed (`missing`), a deployed one
    nobody planned (`unexpected`), or a property whose live value is not the planned one."""

    kind: str
    urn: str
    type: str
    path: str = ""
    planned: Any = None
    live: Any = None

    def to_dict(self) -> dict[str, Any]:
        out = {"kind": self.kind, "urn": self.urn, "type": self.type}
        if self.kind == "changed":
            out.update(path=self.path, planned=self.planned, live=self.live)
        return out

    def line(self) -> str:
        name = self.urn.rsplit("::", 1)[-1]
        if self.kind == "changed":
            return (f"changed     {self.type} {name} {self.path}: planned "
                    f"{json.dumps(self.planned)}, live {json.dumps(self.live)}")
        return f"{self.kind:<11} {self.type} {name}"


def _get(props: Any, path: str) -> Any:
    for part in path.strip("/").split("/") if path.strip("/") else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(props, dict):
            props = props.get(part)
        elif isinstance(props, list) and part.isdigit() and int(part) < len(props):
            props = props[int(part)]
        else:
            return None
    return props


def identities(resources: Iterable[dict]) -> dict[str, str]:
    """Value -> URN, for every value some `references` entry attributes to a resource."""
    found: dict[str, str] = {}
    for r in resources:
        for path, urn in (r.get("references") or {}).items():
            value = _get(r.get("props", {}), path)
            # Identifiers only: a whole document attributed to its one dependency is not one.
            if isinstance(value, str) and _IDENT.fullmatch(value):
                found.setdefault(value, urn)
    return found


def account_of(resources: Iterable[dict]) -> str | None:
    """The account id most ARNs of these resources name."""
    counts: dict[str, int] = {}
    for r in resources:
        for account in _ACCOUNT.findall(json.dumps(r.get("props", {}))):
            counts[account] = counts.get(account, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None


class _Canon:
    def __init__(self, ids: dict[str, str], account: str | None):
        # Inside documents only ARNs are replaced: a short name ("medinfra-aws-dev") is also
        # the prefix of many other names.
        # An issuer URL also appears without its scheme (IRSA trust policy condition keys).
        self.ids = dict(ids)
        for ident, urn in ids.items():
            if ident.startswith("https://"):
                self.ids.setdefault(ident.removeprefix("https://"), urn)
        self.order = sorted(
            (i for i in self.ids if i.startswith(("arn:", "https://", "oidc."))),
            key=len, reverse=True,
        )
        self.account = account

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list):
            items = [self(v) for v in value]
            if all(not isinstance(v, dict | list) for v in items):
                return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
            return items
        if not isinstance(value, str):
            return value
        text = value
        for ident in self.order:
            if ident in text:
                text = text.replace(ident, f"<{self.ids[ident]}>")
        if self.account:
            text = text.replace(f":{self.account}:", ":<account>:")
        if text[:1] in "{[":
            try:
                return self(json.loads(text))
            except ValueError:
                pass
        return text


def _marked(resource: dict) -> dict:
    """Props with every identifier a `references` entry attributes replaced by `<urn>`."""
    props = json.loads(json.dumps(resource.get("props", {})))
    for path, urn in (resource.get("references") or {}).items():
        parts = [p.replace("~1", "/").replace("~0", "~") for p in path.strip("/").split("/")]
        holder: Any = props
        for part in parts[:-1]:
            holder = _get(holder, "/" + part.replace("~", "~0").replace("/", "~1"))
        last = parts[-1] if parts else None
        if isinstance(holder, dict) and last in holder:
            key: Any = last
        elif isinstance(holder, list) and last is not None and last.isdigit() and int(
            last
        ) < len(holder):
            key = int(last)
        else:
            continue
        if isinstance(holder[key], str) and _IDENT.fullmatch(holder[key]):
            holder[key] = f"<{urn}>"
    return props


def _diff(planned: Any, live: Any, path: str, out: list[tuple[str, Any, Any]]) -> None:
    if isinstance(planned, dict) and isinstance(live, dict):
        for key in sorted(set(planned) | set(live)):
            _diff(planned.get(key), live.get(key), f"{path}/{key}", out)
    elif (isinstance(planned, list) and isinstance(live, list) and len(planned) == len(live)
          and any(isinstance(v, dict | list) for v in planned)):
        for i, (p, v) in enumerate(zip(planned, live, strict=True)):
            _diff(p, v, f"{path}/{i}", out)
    elif planned != live:
        out.append((path, planned, live))


def compare(
    planned: dict, live: dict, audited_types: Iterable[str], account: str | None = None
) -> list[Drift]:
    """Every difference between the planned and the live Inventory, over the audited types.
    `account` is the live account (default: the one most live ARNs name)."""
    audited = set(audited_types)
    plan = {r["urn"]: r for r in planned["resources"] if r["type"] in audited}
    real = {r["urn"]: r for r in live["resources"]}
    plan_canon = _Canon(identities(planned["resources"]), account_of(planned["resources"]))
    live_canon = _Canon(identities(live["resources"]), account or account_of(live["resources"]))
    drift: list[Drift] = []
    for urn, r in plan.items():
        if urn not in real:
            drift.append(Drift("missing", urn, r["type"]))
            continue
        unknown = set(r.get("unknowns") or [])
        changes: list[tuple[str, Any, Any]] = []
        _diff(plan_canon(_marked(r)), live_canon(_marked(real[urn])), "", changes)
        for path, was, now in changes:
            if (r["type"], path) in IGNORED or any(path.startswith(u) for u in unknown):
                continue
            drift.append(Drift("changed", urn, r["type"], path, was, now))
    for urn, r in real.items():
        if urn not in plan:
            drift.append(Drift("unexpected", urn, r["type"]))
    return drift
