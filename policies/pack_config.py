"""The policy-pack configuration, as `pulumi preview --policy-pack-config FILE` reads it.

File format (the Pulumi CLI's): one JSON object. Each key is `all` or a policy name; each value
is an enforcement level (`"mandatory"`, `"advisory"`, `"disabled"`) or an object holding an
optional `enforcementLevel` and the policy's own properties (its config schema):

    {"all": "mandatory",
     "MED-TAG-001": {"enforcementLevel": "mandatory"},
     "medinfra-settings": {"allowedRegions": ["eu-central-1"], "logRetentionDays": 400}}

The CLI fills in every policy's default level and schema defaults, applies `all`, then each
named policy (`reconcile`, after pulumi's ReconcilePolicyPackConfig), checks the result against
each policy's schema and hands it to the pack with the Configure RPC. The CLI lets names that are
no policy and keys no schema declares through; MedInfra refuses them (`problems`): offline with
exit 2, under the CLI with a blocking MED-POLICY-002 from the `medinfra-settings` policy.
Checkov check ids (CKV_AWS_21) are accepted too, with a level only: the gate applies them to
Checkov's findings. `remediate` is refused: no MedInfra policy remediates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from medinfra.policies.findings import Finding
from medinfra.policies.settings_schema import SETTINGS_PROPERTIES
from medinfra.policies.violations import FIXED_LEVELS, SETTINGS_POLICY

LEVELS = ("mandatory", "advisory", "disabled")
ALL = "all"
#: The largest config file read (the CLI has no limit; a settings file is a few KiB).
MAX_BYTES = 1024 * 1024
#: A Checkov check id, or one of our custom checks' (CKV_MED_AZURE_1).
CHECKOV_ID = re.compile(r"^CKV2?_(MED_)?[A-Z0-9]+_\d+$")
#: Literal characters a trust pattern must have, so `*` or `arn:*` cannot trust everything.
MIN_LITERAL = 8
__all__ = ["SETTINGS_PROPERTIES"]

_SETTINGS_SCHEMA = {
    "type": "object",
    "properties": {"enforcementLevel": {"enum": ["mandatory"]}, **SETTINGS_PROPERTIES},
    "additionalProperties": False,
}
_LEVEL_ONLY_SCHEMA = {
    "type": "object",
    "properties": {"enforcementLevel": {"enum": list(LEVELS)}},
    "additionalProperties": False,
}


class PackConfigError(Exception):
    """The policy-pack config file cannot be used (exit 2); the message names the key."""


@dataclass(frozen=True)
class PolicyInfo:
    """What the CLI learns of one policy from GetAnalyzerInfo."""

    name: str
    level: str
    properties: Mapping[str, Any] = field(default_factory=dict)


def _strict_object(pairs: list) -> dict:
    found: dict = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"duplicate key {key[:60]!r}")
        found[key] = value
    return found


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def load_file(path: Path) -> dict[str, Any]:
    """The file's JSON object (empty content is no config, as for the CLI); PackConfigError
    naming the file and line otherwise. Duplicate keys and NaN are refused."""
    label = f"--policy-pack-config {path}"
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise PackConfigError(f"{label}: cannot be read ({exc.strerror})") from None
    if len(data) > MAX_BYTES:
        raise PackConfigError(f"{label}: larger than {MAX_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PackConfigError(f"{label}, line {line}: not UTF-8") from None
    if not text.strip():
        return {}
    try:
        document = json.loads(text, object_pairs_hook=_strict_object, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise PackConfigError(f"{label}, line {exc.lineno}: not JSON: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:
        raise PackConfigError(f"{label}: not a policy-pack config: {str(exc)[:120]}") from None
    if not isinstance(document, dict):
        raise PackConfigError(
            f"{label}: got a JSON {type(document).__name__}; expected an object of policy name "
            '-> level or settings, e.g. {"all": "mandatory", "medinfra-settings": {...}}'
        )
    return document


def _shown(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def _where(key: str, path: Iterable[Any]) -> str:
    out = key
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _schema_problem(key: str, error: jsonschema.ValidationError) -> str:
    where, got = _where(key, error.absolute_path), _shown(error.instance)
    kind, rule = error.validator, error.validator_value
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        return f"{where}.{extra[0] if extra else '?'}: unknown key; allowed: {', '.join(allowed)}"
    if kind == "enum":
        return f"{where}: got {got}; expected one of {', '.join(map(json.dumps, rule))}"
    if kind == "type":
        return f"{where}: got {got}; expected {'an' if rule[0] in 'aeiou' else 'a'} {rule}"
    if kind == "pattern":
        wanted = error.schema.get("description") or f"a value matching {rule}"
        return f"{where}: got {got}; expected {wanted}"
    if kind in ("minimum", "maximum"):
        sign = ">=" if kind == "minimum" else "<="
        return f"{where}: got {got}; must be {sign} {rule}"
    if kind in ("minItems", "minLength"):
        return f"{where}: got {got}; must not be empty"
    if kind == "uniqueItems":
        return f"{where}: got {got}; lists an item twice"
    return f"{where}: got {got}; {error.message}"


def _glob_problems(key: str, settings: Mapping[str, Any]) -> list[str]:
    problems = []
    for name in ("trustedKeys", "trustedIdentities"):
        for i, pattern in enumerate(settings.get(name) or []):
            literal = re.sub(r"[*?]", "", pattern) if isinstance(pattern, str) else ""
            if isinstance(pattern, str) and len(literal) < MIN_LITERAL:
                problems.append(
                    f"{key}.{name}[{i}]: got {_shown(pattern)}; a trust pattern needs at least "
                    f"{MIN_LITERAL} literal characters (e.g. arn:aws:kms:*:111122223333:key/*)"
                )
    return problems


def entry_problems(
    key: str, value: Any, rule_ids: Iterable[str], fixed: Mapping[str, str] | None = None
) -> list[str]:
    """Why one entry of the config is refused. `fixed` are policies whose level cannot change
    (the catch-alls); the CLI's reconciled config names them with that level, a file never."""
    fixed = fixed or {}
    if key in fixed and key != SETTINGS_POLICY:
        level = value.get("enforcementLevel") if isinstance(value, dict) else value
        level_only = not isinstance(value, dict) or set(value) <= {"enforcementLevel"}
        if level == fixed[key] and level_only:
            return []
        return [f"{key}: cannot be configured: it reports the gate's own results "
                f"(always {fixed[key]})"]
    if key == SETTINGS_POLICY:
        schema = _SETTINGS_SCHEMA
    elif key == ALL or key in set(rule_ids) or CHECKOV_ID.match(key):
        schema = _LEVEL_ONLY_SCHEMA
    elif key in FIXED_LEVELS:
        return [f"{key}: cannot be configured: it reports the gate's own results "
                f"(always {FIXED_LEVELS[key]})"]
    else:
        return [
            f"{key}: not a policy of the medinfra pack; allowed: all, {SETTINGS_POLICY}, a "
            "rule id (medinfra policies list) or a Checkov check id (CKV_AWS_21)"
        ]
    if isinstance(value, str):
        value = {"enforcementLevel": value}
    if not isinstance(value, dict):
        return [f"{key}: got {_shown(value)}; expected an enforcement level "
                f"({', '.join(LEVELS)}) or an object"]
    if value.get("enforcementLevel") == "remediate":
        return [f"{key}.enforcementLevel: got \"remediate\"; MedInfra's policies do not "
                f"remediate; expected one of {', '.join(LEVELS)}"]
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    problems = [_schema_problem(key, e) for e in errors]
    if key == SETTINGS_POLICY and not problems:
        problems = _glob_problems(key, value)
    return problems


