"""The Inventory of the stack a CrossGuard stack policy is shown (what the pack judges).

The engine hands a stack policy every resource of the stack; this rebuilds the same Inventory the
offline planner and a live audit produce (DESIGN.md), with secrets redacted and unknowns marked.

References. The engine only says which resources each top-level property depends on; the
Inventory is narrowed with `resolve_references`. A property-dependency key that is a JSON
pointer ("/rules/0/kmsKeyId", never a property name) states an exact reference; the offline
driver sends these so that a round trip through the protocol keeps every reference exactly.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from medinfra.policies.inventory import (
    SECRET_MARK,
    SETTINGS_NAMESPACE,
    UNKNOWN,
    InventoryResource,
    build_inventory,
    decode_config_value,
    package_of,
    redact,
    resolve_references,
)
from medinfra.policies.pulumi_policy_patches import secret_config_keys, secrets_marked
from medinfra.policies.stack_refs import output_values
from pulumi_policy import StackValidationArgs, proxy

_UNKNOWNS = frozenset(
    {
        proxy.UNKNOWN_BOOLEAN_VALUE,
        proxy.UNKNOWN_NUMBER_VALUE,
        proxy.UNKNOWN_STRING_VALUE,
        proxy.UNKNOWN_ARRAY_VALUE,
        proxy.UNKNOWN_ASSET_VALUE,
        proxy.UNKNOWN_ARCHIVE_VALUE,
        proxy.UNKNOWN_OBJECT_VALUE,
    }
)


class AnalyzerSetupError(Exception):
    """The pack is not set up to keep secrets out of the Inventory."""


def gate_config(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The `medinfra:*` keys of PULUMI_CONFIG (SETTINGS_NAMESPACE, whatever the project's name),
    decoded as the planner does, secrets redacted."""
    raw = json.loads(environ.get("PULUMI_CONFIG") or "{}")
    secret_keys = set(json.loads(environ.get("PULUMI_CONFIG_SECRET_KEYS") or "[]"))
    secret_keys |= secret_config_keys()
    config: dict[str, Any] = {}
    for key, text in sorted(raw.items()):
        namespace, _, name = key.partition(":")
        if namespace == SETTINGS_NAMESPACE:
            config[name] = SECRET_MARK if key in secret_keys else decode_config_value(str(text))
    return config


def _raw(value: Any) -> Any:
    """The values behind pulumi-policy's proxies (which raise on unknowns), unknowns as UNKNOWN."""
    if isinstance(value, (proxy._DictProxy, proxy._ListProxy)):
        value = value["__target"]
    if isinstance(value, dict):
        return {k: _raw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_raw(v) for v in value]
    if isinstance(value, str) and value in _UNKNOWNS:
        return UNKNOWN
    return value


def _inventory_resource(
    resource, known_values: Mapping[str, str], inputs: Mapping[str, Any]
) -> InventoryResource:
    shown = _raw(resource.props)
    # No outputs (its provider is not configured yet, as Kubernetes on a new cluster): what
    # the resource will be is what Analyze showed, its checked inputs.
    no_outputs = not shown and resource.urn in inputs
    props, secrets, unknowns = redact(_raw(inputs[resource.urn]) if no_outputs else shown)
    prop_deps = {k: [d.urn for d in v] for k, v in resource.property_dependencies.items()}
    exact = {k: v[0] for k, v in prop_deps.items() if k.startswith("/") and len(v) == 1}
    if exact:
        references = dict(sorted(exact.items()))
    else:
        references = resolve_references(props, unknowns, prop_deps, known_values)
    parent = resource.parent.urn if resource.parent is not None else resource.opts.parent
    provider = resource.provider
    return InventoryResource(
        urn=resource.urn,
        type=resource.resource_type,
        name=resource.name,
        provider=package_of(provider.resource_type) if provider is not None else None,
        parent=parent or None,
        dependencies=sorted({d.urn for d in resource.dependencies}),
        props=props,
        unknowns=unknowns,
        secrets=secrets,
        references=references,
        no_outputs=no_outputs,
    )


def inventory_from_stack_args(
    args: StackValidationArgs,
    project: str,
    stack: str,
    config: Mapping[str, Any],
    inputs: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The Inventory of the stack a CrossGuard stack policy is shown (resources in its order);
    `inputs` are the checked inputs Analyze showed, by URN (used where outputs are empty)."""
    if not secrets_marked():
        raise AnalyzerSetupError(
            "secret values are not marked (call keep_secrets_marked() before PolicyPack)"
        )
    # A property whose value is a resource's URN came from that resource, as in the planner.
    known_values = {r.urn: r.urn for r in args.resources}
    # ... and one holding a stack reference's output came from that stack reference.
    known_values |= output_values(
        {"type": r.resource_type, "urn": r.urn, "props": _raw(r.props)} for r in args.resources
    )
    resources = [_inventory_resource(r, known_values, inputs or {}) for r in args.resources]
    return build_inventory(project, stack, config, resources)
