"""Read a Pulumi project and one stack's config exactly as the Pulumi CLI hands it to a program.

The CLI merges `Pulumi.<stack>.yaml` over the project-level `config:` block of `Pulumi.yaml`
(defaults, required keys, typed keys), then passes every value to the program as a string:
scalars as their text, objects and lists as JSON, `secure:` values decrypted and marked secret.
Offline we cannot decrypt, so a secure value becomes a placeholder the program sees as a secret.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from medinfra.policies.inventory import SECRET_MARK, SETTINGS_NAMESPACE, decode_config_value
from medinfra.policies.strict_yaml import StrictYamlError, load_file

#: What a program sees in place of a `secure:` config value offline (we never hold the key).
SECRET_PLACEHOLDER = SECRET_MARK

_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_KEY = re.compile(r"^(?:[A-Za-z0-9_.-]+:)?[A-Za-z0-9_.-]+$")


class InputError(Exception):
    """Bad input from the user (project file, stack file, flags): exit code 2, no traceback."""


@dataclass(frozen=True)
class Project:
    """A Pulumi project directory: its name, program entry point and where stack files live."""

    dir: Path
    name: str
    runtime: str
    main: Path
    stack_config_dir: Path
    config: dict[str, Any] = field(default_factory=dict)
    #: `runtime.options` of Pulumi.yaml (virtualenv, toolchain, ...): see medinfra.program_python.
    runtime_options: dict[str, Any] = field(default_factory=dict)
    #: The Pulumi.yaml (or Pulumi.yml) file itself, for messages.
    file: Path | None = None

    def stack_file(self, stack: str) -> Path:
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        """Names of every stack that has a config file, sorted."""
        found = self.stack_config_dir.glob("Pulumi.*.yaml")
        return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in found)


@dataclass(frozen=True)
class StackConfig:
    """One stack's config as the program receives it: string values plus the secret key names."""

    stack: str
    values: dict[str, str]
    secret_keys: frozenset[str]

    def project_values(self, namespace: str) -> dict[str, Any]:
        """The stack's keys in `namespace`, JSON-decoded, secrets redacted: safe to print."""
        out: dict[str, Any] = {}
        for key, raw in sorted(self.values.items()):
            ns, _, name = key.partition(":")
            if ns != namespace:
                continue
            if key in self.secret_keys:
                out[name] = SECRET_PLACEHOLDER
                continue
            out[name] = decode_config_value(raw)
        return out

    def gate_values(self) -> dict[str, Any]:
        """What the gate reads (the Inventory's `config`): the `medinfra:*` keys, whatever the
        project's name (policies.inventory.SETTINGS_NAMESPACE)."""
        return self.project_values(SETTINGS_NAMESPACE)


@cache
def _project_schema() -> dict[str, Any]:
    text = resources.files("medinfra.data").joinpath("pulumi-project.schema.json")
    return json.loads(text.read_text(encoding="utf-8"))


def _read_yaml(path: Path, what: str) -> Any:
    """The file's YAML, strictly (policies/strict_yaml.py): one line naming file and line."""
    try:
        return load_file(path)
    except StrictYamlError as exc:
        raise InputError(f"{exc} ({what})") from None


def load_project(directory: str | Path) -> Project:
    """Load and validate `Pulumi.yaml` in `directory` (raises InputError naming what is wrong)."""
    root = Path(directory).resolve()
    if not root.is_dir():
        raise InputError(f"--dir {directory}: no such directory")
    candidates = [root / "Pulumi.yaml", root / "Pulumi.yml"]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        raise InputError(f"--dir {directory}: no Pulumi.yaml here; is this a Pulumi project?")
    data = _read_yaml(path, "the project file")
    if not isinstance(data, dict):
        raise InputError(f"{path}: the project file must be a mapping with 'name' and 'runtime'")
    errors = sorted(
        jsonschema.Draft202012Validator(_project_schema()).iter_errors(data),
        key=lambda e: list(e.absolute_path),
    )
    if errors:
        lines = [
            f"  - {'.'.join(str(p) for p in e.absolute_path) or '(top level)'}: {e.message}"
            for e in errors
        ]
        raise InputError(f"{path}: not a valid Pulumi project file:\n" + "\n".join(lines))

    runtime = data["runtime"] if isinstance(data["runtime"], str) else data["runtime"]["name"]
    if runtime != "python":
        raise InputError(
            f"{path}: runtime is {runtime!r}; medinfra preview runs Python programs only"
        )
    main = root / (data.get("main") or ".")
    if main.is_dir():
        main = main / "__main__.py"
    if not main.is_file():
        raise InputError(f"{path}: main program {main} does not exist")
    stack_dir = root / (data.get("stackConfigDir") or ".")
    return Project(
        dir=root,
        name=data["name"],
        runtime=runtime,
        main=main,
        stack_config_dir=stack_dir,
        config=data.get("config") or {},
        runtime_options=(
            dict(data["runtime"].get("options") or {}) if isinstance(data["runtime"], dict) else {}
        ),
        file=path,
    )


