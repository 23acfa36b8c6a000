"""The config schema of the pack's `medinfra-settings` policy: the organisation's settings
(CrossGuard `config_schema` properties; policies/pack_config.py validates files against it).
RE2-compatible patterns only: the Pulumi CLI validates with gojsonschema."""

from __future__ import annotations

from typing import Any

_GLOB = {
    "type": "string",
    "minLength": 1,
    "pattern": r"^\S+$",
    "description": "a glob without spaces (e.g. arn:aws:kms:*:111122223333:key/*)",
}
SETTINGS_PROPERTIES: dict[str, dict[str, Any]] = {
    "allowedRegions": {
        "description": "Regions (AWS region, Azure location, GCP region) data may live in "
        "(GDPR Art.44-49). A stack's medinfra:allowedRegions may only narrow this list.",
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {
            "type": "string",
            "pattern": r"^[A-Za-z0-9][A-Za-z0-9 _-]{0,63}$",
            "description": "a region name such as eu-central-1, westeurope or europe-west4",
        },
    },
    "requiredTags": {
        "description": "Tag name -> allowed values (an empty list: any non-empty value). "
        "Replaces MedInfra's owner/costCenter/environment/dataClassification. GCP labels use "
        "the name and values lowercased, camelCase as snake_case (costCenter -> cost_center).",
        "type": "object",
        "propertyNames": {"pattern": r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,126}$"},
        "additionalProperties": {
            "type": "array",
            "uniqueItems": True,
            "items": {"type": "string", "minLength": 1, "maxLength": 256},
        },
    },
    "trustedRegistries": {
        "description": "Image reference prefixes (host[:port][/repository path]) outside this "
        "plan whose images are accepted when pinned by digest. A prefix ends at a path "
        "boundary: registry.example/org does not cover registry.example/org-evil.",
        "type": "array",
        "uniqueItems": True,
        "items": {
            "type": "string",
            "pattern": r"^[a-z0-9-]+(\.[a-z0-9-]+)+(:[0-9]{1,5})?(/[a-z0-9._-]+)*/?$",
            "description": "an image prefix host[:port][/repository path], lowercase, without "
            "scheme, tag or digest (e.g. 123456789012.dkr.ecr.eu-central-1.amazonaws.com/platform)",
        },
    },
    "trustedKeys": {
        "description": "Glob patterns of customer-managed keys outside this plan (KMS key "
        "ARNs, Key Vault key URLs, Cloud KMS CryptoKey ids). `*` matches within one "
        "/-separated segment, `**` across segments, `?` one character.",
        "type": "array",
        "uniqueItems": True,
        "items": _GLOB,
    },
    "trustedIdentities": {
        "description": "Glob patterns of identities outside this plan (IAM role ARNs, managed "
        "identity resource ids or client ids, GCP service account emails); globs as "
        "trustedKeys.",
        "type": "array",
        "uniqueItems": True,
        "items": _GLOB,
    },
    "logRetentionDays": {
        "description": "Shortest log retention accepted, in days (default 365). A stack's "
        "medinfra:policy.minLogRetentionDays may only raise it.",
        "type": "integer",
        "minimum": 1,
        "maximum": 3653,
    },
}
