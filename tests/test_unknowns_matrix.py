"""The unknowns matrix (issue 15): every rule, every property path its compliant fixtures
exercise, made unknown as on a stack that does not exist yet.

Paths come from the compliant baseline plans of policies/rego/lib/fixtures_test.rego (the plans
every rule test starts from): each property a rule declares in `verifiable` that the baseline
holds (every concrete match of the pattern, every value below it, every object above it), and
each declared property the baseline omits but whose parent object it holds. For each path:

* unknown WITHOUT provenance (no reference at or above it, no dependencies) -> the rule blocks
  that resource with a finding judged on provenance naming that property;
* unknown WITH provenance to a compliant resource of the plan (a reference; or, as Pulumi
  records a property with several dependencies, only dependencies) -> the rule passes, for the
  properties provenance can vouch for (keys, scopes, targets, identities, registries);
* a "value" (flag, enum, CIDR, policy document) unknown with a reference to a plan resource still
  blocks: where a value comes from does not tell what it is.

Each rule is evaluated alone on one parsed engine per rule (the library and the rule), so the
whole matrix runs in seconds.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from functools import cache

import pytest
import regorus
from medinfra.policies.inventory import UNKNOWN_MARK, pointer
from medinfra.policies.rules import library_sources, load_rules

from tests.test_rule_fixtures import PLANS, fixture

RULES = load_rules()
VALUE = "value"


def _inventory(resources):
    return {
        "project": "medinfra",
        "stack": "test",
        "config": fixture("config"),
        "resources": resources,
    }


@cache
def _plans() -> dict[str, list[dict]]:
    """The baseline plans; KServe's without the AWS plan it is built on (judged once)."""
    aws = {r["urn"] for r in fixture("aws").values()}
    plans = {p: list(fixture(p).values()) for p in PLANS}
    plans["kserve_only"] = [r for r in plans.pop("kserve") if r["urn"] not in aws]
    return plans


def _full_plan(plan: str) -> list[dict]:
    return list(fixture("kserve").values()) if plan == "kserve_only" else _plans()[plan]


@cache
def _engine(rule_name: str) -> regorus.Engine:
    rule = next(r for r in RULES if r.name == rule_name)
    engine = regorus.Engine()
    for name, text in library_sources().items():
        engine.add_policy(f"lib/{name}", text)
    engine.add_policy(rule.path.name, rule.source)
    return engine


def _eval(rule, inventory, query=None):
    engine = _engine(rule.name).clone()
    engine.set_input_json(json.dumps(inventory))
    return json.loads(engine.eval_rule_as_json(query or rule.deny_path))


@cache
def _satisfying(plan: str, kind: str) -> tuple[str, ...]:
    """URNs of the plan's resources that satisfy a provenance kind."""
    engine = _engine(RULES[0].name).clone()
    engine.set_input_json(json.dumps(_inventory(_full_plan(plan))))
    query = (
        "x := [r.urn | some r in input.resources; "
        f"data.medinfra.lib.satisfies({json.dumps(kind)}, r)]"
    )
    result = json.loads(engine.eval_query_as_json(query))
    return tuple(sorted(result["result"][0]["bindings"]["x"])) if result["result"] else ()


def _parts(p: str) -> list[str]:
    return [s.replace("~1", "/").replace("~0", "~") for s in p.split("/")[1:]]


def _get(props, parts):
    for part in parts:
        if isinstance(props, list) and part.isdigit() and int(part) < len(props):
            props = props[int(part)]
        elif isinstance(props, dict) and part in props:
            props = props[part]
        else:
            return _MISSING
    return props


_MISSING = object()


def _expand(props, parts, done=()):
    """Concrete paths (tuples) in `props` matching a pattern's parts ("*": any key/index)."""
    if not parts:
        yield done
        return
    head, rest = parts[0], parts[1:]
    if isinstance(props, dict):
        keys = sorted(props) if head == "*" else [head] if head in props else []
        for k in keys:
            yield from _expand(props[k], rest, (*done, k))
    elif isinstance(props, list) and (head == "*" or head.isdigit()):
        indexes = (
            range(len(props)) if head == "*" else [int(head)] if int(head) < len(props) else []
        )
        for i in indexes:
            yield from _expand(props[i], rest, (*done, str(i)))


def _below(value, path):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _below(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _below(v, (*path, str(i)))


def _paths(resource, properties):
    """{pointer: kind} for every path of `resource` a rule's declared properties exercise."""
    found: dict[str, str] = {}
    for pattern, kind in sorted(properties.items()):
        parts = _parts(pattern)
        matches = list(_expand(resource["props"], parts))
        if (
            not matches
            and "*" not in parts
            and isinstance(_get(resource["props"], parts[:-1]), dict)
        ):
            matches = [tuple(parts)]  # declared, omitted by the baseline: may still be unknown
        for match in matches:
            value = _get(resource["props"], match)
            for path in _below(value, match):
                found.setdefault(pointer(path), kind)
            for n in range(1, len(match)):
                found.setdefault(pointer(match[:n]), VALUE)  # an object above it, unknown whole
    return found


def _set(props, parts, value):
    props = copy.deepcopy(props)
    target = props
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(parts[-1])] = value
    else:
        target[parts[-1]] = value
    return props