def _full_key(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _as_config_string(value: Any) -> tuple[str, bool]:
    """Render a YAML value the way the CLI passes it: (text, is_object)."""
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if isinstance(value, (int, float, str)):
        return str(value), False
    return json.dumps(value, separators=(",", ":"), sort_keys=False), True


def _strip_secure(value: Any) -> tuple[Any, bool]:
    """Replace every `{secure: ...}` leaf with the placeholder; report whether any was found."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        found = False
        out = {}
        for k, v in value.items():
            out[k], hit = _strip_secure(v)
            found |= hit
        return out, found
    if isinstance(value, list):
        found = False
        items = []
        for v in value:
            item, hit = _strip_secure(v)
            items.append(item)
            found |= hit
        return items, found
    return value, False


def _type_ok(type_name: str, items: dict | None, value: Any, is_object: bool) -> bool:
    """Mirror of the CLI's ValidateConfigValue for the four project config types."""
    if type_name == "string":
        return not is_object
    if type_name == "integer":
        return not is_object and bool(re.fullmatch(r"-?\d+", str(value)))
    if type_name == "boolean":
        return not is_object and str(value).lower() in ("true", "false")
    if type_name == "array":
        if not isinstance(value, list) or items is None:
            return False
        sub_type = items.get("type")
        return all(
            _type_ok(sub_type, items.get("items"), v, isinstance(v, (dict, list))) for v in value
        )
    return False


def load_stack_config(project: Project, stack: str) -> StackConfig:
    """Merge the stack file over the project's config block; every problem in one InputError."""
    if not _STACK_NAME.match(stack):
        raise InputError(
            f"--stack {stack!r}: not a valid stack name (letters, digits, '-', '_', '.')"
        )
    path = project.stack_file(stack)
    if not path.is_file():
        known = ", ".join(project.stacks()) or "none"
        raise InputError(f"--stack {stack}: no stack file {path} (stacks here: {known})")
    data = _read_yaml(path, "the stack file") or {}
    if not isinstance(data, dict):
        raise InputError(f"{path}: the stack file must be a mapping")
    raw = data.get("config") or {}
    if not isinstance(raw, dict):
        raise InputError(f"{path}: 'config' must be a mapping of keys to values")

    problems: list[str] = []
    values: dict[str, str] = {}
    typed: dict[str, tuple[Any, bool]] = {}
    secret_keys: set[str] = set()
    for key, value in raw.items():
        if not isinstance(key, str) or not _KEY.match(key):
            problems.append(f"{key!r}: not a valid config key (expected 'namespace:name')")
            continue
        full = _full_key(project.name, key)
        plain, secret = _strip_secure(value)
        if secret:
            secret_keys.add(full)
        text, is_object = _as_config_string(plain)
        values[full] = text
        typed[full] = (plain, is_object)

    missing: list[str] = []
    for key, decl in project.config.items():
        full = _full_key(project.name, key)
        if not isinstance(decl, dict):
            # Short form `key: value`: a project-wide value the stack may override.
            values.setdefault(full, _as_config_string(decl)[0])
            continue
        if full not in values:
            default = decl.get("default", decl.get("value"))
            if default is None:
                if full.startswith(project.name + ":"):
                    missing.append(full)
                continue
            values[full] = _as_config_string(default)[0]
            continue
        if decl.get("secret") and full not in secret_keys:
            problems.append(f"{full}: must be encrypted (declared secret in Pulumi.yaml)")
        type_name = decl.get("type")
        if type_name:
            plain, is_object = typed[full]
            if not _type_ok(type_name, decl.get("items"), plain, is_object):
                shown = SECRET_PLACEHOLDER if full in secret_keys else json.dumps(plain)
                problems.append(f"{full}: got {shown}; Pulumi.yaml declares type {type_name}")
    if missing:
        problems.append("missing required config value(s): " + ", ".join(sorted(missing)))
    if problems:
        raise InputError(
            f"{path}: invalid stack config:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    return StackConfig(stack=stack, values=values, secret_keys=frozenset(secret_keys))
