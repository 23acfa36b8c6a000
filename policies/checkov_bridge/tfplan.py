"""aws/gcp Inventory resources -> one Terraform plan JSON document (`terraform show -json`).

Pure functions. Each mapped resource becomes a `planned_values` resource, a `resource_changes`
entry (action create) and a `configuration` entry. Properties are renamed camelCase ->
snake_case (and Pulumi's pluralised names back, `types.TF_RENAMES`); nested objects become
Terraform's lists of blocks; free-form maps (tags, labels) keep their keys. A value that came from
another mapped resource of the plan (Inventory `references`) is what Terraform shows for a value
of a resource not yet created: absent from `values`, unknown in `after_unknown`, and a reference
(`aws_s3_bucket.models.id`) in `configuration`, which is how Checkov connects a bucket to its
encryption configuration, public access block or policy. Policy documents stay values: checks
read them. Values unknown at preview time are unknown here too; secrets stay "[secret]".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from medinfra.policies.checkov_bridge.types import TF_RENAMES, TF_TYPES, sdk_maps
from medinfra.policies.inventory import UNKNOWN_MARK

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_PROVIDERS = {
    "aws": "registry.terraform.io/hashicorp/aws",
    "google": "registry.terraform.io/hashicorp/google",
}
_GONE = object()


def snake(name: str) -> str:
    """Pulumi's camelCase property name -> Terraform's snake_case one."""
    return _CAMEL.sub("_", name).lower()


def address_name(name: str, taken: set[str]) -> str:
    """A Terraform resource name for a Pulumi resource name: unique among `taken`."""
    base = _UNSAFE.sub("_", name) or "r"
    if not (base[0].isalpha() or base[0] == "_"):
        base = f"r_{base}"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    taken.add(candidate)
    return candidate


@dataclass
class TerraformPlan:
    """The plan document, and which Terraform address came from which Pulumi URN."""

    document: dict[str, Any]
    urns: dict[str, str] = field(default_factory=dict)


def _parse_pointer(path: str) -> tuple[str, ...]:
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:])


def _reference(address: str, tf_name: str) -> list[str]:
    attribute = "arn" if tf_name.endswith("arn") else "id"
    return [f"{address}.{attribute}", address]


class _Converter:
    def __init__(self, resource: dict, tf_type: str, addresses: dict[str, str]):
        self.tf_type = tf_type
        self.renames = TF_RENAMES.get(tf_type, {})
        self.maps = sdk_maps().get(resource.get("type", ""), frozenset())
        self.addresses = addresses
        refs = resource.get("references") if isinstance(resource.get("references"), dict) else {}
        self.refs = {
            _parse_pointer(p): urn
            for p, urn in refs.items()
            if isinstance(p, str) and isinstance(urn, str) and urn in addresses
        }
        self.unknown: dict[str, Any] = {}

    def block(
        self, props: dict, pointer: tuple, camel: str, snake_path: str
    ) -> tuple[dict, dict, dict]:
        """(values, configuration expressions, after_unknown) of one object."""
        values: dict[str, Any] = {}
        exprs: dict[str, Any] = {}
        unknown: dict[str, Any] = {}
        for key in sorted(props, key=str):
            key = str(key)
            sub_camel = f"{camel}{key}"
            sub_snake = f"{snake_path}{snake(key)}"
            tf_name = self.renames.get(sub_snake, snake(key))
            value, expr, unk = self.value(props[key], (*pointer, key), sub_camel, sub_snake)
            if value is not _GONE:
                values[tf_name] = value
            if expr is not None:
                exprs[tf_name] = expr
            if unk is not None:
                unknown[tf_name] = unk
        return values, exprs, unknown

    def value(self, value: Any, pointer: tuple, camel: str, snake_path: str):
        referenced = self.refs.get(pointer)
        # A traced identifier, known or not, is a reference. JSON text ("{...}", "[...]") stays a
        # value (checks read policy documents); the unknown mark "[unknown]" is not JSON text.
        if (
            referenced is not None
            and isinstance(value, str)
            and (value == UNKNOWN_MARK or value[:1] not in "{[")
        ):
            address = self.addresses[referenced]
            return _GONE, {"references": _reference(address, snake_path)}, True
        if value == UNKNOWN_MARK:
            return _GONE, None, True
        if isinstance(value, dict):
            if camel in self.maps:
                return value, None, None
            inner, expr, unk = self.block(value, pointer, camel + ".", snake_path + ".")
            return [inner], ([expr] if expr else None), ([unk] if unk else None)
        if isinstance(value, list):
            items = []
            exprs: list[Any] = []
            refs: list[str] = []
            unknown = False
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    inner, expr, _unk = self.block(
                        item, (*pointer, str(i)), camel + ".", snake_path + "."
                    )
                    items.append(inner)
                    exprs.append(expr)
                    continue
                sub, expr, unk = self.value(item, (*pointer, str(i)), camel, snake_path)
                if expr is not None:
                    refs += expr["references"]
                if unk is not None:
                    unknown = True
                if sub is not _GONE:
                    items.append(sub)
            if refs or (unknown and not items):
                # Terraform shows a list with a not-yet-known element as unknown as a whole.
                return _GONE, ({"references": refs} if refs else None), True
            return items, (exprs if any(exprs) else None), None
        return value, None, None


def to_terraform_plan(resources: list[dict[str, Any]]) -> TerraformPlan:
    """The Terraform plan of every aws/gcp resource with a mapped type (others are skipped)."""
    mapped = [
        r
        for r in resources
        if isinstance(r, dict)
        and isinstance(r.get("urn"), str)
        and isinstance(r.get("type"), str)
        and r["type"] in TF_TYPES
    ]
    taken: dict[str, set[str]] = {}
    addresses: dict[str, str] = {}
    for r in mapped:
        tf_type = TF_TYPES[r["type"]]
        raw = r.get("name") if isinstance(r.get("name"), str) else r["urn"].rsplit("::", 1)[-1]
        name = address_name(raw, taken.setdefault(tf_type, set()))
        addresses.setdefault(r["urn"], f"{tf_type}.{name}")
    planned, changes, config = [], [], []
    providers: set[str] = set()
    urns: dict[str, str] = {}
    for r in mapped:
        address = addresses[r["urn"]]
        if address in urns:  # the same URN twice: judge it once
            continue
        urns[address] = r["urn"]
        tf_type, name = address.split(".", 1)
        provider = tf_type.split("_", 1)[0]
        providers.add(provider)
        props = r.get("props") if isinstance(r.get("props"), dict) else {}
        converter = _Converter(r, tf_type, addresses)
        values, exprs, unknown = converter.block(props, (), "", "")
        common = {
            "address": address,
            "mode": "managed",
            "type": tf_type,
            "name": name,
            "provider_name": _PROVIDERS[provider],
        }
        planned.append({**common, "schema_version": 0, "values": values, "sensitive_values": {}})
        changes.append(
            {
                **common,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values,
                    "after_unknown": unknown,
                    "before_sensitive": False,
                    "after_sensitive": {},
                },
            }
        )
        config.append(
            {
                "address": address,
                "mode": "managed",
                "type": tf_type,
                "name": name,
                "provider_config_key": provider,
                "expressions": exprs,
                "schema_version": 0,
            }
        )
    document = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {
                p: {"name": p, "full_name": _PROVIDERS[p]} for p in sorted(providers)
            },
            "root_module": {"resources": config},
        },
    }
    return TerraformPlan(document, urns)
