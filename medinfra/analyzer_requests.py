"""The analyzer requests the engine sends for a plan, built from an Inventory: Configure (the
policy-pack config, reconciled as the CLI does), Analyze per resource (its checked inputs), then
AnalyzeStack (every resource, as the engine shows outputs).
"""

from __future__ import annotations

import copy
from contextlib import contextmanager
from typing import Any

import jsonschema
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.proto import analyzer_pb2

from medinfra.policies.pack_config import PolicyInfo, reconcile


class AnalyzerError(Exception):
    """The policy pack could not judge the Inventory (the gate blocks: fail closed)."""


def _parse_pointer(path: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]


def _replace_at(props: dict[str, Any], path: str, make) -> None:
    parts = _parse_pointer(path)
    if not parts:
        raise AnalyzerError(f"cannot encode a secret or unknown at the root of props ({path!r})")
    node: Any = props
    try:
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        last: Any = int(parts[-1]) if isinstance(node, list) else parts[-1]
        node[last] = make(node[last])
    except (KeyError, IndexError, ValueError, TypeError):
        raise AnalyzerError(f"the Inventory lists {path!r}, which is not in the props") from None


def wire_properties(resource: dict[str, Any]) -> struct_pb2.Struct:
    """A resource's props as the engine sends them: secrets wrapped, unknowns as the sentinel."""
    props = copy.deepcopy(resource.get("props") or {})
    for path in resource.get("secrets") or []:
        _replace_at(
            props, path, lambda v: {rpc._special_sig_key: rpc._special_secret_sig, "value": v}
        )
    for path in resource.get("unknowns") or []:
        _replace_at(props, path, lambda v: rpc.UNKNOWN)
    struct = struct_pb2.Struct()
    struct.update(props)
    return struct


def _property_dependencies(references: dict[str, str]) -> dict[str, list[str]]:
    # Per top-level property, as the engine records them, plus each exact reference keyed by its
    # JSON pointer (see policies/stack_inventory.py "References") so none is lost on the way.
    deps: dict[str, set[str]] = {}
    for path, urn in references.items():
        parts = _parse_pointer(path)
        if parts:
            deps.setdefault(parts[0], set()).add(urn)
            deps.setdefault(path, set()).add(urn)
    return {k: sorted(v) for k, v in sorted(deps.items())}


def analyzer_resource(
    resource: dict[str, Any], project: str, stack: str
) -> analyzer_pb2.AnalyzerResource:
    """One Inventory resource as an AnalyzeStack resource."""
    parent = resource.get("parent") or ""
    # A resource whose provider is not configured yet has no outputs in a preview: the engine
    # shows it to AnalyzeStack empty (its inputs went to Analyze).
    properties = struct_pb2.Struct() if resource.get("no_outputs") else wire_properties(resource)
    message = analyzer_pb2.AnalyzerResource(
        type=resource["type"],
        urn=resource["urn"],
        name=resource["name"],
        properties=properties,
        parent=parent,
        dependencies=resource.get("dependencies") or [],
        options=analyzer_pb2.AnalyzerResourceOptions(parent=parent),
    )
    package = resource.get("provider")
    if package:
        message.provider.CopyFrom(
            analyzer_pb2.AnalyzerProviderResource(
                type=f"pulumi:providers:{package}",
                urn=f"urn:pulumi:{stack}::{project}::pulumi:providers:{package}::default",
                name="default",
            )
        )
    for key, urns in _property_dependencies(resource.get("references") or {}).items():
        message.propertyDependencies[key].urns.extend(urns)
    return message


@contextmanager
def _encoding():
    """An Inventory that cannot be encoded is the client's own error, never a Python one."""
    try:
        yield
    except AnalyzerError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise AnalyzerError(
            f"the Inventory cannot be encoded: {type(exc).__name__}: {str(exc)[:200]}"
        ) from None


def _stack_resources(inventory: dict[str, Any]) -> list[analyzer_pb2.AnalyzerResource]:
    project, stack = str(inventory.get("project", "")), str(inventory.get("stack", ""))
    with _encoding():
        return [analyzer_resource(r, project, stack) for r in inventory["resources"]]


def analyze_requests(inventory: dict[str, Any]) -> list[analyzer_pb2.AnalyzeRequest]:
    """One Analyze request per resource, as the engine sends them while it plans: the resource's
    checked inputs (the stack itself is never analyzed on its own)."""
    with _encoding():
        inputs = {**inventory, "resources": [
            {**r, "no_outputs": False} for r in inventory["resources"]
            if r["type"] != "pulumi:pulumi:Stack"
        ]}
    return [
        analyzer_pb2.AnalyzeRequest(
            type=r.type, properties=r.properties, urn=r.urn, name=r.name,
            options=r.options, provider=r.provider,
        )
        for r in _stack_resources(inputs)
    ]


def analyze_stack_request(inventory: dict[str, Any]) -> analyzer_pb2.AnalyzeStackRequest:
    """Every Inventory resource, encoded as the CLI encodes a stack for AnalyzeStack."""
    return analyzer_pb2.AnalyzeStackRequest(resources=_stack_resources(inventory))


def level_name(level: int) -> str:
    return analyzer_pb2.EnforcementLevel.Name(level).lower()


def configure_request(
    info: analyzer_pb2.AnalyzerInfo, pack_config: dict[str, Any] | None
) -> tuple[analyzer_pb2.ConfigureAnalyzerRequest, dict[str, dict[str, Any]]]:
    """The Configure request the CLI sends (and the reconciled config it holds): every policy's
    default level and schema defaults, `all`, then the file's entries; AnalyzerError if the
    result does not match a policy's config schema (the CLI's "validating policy config")."""
    policies = [
        PolicyInfo(p.name, level_name(p.enforcementLevel),
                   json_format.MessageToDict(p.configSchema.properties))
        for p in info.policies
    ]
    configured = reconcile(policies, pack_config or {})
    errors = []
    for p in info.policies:
        if not p.HasField("configSchema"):
            continue
        properties = json_format.MessageToDict(p.configSchema.properties)
        schema = {"type": "object", "properties": properties}
        if p.configSchema.required:
            schema["required"] = list(p.configSchema.required)
        props = configured.get(p.name, {}).get("properties") or {}
        validator = jsonschema.Draft7Validator(schema)
        errors += [f"{p.name}: {e.message}" for e in validator.iter_errors(props)]
    if errors:
        raise AnalyzerError("validating policy config: " + "; ".join(sorted(errors)[:5]))
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, entry in configured.items():
        level = entry["enforcementLevel"]
        config = request.policyConfig[name]
        # The CLI sends a level for every policy: one without it would read as ADVISORY (0).
        config.enforcementLevel = (
            analyzer_pb2.EnforcementLevel.Value(level.upper()) if level else analyzer_pb2.ADVISORY
        )
        props = struct_pb2.Struct()
        props.update(entry.get("properties") or {})
        config.properties.CopyFrom(props)
    return request, configured
