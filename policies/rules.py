"""The rule catalogue: one Rego rule per directory under policies/rego/, with `# METADATA`.

The METADATA block (OPA's annotation format: YAML in comments) is the single source of a rule's
id, title, severity, controls, resource types, remediation and whether it may be waived. The
embedded engine does not read annotations, so we parse and validate them here; a rule with
missing or invalid metadata fails the catalogue load (the gate then blocks), it is never skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from medinfra.policies.strict_yaml import StrictYamlError, loads

RULES_DIR = Path(__file__).resolve().parent / "rego"
LIB_DIR = RULES_DIR / "lib"

#: The clouds `satisfied_by` is keyed by, and the component directory each points into. A
#: Kubernetes resource may be created by a cloud's component (the EKS/AKS storage class).
SATISFIED_BY_CLOUDS = {
    "aws": ("aws",),
    "azure": ("azure",),
    "gcp": ("gcp",),
    "k8s": ("k8s", "aws", "azure", "gcp"),
}

#: One symbol of a component file: a class, an Args field (`FooArgs.key_arn`), a function
#: (`render()`) or a method (`GpuCluster._node_group()`).
SYMBOL = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?(?:\(\))?"

#: `components/<area>/<file>.py: Symbol / Symbol ...`, or `none: <why no component does it>`.
_SATISFIED_BY = (
    rf"^(?:none: \S.{{9,}}|components/(?:aws|azure|gcp|k8s)/[a-z_]+\.py: {SYMBOL}(?: / {SYMBOL})*)$"
)

_METADATA_SCHEMA = {
    "type": "object",
    "required": ["title", "description", "custom"],
    "properties": {
        "title": {"type": "string", "minLength": 10},
        "description": {"type": "string", "minLength": 20},
        "custom": {
            "type": "object",
            "required": [
                "id",
                "severity",
                "controls",
                "resource_types",
                "remediation",
                "waivable",
                "satisfied_by",
            ],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "pattern": r"^MED-[A-Z]{2,5}-\d{3}$"},
                "severity": {"enum": ["critical", "high", "medium", "low"]},
                "controls": {
                    "type": "object",
                    "required": ["hipaa", "gdpr", "cis"],
                    "additionalProperties": False,
                    "properties": {
                        k: {"type": "array", "items": {"type": "string"}}
                        for k in ("hipaa", "gdpr", "cis")
                    },
                },
                "resource_types": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string", "minLength": 3},
                },
                "remediation": {"type": "string", "minLength": 10},
                "waivable": {"type": "boolean"},
                "satisfied_by": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": False,
                    "properties": {
                        cloud: {
                            "type": "array",
                            "minItems": 1,
                            "items": {"type": "string", "pattern": _SATISFIED_BY},
                        }
                        for cloud in SATISFIED_BY_CLOUDS
                    },
                },
            },
        },
    },
}


def satisfied_by_clouds(resource_types: tuple[str, ...] | list[str]) -> set[str]:
    """The `satisfied_by` keys a rule needs: one per cloud its resource types belong to."""
    packages = {t.removeprefix("pulumi:providers:").split(":")[0] for t in resource_types}
    names = {"aws": "aws", "aws-native": "aws", "azure-native": "azure", "gcp": "gcp",
             "kubernetes": "k8s"}
    return {names[p] for p in packages if p in names}


def satisfied_by_entry(entry: str) -> tuple[str, list[str]] | None:
    """(component file, symbols) of one `satisfied_by` entry; None for a `none: ...` entry."""
    if entry.startswith("none: "):
        return None
    path, _, symbols = entry.partition(": ")
    return path, symbols.split(" / ")


def _satisfied_by_problems(custom: dict[str, Any]) -> list[str]:
    """Cloud keys match the rule's resource types; each cloud points into its own components."""
    have = set(custom["satisfied_by"])
    need = satisfied_by_clouds(custom["resource_types"])
    problems = []
    if have != need:
        problems.append(
            f"satisfied_by: clouds {sorted(have)} must be exactly those of resource_types "
            f"{sorted(need)}"
        )
    for cloud, entries in custom["satisfied_by"].items():
        for entry in entries:
            parsed = satisfied_by_entry(entry)
            if parsed and parsed[0].split("/")[1] not in SATISFIED_BY_CLOUDS[cloud]:
                problems.append(f"satisfied_by.{cloud}: {parsed[0]} is not a {cloud} component")
    return problems


