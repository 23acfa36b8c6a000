"""Validate manifests against KServe's InferenceService CRD schema as the API server would.

A CRD's OpenAPI schema is "structural": unknown fields are pruned-or-rejected unless
`x-kubernetes-preserve-unknown-fields` is set (we reject, as `kubectl --validate=strict`
does), and `x-kubernetes-int-or-string` accepts only integers and strings (quantities).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema

from tests.conftest import REPO

SCHEMA_FILE = REPO / "tests" / "data" / "kserve" / "inferenceservice.v1beta1.schema.json"


def structural(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI v3 CRD schema -> JSON Schema with the API server's strictness."""
    if schema.get("x-kubernetes-int-or-string"):
        out: dict[str, Any] = {"anyOf": [{"type": "integer"}, {"type": "string"}]}
        if "pattern" in schema:
            out["anyOf"][1]["pattern"] = schema["pattern"]
        return out
    out = {k: v for k, v in schema.items() if not k.startswith("x-kubernetes-")}
    out.pop("nullable", None)
    if "properties" in out:
        out["properties"] = {k: structural(v) for k, v in out["properties"].items()}
        if not schema.get("x-kubernetes-preserve-unknown-fields"):
            out.setdefault("additionalProperties", False)
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = structural(out["additionalProperties"])
    if isinstance(out.get("items"), dict):
        out["items"] = structural(out["items"])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in out:
            out[key] = [structural(s) for s in out[key]]
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


@cache
def _validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(structural(json.loads(SCHEMA_FILE.read_text())))


def crd_errors(manifest: dict[str, Any]) -> list[str]:
    """Every schema violation in `manifest`, as 'path: message' strings."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in _validator().iter_errors(manifest)]
