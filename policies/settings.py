"""The organisation's settings (policy-pack config, `medinfra-settings`) with the stack's
`medinfra:` keys on top: what the rules read as `input.settings`.

Layering. The policy-pack config is the organisation's; a stack may only NARROW it:
* allowedRegions: the stack's `medinfra:allowedRegions` intersected with the organisation's
  (a stack region the organisation does not allow is dropped and reported). Either alone applies
  as it is; neither set is one mandatory MED-RES-001 finding saying how to set it.
* requiredTags: the organisation's names replace MedInfra's built-in ones (owner, costCenter,
  environment, dataClassification = the stack's classification); the stack's
  `medinfra:policy.requiredTags` may add names or narrow a name's allowed values.
* logRetentionDays: the organisation's minimum (default 365); a stack's
  `medinfra:policy.minLogRetentionDays` may raise it (without an organisation value it applies
  as it is, as before).
* trustedRegistries / trustedKeys / trustedIdentities: the organisation's only; the stack's
  `medinfra:policy.allowedExternalKeys` (exact key ids) still adds keys.
GCP labels: each required name and value as GCP allows it (components/tagging.py gcp_labels:
camelCase -> snake_case, lowercase, other characters -> "-", at most 63 characters).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from medinfra.components.config.constants import (
    DEFAULT_CLASSIFICATION,
    MIN_LOG_RETENTION_DAYS,
)
from medinfra.policies.findings import Finding
from medinfra.policies.pack_config import SETTINGS_POLICY

BUILT_IN_TAGS = ("owner", "costCenter", "environment", "dataClassification")
FROM_PACK = f"the policy-pack config ({SETTINGS_POLICY}.allowedRegions)"
FROM_STACK = "the stack config (medinfra:allowedRegions)"


def gcp_label(text: str) -> str:
    """A tag name or value as a GCP label (the same rule as components/tagging.py)."""
    text = re.sub(r"(?<!^)(?=[A-Z])", "_", text).lower()
    return re.sub(r"[^a-z0-9_-]", "-", text)[:63]


def _escape(text: str) -> str:
    # Only what is special outside a character class in both Python's and RE2/Rust's syntax
    # (re.escape escapes more, which the Rust engine may refuse).
    return re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", text)


def glob_regex(pattern: str) -> str:
    """A trust glob as an anchored regular expression (RE2 and Python syntax): `**` any
    characters, `*` any characters but `/`, `?` one character but `/`; the rest literal."""
    out = []
    for token in re.split(r"(\*\*|\*|\?)", pattern):
        if token == "**":
            out.append(".*")
        elif token == "*":
            out.append("[^/]*")
        elif token == "?":
            out.append("[^/]")
        elif token:
            out.append(_escape(token))
    return "^" + "".join(out) + "$"


def note(message: str, remediation: str, rule: str = "MED-POLICY-001") -> Finding:
    """An advisory finding about the settings themselves (an ignored or lowered setting)."""
    return Finding(
        id=rule,
        source="gate",
        title="A policy setting was ignored" if rule == "MED-POLICY-001"
        else "A policy's enforcement was lowered by configuration",
        severity="medium",
        enforcement="advisory",
        urn="",
        resource_type="",
        message=message,
        remediation=remediation,
    )


def _normal_region(region: str) -> str:
    return region.replace(" ", "").lower()


def _regions(config: Mapping, org: Mapping, notes: list[Finding]) -> dict[str, Any]:
    stack = config.get("allowedRegions")
    stack = [r for r in stack if isinstance(r, str)] if isinstance(stack, list) else None
    allowed = org.get("allowedRegions")
    if allowed is None and stack is None:
        return {}
    if allowed is None:
        return {"allowedRegions": stack, "allowedRegionsFrom": FROM_STACK}
    if stack is None:
        return {"allowedRegions": list(allowed), "allowedRegionsFrom": FROM_PACK}
    permitted = {_normal_region(r) for r in allowed}
    kept = [r for r in stack if _normal_region(r) in permitted]
    dropped = [r for r in stack if _normal_region(r) not in permitted]
    if dropped:
        notes.append(note(
            f"medinfra:allowedRegions: {', '.join(dropped)} ignored: the organisation's "
            f"policy-pack config allows only {', '.join(allowed)}, and a stack may only narrow it",
            f"Remove them from medinfra:allowedRegions, or have {SETTINGS_POLICY}.allowedRegions "
            "extended after a privacy review.",
        ))
    return {"allowedRegions": kept, "allowedRegionsFrom": f"{FROM_PACK} narrowed by {FROM_STACK}"}


def _tags(config: Mapping, org: Mapping, notes: list[Finding]) -> dict[str, list[str]]:
    policy = config.get("policy") if isinstance(config.get("policy"), dict) else {}
    stack = policy.get("requiredTags") if isinstance(policy.get("requiredTags"), dict) else {}
    if isinstance(org.get("requiredTags"), dict):
        required = {k: list(v) for k, v in org["requiredTags"].items()}
    else:
        classification = config.get("dataClassification", DEFAULT_CLASSIFICATION)
        required = {name: [] for name in BUILT_IN_TAGS}
        required["dataClassification"] = [str(classification)]
    for name, values in sorted(stack.items()):
        values = [v for v in values if isinstance(v, str)] if isinstance(values, list) else []
        if name not in required or not required[name]:
            required[name] = values
            continue
        narrowed = [v for v in values if v in required[name]]
        if len(narrowed) < len(values) or not values:
            notes.append(note(
                f"medinfra:policy.requiredTags.{name}: only values the organisation allows "
                f"({', '.join(required[name])}) can be required; the others were ignored",
                "A stack may only narrow the organisation's allowed values.",
            ))
        required[name] = narrowed or required[name]
    return required


def _retention(config: Mapping, org: Mapping, notes: list[Finding]) -> int:
    policy = config.get("policy") if isinstance(config.get("policy"), dict) else {}
    stack = policy.get("minLogRetentionDays")
    stack = stack if isinstance(stack, int) and not isinstance(stack, bool) else None
    if "logRetentionDays" not in org:
        return stack if stack is not None else MIN_LOG_RETENTION_DAYS
    days = int(org["logRetentionDays"])
    if stack is not None and stack < days:
        notes.append(note(
            f"medinfra:policy.minLogRetentionDays: {stack} ignored: the organisation's minimum "
            f"is {days} days, and a stack may only raise it",
            "Remove the key or set it to at least the organisation's minimum.",
        ))
    return max(days, stack or 0)


def effective(config: Any, org: Mapping[str, Any] | None) -> tuple[dict[str, Any], list[Finding]]:
    """(`input.settings` for the rules, notes about settings that were ignored)."""
    config = config if isinstance(config, dict) else {}
    org = org or {}
    notes: list[Finding] = []
    tags = _tags(config, org, notes)
    labels: dict[str, list[str]] = {}
    for name, values in tags.items():
        merged = labels.setdefault(gcp_label(name), [])
        merged += [gcp_label(v) for v in values if gcp_label(v) not in merged]
    policy = config.get("policy") if isinstance(config.get("policy"), dict) else {}
    external = [k for k in policy.get("allowedExternalKeys") or [] if isinstance(k, str)]
    settings = {
        **_regions(config, org, notes),
        "requiredTags": {"tags": tags, "labels": labels},
        "requiredTagsFrom": "policy-pack config" if "requiredTags" in org else "built-in",
        "trustedRegistries": [p.rstrip("/") for p in org.get("trustedRegistries") or []],
        "trustedKeys": [glob_regex(p) for p in org.get("trustedKeys") or []]
        + ["^" + _escape(k) + "$" for k in external],
        "trustedIdentities": [glob_regex(p) for p in org.get("trustedIdentities") or []],
        "logRetentionDays": _retention(config, org, notes),
    }
    return settings, notes
