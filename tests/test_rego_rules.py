"""Every rule's sibling test file, run on the embedded engine; and the catalogue's metadata."""

from __future__ import annotations

import json
import re
from functools import cache

import pytest
import regorus
from medinfra.components.config import (
    DEFAULT_CLASSIFICATION,
    DEPLOYMENT_MODE_ANNOTATION,
    GPU_RESOURCE,
    MIN_LOG_RETENTION_DAYS,
    MODEL_SHA_ANNOTATION,
    MODEL_VERSION_ANNOTATION,
    PHI,
    rego_data,
)
from medinfra.policies.rules import RULES_DIR, library_sources, load_rules
from medinfra.policies.settings import effective


def _cases():
    for test_file in sorted(RULES_DIR.rglob("*_test.rego")):
        text = test_file.read_text()
        package = re.search(r"^package\s+(\S+)", text, re.M).group(1)
        for name in re.findall(r"^(test_\w+)\s+if", text, re.M):
            yield pytest.param(package, name, id=f"{test_file.parent.name}::{name}")


@cache
def _parsed() -> regorus.Engine:
    """Every rule, library and test file, parsed once (parsing dominates the suite's time)."""
    engine = regorus.Engine()
    for path in sorted(RULES_DIR.rglob("*.rego")):
        engine.add_policy(str(path.relative_to(RULES_DIR)), path.read_text())
    return engine


@pytest.mark.parametrize(("package", "name"), list(_cases()))
def test_rego_rule_case(package, name):
    engine = _parsed().clone()  # a fresh copy per case: no state shared between cases
    assert json.loads(engine.eval_rule_as_json(f"data.{package}.{name}")) is True


def test_every_rule_has_tests_with_a_passing_and_a_failing_case():
    for rule in load_rules():
        text = (rule.path.parent / f"{rule.name}_test.rego").read_text()
        names = re.findall(r"^test_(\w+)\s+if", text, re.M)
        assert any("pass" in n for n in names), rule.name
        assert sum("fail" in n for n in names) >= 2, rule.name
        assert any("omitted" in n or "without" in n or "missing" in n for n in names), rule.name


def test_catalogue_loads_with_unique_ids_and_full_metadata():
    rules = load_rules()
    assert [r.id for r in rules] == sorted({r.id for r in rules})
    for rule in rules:
        assert rule.title and rule.description and rule.remediation
        assert any(rule.controls.values()), rule.id
        assert rule.package == f"medinfra.rules.{rule.name}"
    assert library_sources()


def test_required_tags_rule_checks_exactly_the_types_its_metadata_lists():
    rule = next(r for r in load_rules() if r.id == "MED-TAG-001")
    engine = regorus.Engine()
    engine.add_policy("rule.rego", rule.source)
    checked = json.loads(engine.eval_rule_as_json(f"data.{rule.package}.taggable"))
    k8s = json.loads(engine.eval_rule_as_json(f"data.{rule.package}.k8s_taggable"))
    assert sorted([*checked, *k8s]) == sorted(rule.resource_types)


def test_generated_rego_constants_are_current(tmp_path):
    committed = (RULES_DIR / "lib" / "constants.rego").read_text()
    out = tmp_path / "constants.rego"
    assert rego_data.main(["--out", str(out)]) == 0
    assert committed == out.read_text() == rego_data.rego_module(), (
        "run: python -m medinfra.components.config.rego_data --out policies/rego/lib/constants.rego"
    )


def test_rules_read_the_config_constants_not_copies():
    engine = _parsed().clone()
    engine.set_input_json(json.dumps({"project": "p", "stack": "s", "config": {}, "resources": []}))

    def value(path: str):
        return json.loads(engine.eval_rule_as_json(path))

    assert value("data.medinfra.lib.is_phi") is (DEFAULT_CLASSIFICATION == PHI)
    # The classification a tag must state is settled by the gate (policies/settings.py).
    settings, _ = effective({}, None)
    assert settings["requiredTags"]["tags"]["dataClassification"] == [DEFAULT_CLASSIFICATION]
    assert value("data.medinfra.rules.log_retention_minimum.minimum") == MIN_LOG_RETENTION_DAYS
    sources = {rule.name: rule.source for rule in load_rules()} | library_sources()
    del sources["constants.rego"]
    literals = [json.dumps(v) for v in (DEFAULT_CLASSIFICATION, PHI, MODEL_SHA_ANNOTATION,
                                        MODEL_VERSION_ANNOTATION, DEPLOYMENT_MODE_ANNOTATION,
                                        GPU_RESOURCE)]
    for name, source in sources.items():
        code = "\n".join(line for line in source.splitlines() if not line.startswith("#"))
        for literal in [*literals, str(MIN_LOG_RETENTION_DAYS)]:
            assert literal not in code, (name, literal)
