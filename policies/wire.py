"""Pulumi's wire encoding of property values, decoded once for both producers of the Inventory.

The offline planner's recording monitor reads what the SDK registers (protobuf `Struct`s); the
CrossGuard pack reads what the engine sends to Analyze/AnalyzeStack (the same values as JSON,
via pulumi-policy). Both meet the same signatures (secret, resource reference, output value,
asset, archive, unknown), so both decode them here and cannot drift apart.

It lives in `policies/`, not in `medinfra/worker/`, because dependencies point one way: the
planner (medinfra/) builds on the gate (policies/), never the reverse. The pack judges an
Inventory from any producer and must not import the planner's worker, which itself imports
`medinfra.policies.inventory`.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2
from medinfra.policies.inventory import Secret
from pulumi.runtime import rpc

_MAPPINGS = (dict, struct_pb2.Struct)
_SEQUENCES = (list, struct_pb2.ListValue)


def _field(value: Any, key: str, default: Any = None) -> Any:
    return value[key] if key in value else default


def from_wire(value: Any, unknown: Any) -> Any:
    """One wire value (a protobuf Struct value or its JSON form) -> plain Python.

    Secrets become `Secret(value)`, a resource reference its URN, an output value its value
    (wrapped when secret), assets and archives the fields that name their content, and every
    unknown (the unknown sentinel, an output value without a value, a signature we do not know)
    becomes `unknown`, which each caller picks: the planner `policies.inventory.UNKNOWN`, the
    pack pulumi-policy's own sentinel. Keys starting with "__" are not properties.
    """
    if isinstance(value, _SEQUENCES):
        return [from_wire(v, unknown) for v in value]
    if not isinstance(value, _MAPPINGS):
        return unknown if value == rpc.UNKNOWN else value
    sig = _field(value, rpc._special_sig_key)
    if sig is None:
        return {k: from_wire(v, unknown) for k, v in value.items() if not k.startswith("__")}
    # A secret whose value is not known yet is unknown: it holds nothing to hide, and what the
    # gate must see is that it is unknown (pulumi 3.272 sends such a value wrapped as a
    # secret; older SDKs sent the bare unknown).
    if sig == rpc._special_secret_sig:
        inner = from_wire(_field(value, "value"), unknown)
        return inner if inner is unknown else Secret(inner)
    if sig == rpc._special_output_value_sig:
        inner = from_wire(value["value"], unknown) if "value" in value else unknown
        return Secret(inner) if _field(value, "secret") and inner is not unknown else inner
    if sig == rpc._special_resource_sig:
        return _field(value, "urn", "")
    if sig == rpc._special_asset_sig:
        return {k: value[k] for k in ("path", "text", "uri") if k in value}
    if sig == rpc._special_archive_sig:
        return {k: value[k] for k in ("path", "uri") if k in value} or {"assets": {}}
    return unknown
