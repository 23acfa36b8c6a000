"""Values that came from another stack (a `pulumi.StackReference`): their provenance.

A model stack reads its platform's registry, key, identity or network from the platform stack's
outputs. Such a value is not a resource of this plan, so the rules judge it against the
organisation's trusted-external settings; to do so they must know it came from a stack
reference, which one, and which output. Every producer of the Inventory (the offline planner,
the CrossGuard analyzer) records the stack reference as a resource of type
`pulumi:pulumi:StackReference` whose props are what the engine read (`name`, `outputs`,
`secretOutputNames`; outputs unknown when they were not given offline), and values are traced
to it as to any other resource. `annotate` then moves those traces out of `references` (which
name resources *of this plan*: a rule that accepts "a role of this plan" must never accept a
platform stack's role because it was read through a stack reference) into, per resource:

    "stack_outputs": {"/spec/containers/0/image": {"stack": "org/platform/prod",
                                                   "output": "registryUrl",
                                                   "reference": "<URN of the StackReference>"}}

`output` is the output whose value the property holds (exactly, or followed by `@digest`), or
null when the value is unknown (outputs not given) or was transformed on its way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from medinfra.components.config.constants import SECRET_MARK

STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
UNKNOWN_MARK = "[unknown]"


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str) and value not in ("", SECRET_MARK, UNKNOWN_MARK):
        yield value


def _outputs(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    outputs = (resource.get("props") or {}).get("outputs")
    return outputs if isinstance(outputs, Mapping) else {}


def output_values(resources: Iterable[Any]) -> dict[str, str]:
    """Known, public string values of every stack reference's outputs -> its URN (so that
    `resolve_references` attributes a property holding one of them to the stack reference)."""
    found: dict[str, str] = {}
    for r in resources:
        if r.get("type") == STACK_REFERENCE_TYPE:
            for value in _strings(_outputs(r)):
                found.setdefault(value, r["urn"])
    return found


def _at(props: Any, path: str) -> Any:
    node = props
    for part in path.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return None
    return node


def _output_name(value: Any, outputs: Mapping[str, Any]) -> str | None:
    if not isinstance(value, str) or value in (SECRET_MARK, UNKNOWN_MARK):
        return None
    base = value.partition("@")[0]
    for name, output in sorted(outputs.items()):
        if value in set(_strings(output)) or base in set(_strings(output)):
            return name
    return None


def annotate(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`resources` with the values each holds from a stack reference moved from `references`
    to `stack_outputs` (an Inventory already annotated is returned as it is)."""
    refs = {r["urn"]: r for r in resources if r.get("type") == STACK_REFERENCE_TYPE}
    if not refs:
        return resources
    out = []
    for r in resources:
        references = dict(r.get("references") or {})
        found = dict(r.get("stack_outputs") or {})
        for path, urn in sorted(references.items()):
            ref = refs.get(urn)
            if ref is not None:
                del references[path]
                found[path] = {
                    "stack": str((ref.get("props") or {}).get("name", "")),
                    "output": _output_name(_at(r.get("props"), path), _outputs(ref)),
                    "reference": urn,
                }
        out.append({**r, "references": references, "stack_outputs": found} if found else r)
    return out


def without_outputs(resources: Iterable[Mapping[str, Any]]) -> list[str]:
    """Names of the referenced stacks whose outputs were not given (unknown at preview)."""
    return sorted(
        str((r.get("props") or {}).get("name", ""))
        for r in resources
        if r.get("type") == STACK_REFERENCE_TYPE and "/outputs" in (r.get("unknowns") or [])
    )
