"""What the pack changes in pulumi-policy, so that no secret can reach the Inventory.

pulumi-policy 1.21 unwraps secret values before a stack policy sees them. `keep_secrets_marked`
installs `deserialize_keeping_secrets`, which decodes the engine's values with the one wire
decoder (`policies.wire`) and so keeps secrets wrapped in `policies.inventory.Secret`, and
records the secret config keys the engine sends with ConfigureStack. Unknowns stay
pulumi-policy's own sentinels, so its proxies still raise on them. It also records the
policy-pack config the CLI sends with Configure (`configured_pack`: the gate runs once for every
policy, so it needs all of it), and pins the levels of the policies that report the gate's own
results (`violations.FIXED_LEVELS`): an `"all": "disabled"` must not silence a failing gate.
`policies.stack_inventory.inventory_from_stack_args` refuses to run without these patches
(`secrets_marked`), rather than risk printing a secret.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

import pulumi_policy.policy as policy_module
from google.protobuf import json_format
from medinfra.policies.violations import FIXED_LEVELS
from medinfra.policies.wire import from_wire
from pulumi.runtime import rpc
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import deserialize as policy_deserialize

_ORIGINAL_DESERIALIZE = policy_deserialize.deserialize_properties
_ORIGINAL_CONFIGURE_STACK = policy_module._PolicyAnalyzerServicer.ConfigureStack
_ORIGINAL_CONFIGURE = policy_module._PolicyAnalyzerServicer.Configure
_secret_config_keys: set[str] = set()
_configured: dict[str, dict[str, Any]] | None = None
_configured_lock = threading.Lock()


def deserialize_keeping_secrets(props: dict[str, Any], proxy_secrets: bool = False) -> Any:
    """Drop-in for pulumi-policy's deserializer that keeps secrets visible as `Secret`."""
    if proxy_secrets:  # Remediate's own secret handling: leave it alone
        return _ORIGINAL_DESERIALIZE(props, proxy_secrets)
    # The engine sends unknowns as rpc.UNKNOWN (pulumi-policy's UNKNOWN_STRING_VALUE); every
    # unknown stays that sentinel, so pulumi-policy's proxies raise on it as on the engine's.
    return from_wire(props, unknown=rpc.UNKNOWN)


def _configure_stack_keeping_secret_keys(self, request, context):
    _secret_config_keys.update(request.config_secret_keys)
    return _ORIGINAL_CONFIGURE_STACK(self, request, context)


def _plain(value: Any) -> Any:
    # A protobuf Struct holds every number as a double: 400 comes back 400.0.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _configure_recording(self, request, context):
    pinned = copy.deepcopy(request)
    for name, level in FIXED_LEVELS.items():
        if name in pinned.policyConfig:
            pinned.policyConfig[name].enforcementLevel = analyzer_pb2.EnforcementLevel.Value(
                level.upper()
            )
    configured = {
        name: {
            "enforcementLevel": analyzer_pb2.EnforcementLevel.Name(entry.enforcementLevel).lower(),
            "properties": _plain(json_format.MessageToDict(entry.properties)),
        }
        for name, entry in pinned.policyConfig.items()
    }
    global _configured
    with _configured_lock:
        _configured = configured
    return _ORIGINAL_CONFIGURE(self, pinned, context)


def configured_pack() -> dict[str, dict[str, Any]] | None:
    """The policy-pack config of the last Configure call ({policy: {"enforcementLevel",
    "properties"}}, fixed levels pinned), None if the engine sent none."""
    with _configured_lock:
        return copy.deepcopy(_configured)


def keep_secrets_marked() -> None:
    """Make pulumi-policy's analyzer keep secrets marked and record Configure. Idempotent; call
    before PolicyPack."""
    policy_module.deserialize_properties = deserialize_keeping_secrets
    policy_module._PolicyAnalyzerServicer.ConfigureStack = _configure_stack_keeping_secret_keys
    policy_module._PolicyAnalyzerServicer.Configure = _configure_recording


def secrets_marked() -> bool:
    """Whether pulumi-policy's analyzer currently keeps secrets marked."""
    return policy_module.deserialize_properties is deserialize_keeping_secrets


def secret_config_keys() -> frozenset[str]:
    """The config keys the engine said are secret (ConfigureStack), so far."""
    return frozenset(_secret_config_keys)
