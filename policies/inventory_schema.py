"""The published JSON Schema of the Inventory (DESIGN.md), and the one check every entry point
runs before an Inventory reaches an engine.

`docs/inventory.schema.json` is generated from INVENTORY_SCHEMA by
`medinfra inventory-schema --out docs/inventory.schema.json`; a test keeps the two equal.
Garbage is refused, never skipped: a resource that is not an object, a URN that is not a string,
a nesting deeper than MAX_DEPTH (which no provider schema has) or a URN listed twice.
"""

from __future__ import annotations

from typing import Any

import jsonschema

MAX_DEPTH = 64
_POINTER = {"type": "string", "pattern": "^(/([^~]|~[01])*)+$"}
_NULLABLE_STRING = {"type": ["string", "null"]}

INVENTORY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://github.com/medinfra/medinfra/docs/inventory.schema.json",
    "title": "MedInfra Inventory",
    "description": "What every engine of the MedInfra gate reads: a stack's planned, audited or "
    "analyzed resources. Produced by `medinfra preview --inventory`, the CrossGuard analyzer "
    "and `medinfra audit`; gated by `medinfra gate`.",
    "type": "object",
    "required": ["resources"],
    "additionalProperties": False,
    "properties": {
        "project": {"type": "string"},
        "stack": {"type": "string"},
        "config": {
            "type": "object",
            "description": (
                "The stack's `medinfra:*` config keys (whatever the project's name), "
                "JSON-decoded, secrets redacted."
            ),
        },
        "resources": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["urn", "type", "name", "props"],
                "additionalProperties": False,
                "properties": {
                    "urn": {"type": "string", "pattern": "^urn:pulumi:"},
                    "type": {"type": "string", "minLength": 1},
                    "name": {"type": "string"},
                    "provider": _NULLABLE_STRING,
                    "parent": _NULLABLE_STRING,
                    "dependencies": {"type": "array", "items": {"type": "string"}},
                    "props": {
                        "type": "object",
                        "description": "Input properties (provider schema names, camelCase); "
                        "secret values are \"[secret]\", unknown values \"[unknown]\".",
                    },
                    "unknowns": {"type": "array", "items": _POINTER},
                    "secrets": {"type": "array", "items": _POINTER},
                    "references": {
                        "type": "object",
                        "description": "JSON pointer of a property -> URN of the plan resource "
                        "its value came from (values read from other stacks: `stack_outputs`).",
                        "propertyNames": _POINTER,
                        "additionalProperties": {"type": "string"},
                    },
                    "stack_outputs": {
                        "type": "object",
                        "description": "JSON pointer of a property -> the other stack its "
                        "value came from: `stack` (as the program names it in "
                        "pulumi.StackReference), `output` (the output it holds; null when "
                        "unknown or transformed) and `reference` (the URN of the "
                        "pulumi:pulumi:StackReference resource). Such values are not in "
                        "`references`, which names resources of this plan only.",
                        "propertyNames": _POINTER,
                        "additionalProperties": {
                            "type": "object",
                            "required": ["stack", "output", "reference"],
                            "additionalProperties": False,
                            "properties": {
                                "stack": {"type": "string"},
                                "output": _NULLABLE_STRING,
                                "reference": {"type": "string", "pattern": "^urn:pulumi:"},
                            },
                        },
                    },
                    "no_outputs": {
                        "type": "boolean",
                        "description": "The engine returns no outputs for this resource in a "
                        "preview (its provider is not configured yet); it is judged on its "
                        "inputs.",
                    },
                },
            },
        },
    },
}

_VALIDATOR = jsonschema.Draft202012Validator(INVENTORY_SCHEMA)


def _too_deep(value: Any) -> str | None:
    """Where `value` nests deeper than MAX_DEPTH (iteratively: no recursion limit to hit)."""
    stack = [(value, 0, "")]
    while stack:
        node, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            return path or "/"
        if isinstance(node, dict):
            stack.extend((v, depth + 1, f"{path}/{k}") for k, v in node.items())
        elif isinstance(node, list | tuple):
            stack.extend((v, depth + 1, f"{path}/{i}") for i, v in enumerate(node))
    return None


def inventory_problems(inventory: Any, limit: int = 5) -> list[str]:
    """Why `inventory` is not an Inventory (empty when it is), at most `limit` reasons."""
    deep = _too_deep(inventory)
    if deep is not None:
        return [f"{deep[:120]}: nested deeper than {MAX_DEPTH} levels"]
    problems = []
    for error in sorted(_VALIDATOR.iter_errors(inventory), key=lambda e: list(map(str, e.path))):
        where = "/" + "/".join(str(p) for p in error.absolute_path)
        problems.append(f"{where}: {error.message[:200]}")
        if len(problems) >= limit:
            return problems
    if problems:
        return problems
    seen: set[str] = set()
    for i, resource in enumerate(inventory.get("resources", [])):
        if resource["urn"] in seen:
            problems.append(f"/resources/{i}/urn: {resource['urn'][:120]} is listed twice")
            break
        seen.add(resource["urn"])
    return problems
