"""The Inventory: the one input shape every engine of the gate reads (see DESIGN.md).

Both producers (the offline planner and the CrossGuard analyzer) hand this module plain Python
values in which secret values are wrapped in `Secret` and not-yet-known values are `UNKNOWN`.
It redacts secrets, records where values are unknown, and resolves which property came from
which resource of the plan, so every producer yields exactly the same shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from medinfra.components.config.constants import NAMESPACE, SECRET_MARK

UNKNOWN_MARK = "[unknown]"


class _Unknown:
    """A value the engine does not know yet (a computed output during preview)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class Secret:
    """A value the program marked secret. It is never copied into the Inventory."""

    value: Any

    def __repr__(self) -> str:  # never let a secret reach a log through repr()
        return "Secret([secret])"


def pointer(parts: Iterable[str | int]) -> str:
    """RFC 6901 JSON pointer for a property path ('' is the whole object)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def redact(value: Any) -> tuple[Any, list[str], list[str]]:
    """Return (value with secrets and unknowns replaced by marks, secret paths, unknown paths)."""
    secrets: list[str] = []
    unknowns: list[str] = []

    def walk(v: Any, path: tuple) -> Any:
        if isinstance(v, Secret):
            secrets.append(pointer(path))
            return SECRET_MARK
        if v is UNKNOWN:
            unknowns.append(pointer(path))
            return UNKNOWN_MARK
        if isinstance(v, Mapping):
            return {str(k): walk(v[k], (*path, str(k))) for k in sorted(v, key=str)}
        if isinstance(v, (list, tuple)):
            return [walk(item, (*path, i)) for i, item in enumerate(v)]
        if isinstance(v, float) and v.is_integer():
            return int(v)  # protobuf Struct carries every number as a double
        return v

    return walk(value, ()), secrets, unknowns


def _leaves(value: Any, path: tuple) -> Iterable[tuple[tuple, Any]]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path, value


def _origin(value: str, known_values: Mapping[str, str]) -> str | None:
    if value in known_values:
        return known_values[value]
    base, at, _ = value.partition("@")
    return known_values.get(base) if at else None


def resolve_references(
    props: Mapping[str, Any],
    unknowns: Iterable[str],
    property_dependencies: Mapping[str, Iterable[str]],
    known_values: Mapping[str, str],
) -> dict[str, str]:
    """Map property paths to the URN of the plan resource each value came from.

    Pulumi records dependencies per top-level property only. We narrow them down to the exact
    leaf: a leaf whose value is an identifier a dependency produced (`known_values`: value ->
    URN), or such an identifier followed by `@digest`, points at that resource; an unknown
    leaf under a property with a single dependency points at that dependency. A property with
    one dependency and no matching leaf (the value was transformed) is attributed as a whole.
    """
    unknown_set = set(unknowns)
    refs: dict[str, str] = {}
    for top, deps in property_dependencies.items():
        deps = sorted(set(deps))
        if not deps or top not in props:
            continue
        found = False
        for path, leaf in _leaves(props[top], (top,)):
            where = pointer(path)
            # An image by digest (`<repository url>@sha256:...`) came from its repository.
            origin = _origin(leaf, known_values) if isinstance(leaf, str) else None
            if origin in deps:
                refs[where] = origin
                found = True
            elif where in unknown_set and len(deps) == 1:
                refs[where] = deps[0]
                found = True
        if not found and len(deps) == 1:
            refs[pointer((top,))] = deps[0]
    return dict(sorted(refs.items()))


@dataclass
class InventoryResource:
    """One planned resource, in the Inventory shape of DESIGN.md."""

    urn: str
    type: str
    name: str
    provider: str | None
    parent: str | None
    dependencies: list[str] = field(default_factory=list)
    props: dict[str, Any] = field(default_factory=dict)
    unknowns: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    references: dict[str, str] = field(default_factory=dict)
    # The engine returns no outputs for it in a preview (its provider's configuration is not
    # known yet, e.g. Kubernetes on a new cluster): AnalyzeStack shows it empty, and the gate
    # judges the inputs Analyze showed.
    no_outputs: bool = False

    def to_dict(self) -> dict[str, Any]:
        extra = {"no_outputs": True} if self.no_outputs else {}
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "provider": self.provider,
            "parent": self.parent,
            "dependencies": self.dependencies,
            "props": self.props,
            "unknowns": self.unknowns,
            "secrets": self.secrets,
            "references": self.references,
            **extra,
        }


#: The stack config namespace the gate reads its settings from, for every program: MedInfra's own
#: project is named `medinfra`, and a program of any other project sets the gate's per-stack
#: settings with `medinfra:*` keys in its stack file. A program's own keys (`<project>:*`) are
#: never read, so a key of its own named `allowedRegions` or `tags` cannot change the judgement.
SETTINGS_NAMESPACE = NAMESPACE


def decode_config_value(text: str) -> Any:
    """A config value as the Pulumi CLI passes it (objects and lists as JSON text, scalars as
    their text) -> the value the Inventory's `config` holds."""
    try:
        return json.loads(text) if text[:1] in ("[", "{") else text
    except ValueError:
        return text


def package_of(type_token: str) -> str | None:
    """The provider package a custom resource type belongs to ('aws', 'azure-native', ...)."""
    if type_token.startswith("pulumi:providers:"):
        return type_token.split(":", 2)[2]
    return type_token.split(":", 1)[0] or None


def build_inventory(
    project: str,
    stack: str,
    config: Mapping[str, Any],
    resources: Iterable[InventoryResource | Mapping[str, Any]],
) -> dict[str, Any]:
    """The Inventory document: project, stack, the gate's `medinfra:*` config and every resource
    (with the provenance of values read from other stacks, `policies.stack_refs`)."""
    from medinfra.policies.stack_refs import annotate

    return {
        "project": project,
        "stack": stack,
        "config": dict(config),
        "resources": annotate(
            [r.to_dict() if isinstance(r, InventoryResource) else dict(r) for r in resources]
        ),
    }