def problems(document: Mapping[str, Any], rule_ids: Iterable[str],
             fixed: Mapping[str, str] | None = None) -> list[str]:
    """Every reason the config (a file's object, or the CLI's reconciled form) is refused."""
    ids = set(rule_ids)
    found = []
    for key in sorted(document):
        found += entry_problems(str(key), document[key], ids, fixed)
    return found


def reconcile(
    policies: Iterable[PolicyInfo], config: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """What the CLI sends with Configure: every policy's default level and schema defaults,
    then `all`'s level on every policy, then each named entry (pulumi's
    ReconcilePolicyPackConfig; names that are no policy are passed on too, as it does)."""
    result: dict[str, dict[str, Any]] = {}
    for policy in policies:
        defaults = {k: v["default"] for k, v in policy.properties.items() if "default" in v}
        result[policy.name] = {"enforcementLevel": policy.level, "properties": defaults}
    given = {}
    for key, value in config.items():
        if isinstance(value, str):
            given[key] = (value, {})
        elif isinstance(value, dict):
            props = {k: v for k, v in value.items() if k != "enforcementLevel"}
            given[key] = (value.get("enforcementLevel") or "", props)
    level_for_all = given.get(ALL, ("", {}))[0]
    if level_for_all:
        for entry in result.values():
            entry["enforcementLevel"] = level_for_all
    for key, (level, props) in given.items():
        entry = result.setdefault(key, {"enforcementLevel": "", "properties": {}})
        if level:
            entry["enforcementLevel"] = level
        entry["properties"] = {**entry["properties"], **props}
    return result


def as_document(configured: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The reconciled form back as file entries ({name: {"enforcementLevel", **props}})."""
    return {
        name: {**({"enforcementLevel": e["enforcementLevel"]} if e.get("enforcementLevel")
                  else {}), **dict(e.get("properties") or {})}
        for name, e in configured.items()
    }


def pack_config_problems(
    configured: Mapping[str, Mapping[str, Any]] | None, rule_ids: Iterable[str]
) -> list[str]:
    """Why the reconciled config the pack was given (Configure) is refused: the CLI checks
    types against each schema but lets unknown policies and keys through."""
    if not configured:
        return []
    return problems(as_document(configured), rule_ids, FIXED_LEVELS)


def org_settings(configured: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    """The organisation's settings: the `medinfra-settings` policy's properties."""
    entry = (configured or {}).get(SETTINGS_POLICY) or {}
    return dict(entry.get("properties") or {})


def invalid_pack_config(found: list[str]) -> Finding:
    """The blocking finding for a config the pack cannot use (the CLI let it through)."""
    shown = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
    return Finding(
        id="MED-POLICY-002",
        source="gate",
        title="The policy-pack configuration is invalid",
        severity="critical",
        enforcement="mandatory",
        urn="",
        resource_type="",
        message=f"the policy-pack config is invalid: {shown}",
        remediation="Fix the file given with --policy-pack-config (README: Policy-pack "
        "configuration); `medinfra preview --policy-pack-config FILE` names every problem.",
    )