class RuleError(Exception):
    """The catalogue cannot be loaded; lists every problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid policy rules:\n" + "\n".join(f"  - {p}" for p in problems))


@dataclass(frozen=True)
class Rule:
    """One rule, its metadata and its Rego source."""

    id: str
    name: str
    package: str
    title: str
    description: str
    severity: str
    controls: dict[str, list[str]]
    resource_types: tuple[str, ...]
    remediation: str
    waivable: bool
    #: Per cloud (aws/azure/gcp/k8s): `components/...py: Symbol / ...` entries that satisfy it.
    satisfied_by: dict[str, tuple[str, ...]]
    path: Path
    source: str

    @property
    def deny_path(self) -> str:
        return f"data.{self.package}.deny"


def parse_metadata(text: str, name: str = "METADATA") -> dict[str, Any] | None:
    """The YAML of the first `# METADATA` comment block, or None if there is none.
    StrictYamlError (naming `name` and the line in the .rego file) if it is not strict YAML;
    an unquoted date (possible or not) is refused there, never a crash."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "# METADATA":
            body = []
            for follow in lines[i + 1 :]:
                if not follow.startswith("#"):
                    break
                body.append(follow[2:] if follow.startswith("# ") else follow[1:])
            return loads("\n".join(body), name, line_offset=i + 1) or {}
    return None


def _package(text: str) -> str | None:
    match = re.search(r"^package\s+([\w.]+)\s*$", text, re.M)
    return match.group(1) if match else None


def load_rule(directory: Path) -> Rule:
    """Load one rule directory; raise RuleError naming what is wrong."""
    name = directory.name
    path = directory / f"{name}.rego"
    where = f"rego/{name}"
    if not path.is_file():
        raise RuleError([f"{where}: missing {name}.rego"])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleError([f"{where}/{name}.rego: cannot be read as UTF-8 text: {exc}"]) from None
    problems = []
    try:
        meta = parse_metadata(text, f"{where}/{name}.rego")
    except StrictYamlError as exc:
        raise RuleError([f"METADATA in {exc}"]) from None
    if meta is not None and not isinstance(meta, dict):
        raise RuleError([f"{where}/{name}.rego: METADATA must be a mapping"])
    if meta is None:
        raise RuleError([f"{where}: no # METADATA block"])
    for err in jsonschema.Draft202012Validator(_METADATA_SCHEMA).iter_errors(meta):
        key = ".".join(str(p) for p in err.absolute_path) or "METADATA"
        problems.append(f"{where}/{name}.rego: METADATA {key}: {err.message[:200]}")
    if not problems:
        problems += [f"{where}: {p}" for p in _satisfied_by_problems(meta["custom"])]
    package = _package(text)
    if package != f"medinfra.rules.{name}":
        problems.append(f"{where}: package must be medinfra.rules.{name}, not {package}")
    if not (directory / f"{name}_test.rego").is_file():
        problems.append(f"{where}: missing {name}_test.rego")
    if problems:
        raise RuleError(problems)
    custom = meta["custom"]
    return Rule(
        id=custom["id"],
        name=name,
        package=package,
        title=meta["title"].strip(),
        description=" ".join(meta["description"].split()),
        severity=custom["severity"],
        controls={k: list(v) for k, v in custom["controls"].items()},
        resource_types=tuple(custom["resource_types"]),
        remediation=custom["remediation"].strip(),
        waivable=custom["waivable"],
        satisfied_by={k: tuple(v) for k, v in custom["satisfied_by"].items()},
        path=path,
        source=text,
    )


def load_rules(root: Path = RULES_DIR) -> list[Rule]:
    """Every rule under `root` (sorted by id); one RuleError lists every problem."""
    rules, problems = [], []
    for directory in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "lib"):
        try:
            rules.append(load_rule(directory))
        except RuleError as exc:
            problems.extend(exc.problems)
    seen: dict[str, str] = {}
    for rule in rules:
        if rule.id in seen:
            problems.append(f"{rule.name}: id {rule.id} is also used by {seen[rule.id]}")
        seen[rule.id] = rule.name
    if not rules and not problems:
        problems.append(f"{root}: no rules found")
    if problems:
        raise RuleError(problems)
    return sorted(rules, key=lambda r: r.id)


def library_sources(root: Path = RULES_DIR) -> dict[str, str]:
    """Shared Rego helpers (policies/rego/lib/*.rego), by file name."""
    lib = root / "lib"
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(lib.glob("*.rego"))
        if not p.name.endswith("_test.rego")
    }