def _related(p: str, other: str) -> bool:
    return other == p or other.startswith(p + "/") or p.startswith(other + "/")


def _unknown(resource, path, references=None, dependencies=()):
    """`resource` with the value at `path` unknown, traced only as given."""
    changed = copy.deepcopy(resource)
    changed["props"] = _set(resource["props"], _parts(path), UNKNOWN_MARK)
    changed["unknowns"] = sorted({*resource["unknowns"], path})
    kept = {p: u for p, u in resource["references"].items() if not _related(path, p)}
    changed["references"] = {**kept, **(references or {})}
    changed["dependencies"] = list(dependencies)
    return changed


def _with(plan, changed):
    return _inventory([changed if r["urn"] == changed["urn"] else r for r in _full_plan(plan)])


def _cases():
    for rule in RULES:
        for plan, resources in _plans().items():
            spec = _eval(rule, _inventory(_full_plan(plan)), f"data.{rule.package}.verifiable")
            for resource in resources:
                for path, kind in _paths(resource, spec.get(resource["type"], {})).items():
                    yield rule, plan, resource, path, kind



def _judged(found, urn, path) -> bool:
    """A finding judged on provenance names `path` of `urn`, and no other resource has one."""
    judged = [f for f in found if f.get("provenance")]
    return {f["urn"] for f in judged} == {urn} and any(
        f["provenance"]["property"] == path for f in judged
    )


def _messages(found):
    return sorted(f["message"] for f in found) or "passed"


def _run():
    """Every case, each way it applies. Returns (counts, failures)."""
    counts: Counter = Counter()
    failures: list[str] = []
    for rule, plan, resource, path, kind in _cases():
        counts["paths"] += 1
        counts[f"rule:{rule.id}"] += 1
        counts["value paths" if kind == VALUE else "provenance paths"] += 1
        try:
            problems = _case(rule, plan, resource, path, kind)
        except RuntimeError as exc:  # an engine error is a gate failure, never a rule's answer
            problems = [f"engine error {str(exc).split('Stack backtrace')[0].strip()[-300:]}"]
        failures += [f"{rule.id} {resource['name']} {path}: {p}" for p in problems]
    return counts, failures


def _case(rule, plan, resource, path, kind) -> list[str]:
    urn = resource["urn"]
    problems = []
    # Without provenance: blocked, by a finding judged on provenance naming the property, on
    # this resource only (the rule's other findings follow from it, e.g. a bucket no longer
    # linked to its encryption configuration).
    found = _eval(rule, _with(plan, _unknown(resource, path)))
    if not _judged(found, urn, path):
        problems.append(f"unknown without provenance: {_messages(found)}")
    if kind == VALUE:
        # A value traced to another resource of the plan is still unverifiable.
        other = next(r["urn"] for r in _full_plan(plan) if r["urn"] != urn)
        found = _eval(rule, _with(plan, _unknown(resource, path, {path: other}, [other])))
        if not _judged(found, urn, path):
            problems.append(f"a value passed on provenance: {_messages(found)}")
        return problems
    candidates = _satisfying(plan, kind)
    source = resource["references"].get(path)
    if source not in candidates:
        source = next((c for c in candidates if c != urn), None)
    if source is None:
        return [*problems, f"no {kind} in the {plan} plan to trace it to"]
    # Traced to a compliant resource of the plan: passes.
    found = _eval(rule, _with(plan, _unknown(resource, path, {path: source}, [source])))
    if found:
        problems.append(f"traced to {source}: {_messages(found)}")
    # Only dependencies (a property with several): the compliant one of the kind decides.
    others = [
        r["urn"]
        for r in _full_plan(plan)
        if r["urn"] not in (urn, source) and not r["type"].startswith("pulumi:providers:")
    ]
    # Preferably a resource that does not satisfy the kind (every Azure resource is a scope).
    unrelated = next((o for o in others if o not in candidates), others[0])
    found = _eval(rule, _with(plan, _unknown(resource, path, None, [source, unrelated])))
    if found:
        problems.append(f"with dependencies {source}, {unrelated}: {_messages(found)}")
    return problems


@cache
def _result():
    return _run()


def test_the_matrix_covers_every_rule_and_its_fixture_paths():
    counts, _ = _result()
    covered = {k.removeprefix("rule:") for k in counts if k.startswith("rule:")}
    assert covered == {r.id for r in RULES}
    assert counts["provenance paths"] >= 40 and counts["value paths"] >= 500


def test_no_rule_passes_an_unknown_without_provenance_and_each_passes_with_it():
    counts, failures = _result()
    print(
        f"\nunknowns matrix: {counts['paths']} paths x rules ({counts['provenance paths']} "
        f"decidable on provenance, {counts['value paths']} values), {len(RULES)} rules, "
        f"{len(failures)} failures"
    )
    assert failures == []


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/nodeConfig/bootDiskKmsKey", {"/nodeConfig/bootDiskKmsKey": "cmk"}),
        ("/nodeConfig", {"/nodeConfig": VALUE}),
    ],
)
def test_paths_are_enumerated_from_the_baseline(path, expected):
    """The enumeration itself: the GCP node pool's key and the object above it are cases."""
    pool = fixture("gcp")["gpu-pool"]
    paths = _paths(pool, {"/nodeConfig/bootDiskKmsKey": "cmk"})
    assert {path: paths[path]} == expected
