"""The Rego test fixtures (policies/rego/lib/fixtures_test.rego) are real plans: every property
name is one the provider SDK declares, the InferenceService is valid for KServe's CRD, and each
compliant plan passes the whole catalogue (so every rule's baseline is honest)."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest
import regorus
from medinfra.policies.engines import EmbeddedEngine
from medinfra.policies.rules import RULES_DIR, load_rules
from medinfra.policies.settings import effective

from tests.kserve_crd import crd_errors
from tests.sdk_schema import CUSTOM_RESOURCE_TYPES, unknown_properties

PLANS = ("aws", "azure", "gcp", "kserve")


@cache
def _bundle() -> regorus.Engine:
    """Every Rego file parsed once (the fixtures live in the test files)."""
    engine = regorus.Engine()
    for path in sorted(RULES_DIR.rglob("*.rego")):
        engine.add_policy(str(path.relative_to(RULES_DIR)), path.read_text())
    return engine


@cache
def fixture(name: str):
    return json.loads(_bundle().eval_rule_as_json(f"data.medinfra.fixtures.{name}"))


@pytest.mark.parametrize("plan", PLANS)
def test_fixture_property_names_are_declared_by_the_sdks(plan):
    for resource in fixture(plan).values():
        if resource["type"] in CUSTOM_RESOURCE_TYPES:
            manifest = {k: resource["props"][k] for k in ("apiVersion", "kind", "metadata", "spec")}
            assert crd_errors(manifest) == [], resource["name"]
            continue
        assert unknown_properties(resource["type"], resource["props"]) == [], resource["name"]


@pytest.mark.parametrize("plan", PLANS)
def test_each_compliant_fixture_plan_passes_every_rule(plan):
    resources = list(fixture(plan).values())
    for resource in resources:
        for path, urn in resource["references"].items():
            assert urn in {r["urn"] for r in resources}, f"{resource['name']} {path} -> {urn}"
    inventory = {"project": "medinfra", "stack": "test", "config": fixture("config"),
                 "settings": fixture("settings"), "resources": resources}
    found = EmbeddedEngine().evaluate(load_rules(), json.dumps(inventory), 30)
    assert {rule: entries for rule, entries in found.items() if entries} == {}


def test_fixture_settings_are_what_the_gate_computes_from_the_fixture_config():
    assert fixture("settings") == effective(fixture("config"), None)[0]


@pytest.mark.parametrize("plan", PLANS)
def test_rules_judge_resources_stripped_of_every_property_without_engine_errors(plan):
    """An engine error is a fail-closed MED-GATE finding, not a rule finding: rules must stay
    evaluable when any property or reference is missing (regorus raises, for example, on a
    set-rule head whose value is undefined)."""
    resources = [{**r, "props": {}, "references": {}} for r in fixture(plan).values()]
    inventory = {"project": "medinfra", "stack": "test", "config": {}, "resources": resources}
    found = EmbeddedEngine().evaluate(load_rules(), json.dumps(inventory), 30)
    flagged = {f["urn"] for entries in found.values() for f in entries}
    assert flagged  # and no EngineError was raised


def test_all_compliant_plans_together_twice_over_pass_every_rule():
    """One Inventory holding every platform, each plan twice (as two clusters or two copies of
    a store would be): rules must not conflict on repeated names (an engine error) and must
    still find nothing."""
    resources = []
    for copy in ("a", "b"):
        for plan in ("kserve", "azure", "gcp"):
            # Only URNs change: values may hold "::" too (AWS::MedicalImaging::Datastore).
            text = re.sub(r'"urn:pulumi:[^"]*"',
                          lambda m, c=copy: m.group(0).replace("::", f"::{c}-"),
                          json.dumps(list(fixture(plan).values())))
            resources += json.loads(text)
    inventory = {"project": "medinfra", "stack": "test", "config": fixture("config"),
                 "settings": fixture("settings"), "resources": resources}
    found = EmbeddedEngine().evaluate(load_rules(), json.dumps(inventory), 30)
    assert {rule: entries for rule, entries in found.items() if entries} == {}
