"""`--policy-pack-config FILE` for `medinfra preview` and `medinfra gate`: the file
`pulumi preview --policy-pack-config` reads, checked before anything runs (exit 2 naming the key,
the bad value and what is allowed), then given to the pack as the CLI gives it (Configure), or
reconciled the same way for `--direct`."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def read(path: Path | None) -> dict[str, Any] | None:
    """The file's object, or None without the flag; InputError (exit 2) if it is refused."""
    if path is None:
        return None
    from medinfra.policies.pack_config import PackConfigError, load_file, problems
    from medinfra.policies.rules import RuleError, load_rules
    from medinfra.project import InputError

    try:
        document = load_file(path)
    except PackConfigError as exc:
        raise InputError(str(exc)) from None
    try:
        rule_ids = [rule.id for rule in load_rules()]
    except (RuleError, OSError):
        rule_ids = []  # the gate itself reports rules that do not load (fail closed)
    found = problems(document, rule_ids)
    if found:
        count = f"{len(found)} problem{'s' if len(found) > 1 else ''}"
        raise InputError(
            f"--policy-pack-config {path}: invalid policy-pack config ({count}):\n"
            + "\n".join(f"  - {p}" for p in found)
        )
    return document


def reconciled(document: dict[str, Any] | None) -> dict[str, dict[str, Any]] | None:
    """What the CLI would send with Configure, for the in-process gate (`--direct`)."""
    if document is None:
        return None
    from medinfra.policies.findings import MANDATORY_SEVERITIES
    from medinfra.policies.pack_config import SETTINGS_PROPERTIES, PolicyInfo, reconcile
    from medinfra.policies.rules import RuleError, load_rules
    from medinfra.policies.violations import FIXED_LEVELS, SETTINGS_POLICY

    try:
        rules = load_rules()
    except (RuleError, OSError):
        rules = []
    policies = [
        PolicyInfo(r.id, "mandatory" if r.severity in MANDATORY_SEVERITIES else "advisory")
        for r in rules
    ]
    policies += [
        PolicyInfo(name, level, SETTINGS_PROPERTIES if name == SETTINGS_POLICY else {})
        for name, level in FIXED_LEVELS.items()
    ]
    configured = reconcile(policies, document)
    for name, level in FIXED_LEVELS.items():  # as the pack pins them
        configured[name]["enforcementLevel"] = level
    return configured
