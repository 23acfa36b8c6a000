"""azure-native Inventory resources -> one ARM deployment template. Pure functions.

azure-native is generated from the ARM REST specs, so a resource's inputs are its ARM body with
`properties` flattened into the top level, plus URL path parameters (resource group, its own
name, its parents' names). We undo that: path parameters go, the ARM top-level keys (location,
tags, sku, kind, identity, ...) stay, everything else nests under `properties`, and so does
each inline sub-resource's body (an NSG's security rules: `types.ARM_SUBRESOURCE_LISTS`). The
type and API version come from `types.ARM_TYPES`. Secrets stay "[secret]"; no `metadata`
(which could carry Checkov skip comments) is ever emitted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from medinfra.policies.checkov_bridge.types import (
    ARM_PATH_PARAMETERS,
    ARM_PROPERTY_RENAMES,
    ARM_SUBRESOURCE_LISTS,
    ARM_SUBRESOURCE_TOP_LEVEL,
    ARM_TOP_LEVEL,
    arm_type,
)

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass
class ArmTemplate:
    """The template, and which ARM resource id (`<type>.<name>`) came from which Pulumi URN."""

    document: dict[str, Any]
    urns: dict[str, str] = field(default_factory=dict)


def _name(value: Any, fallback: str) -> str:
    text = value if isinstance(value, str) and value and not value.startswith("[") else fallback
    return _UNSAFE.sub("-", text) or "resource"


def _subresource(item: Any) -> Any:
    """An inline sub-resource as ARM writes it: name/id beside, the rest under `properties`."""
    if not isinstance(item, dict):
        return item
    out = {k: v for k, v in item.items() if k in ARM_SUBRESOURCE_TOP_LEVEL}
    nested = item.get("properties") if isinstance(item.get("properties"), dict) else {}
    rest = {k: v for k, v in item.items() if k not in ARM_SUBRESOURCE_TOP_LEVEL | {"properties"}}
    out["properties"] = {**nested, **rest}
    return out


def arm_resource(resource: dict[str, Any]) -> dict[str, Any] | None:
    """One Inventory resource as an ARM template resource (None if its type is not mapped)."""
    token = resource.get("type")
    known = arm_type(token) if isinstance(token, str) else None
    if known is None:
        return None
    props = resource.get("props") if isinstance(resource.get("props"), dict) else {}
    pulumi_name = resource.get("name") if isinstance(resource.get("name"), str) else "resource"
    parts = [
        parent if parent == "default" else _name(props.get(parent), "parent")
        for parent in known.parents
    ]
    parts.append(_name(props.get(known.name), pulumi_name))
    body: dict[str, Any] = {"type": known.arm_type, "apiVersion": known.api_version}
    body["name"] = "/".join(parts)
    properties: dict[str, Any] = {}
    skip = ARM_PATH_PARAMETERS | {known.name, *known.parents}
    renames = ARM_PROPERTY_RENAMES.get(known.arm_type, {})
    for key, value in sorted(props.items()):
        if key in skip:
            continue
        key = renames.get(key, key)
        if key in ARM_TOP_LEVEL:
            body[key] = value
        elif key == "properties" and isinstance(value, dict):
            properties.update(value)
        else:
            properties[key] = value
    for key in ARM_SUBRESOURCE_LISTS.get(known.arm_type, ()):
        if isinstance(properties.get(key), list):
            properties[key] = [_subresource(item) for item in properties[key]]
    body["properties"] = properties
    return body


def to_arm_template(resources: list[dict[str, Any]]) -> ArmTemplate:
    """The ARM template of every azure-native resource with a mapped type (others skipped)."""
    out: list[dict[str, Any]] = []
    urns: dict[str, str] = {}
    for r in resources:
        if not isinstance(r, dict) or not isinstance(r.get("urn"), str):
            continue
        body = arm_resource(r)
        if body is None or r["urn"] in urns.values():
            continue
        base, n = body["name"], 1
        while f"{body['type']}.{body['name']}" in urns:
            n += 1
            body["name"] = f"{base}-{n}"
        urns[f"{body['type']}.{body['name']}"] = r["urn"]
        out.append(body)
    document = {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {},
        "resources": out,
    }
    return ArmTemplate(document, urns)
