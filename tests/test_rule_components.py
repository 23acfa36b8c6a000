"""Every rule names, per cloud, the component file and the Args field or function that satisfies
it (METADATA `satisfied_by`); each named file exists and each named symbol is defined in it.
Files are parsed with `ast`, never imported."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest
from medinfra.policies.rules import RuleError, load_rule, load_rules, satisfied_by_entry

from tests.conftest import REPO

RULES = load_rules()


@cache
def _symbols(path: Path) -> set[str]:
    """`Class`, `Class.field`, `Class.method()` and `function()` defined at a file's top level."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.add(f"{node.name}()")
        elif isinstance(node, ast.ClassDef):
            found.add(node.name)
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    found.add(f"{node.name}.{item.target.id}")
                elif isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found.add(f"{node.name}.{item.name}()")
    return found


def _missing(entry: str) -> list[str]:
    parsed = satisfied_by_entry(entry)
    if parsed is None:
        return []
    path, symbols = parsed
    file = REPO / path
    if not file.is_file():
        return [f"{path}: no such file"]
    return [f"{path}: {s} is not defined there" for s in symbols if s not in _symbols(file)]


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_component_symbol_a_rule_names_exists(rule):
    problems = [p for entries in rule.satisfied_by.values() for e in entries for p in _missing(e)]
    assert problems == []


def test_rules_name_components_for_most_of_what_they_check():
    """`none:` is for what no component creates; it must stay the exception."""
    entries = [e for r in RULES for es in r.satisfied_by.values() for e in es]
    named = [e for e in entries if satisfied_by_entry(e)]
    assert len(named) >= 0.9 * len(entries)
    assert {"aws", "azure", "gcp", "k8s"} <= {c for r in RULES for c in r.satisfied_by}


def test_symbol_check_finds_a_renamed_args_field_and_a_missing_file():
    assert _missing("components/aws/data_store.py: DataStoreArgs.key_arn / DataStore") == []
    assert _missing("components/aws/data_store.py: DataStoreArgs.kms_key_arn") == [
        "components/aws/data_store.py: DataStoreArgs.kms_key_arn is not defined there"
    ]
    assert _missing("components/aws/data_store.py: DataStore()") == [
        "components/aws/data_store.py: DataStore() is not defined there"
    ]
    assert _missing("components/k8s/isvc_spec.py: render() / IsvcInputs.image") == []
    assert _missing("components/aws/nope.py: Nope") == ["components/aws/nope.py: no such file"]


def _with_satisfied_by(tmp_path: Path, block: str) -> Path:
    """The store-encryption rule, copied, with its `satisfied_by` replaced by `block`."""
    rule = next(r for r in RULES if r.id == "MED-ENC-001")
    head, tail = rule.source.split("#   satisfied_by:\n", 1)
    rest = tail[tail.index("package ") :]
    directory = tmp_path / rule.name
    directory.mkdir()
    (directory / rule.path.name).write_text(head + block + rest)
    (directory / f"{rule.name}_test.rego").write_text("")
    return directory


GOOD = (
    "#   satisfied_by:\n"
    '#     aws:\n#       - "components/aws/data_store.py: DataStoreArgs.key_arn"\n'
    '#     azure:\n#       - "components/azure/data_store.py: DataStore"\n'
    '#     gcp:\n#       - "components/gcp/bucket_baseline.py: bucket_baseline()"\n'
)


def test_a_valid_satisfied_by_loads(tmp_path):
    rule = load_rule(_with_satisfied_by(tmp_path, GOOD))
    assert rule.satisfied_by["aws"] == ("components/aws/data_store.py: DataStoreArgs.key_arn",)


@pytest.mark.parametrize(
    ("block", "problem"),
    [
        ("", "'satisfied_by' is a required property"),
        (
            GOOD.replace(
                '#     gcp:\n#       - "components/gcp/bucket_baseline.py: bucket_baseline()"\n', ""
            ),
            "clouds ['aws', 'azure'] must be exactly those of resource_types",
        ),
        (
            GOOD + '#     k8s:\n#       - "components/k8s/isvc_spec.py: render()"\n',
            "must be exactly those of resource_types",
        ),
        (
            GOOD.replace("components/aws/data_store.py", "components/gcp/data_store.py"),
            "satisfied_by.aws: components/gcp/data_store.py is not a aws component",
        ),
        (
            GOOD.replace("data_store.py: DataStoreArgs.key_arn", "data_store.py DataStoreArgs"),
            "does not match",
        ),
        (GOOD.replace("components/aws/data_store.py", "components/config.py"), "does not match"),
        (GOOD.replace("#     aws:", "#     amazon:"), "Additional properties"),
    ],
)
def test_an_invalid_satisfied_by_fails_the_catalogue_load(tmp_path, block, problem):
    with pytest.raises(RuleError) as raised:
        load_rule(_with_satisfied_by(tmp_path, block))
    assert any(problem in p for p in raised.value.problems), raised.value.problems
