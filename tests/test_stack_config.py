"""Reading Pulumi.yaml and stack files with the Pulumi CLI's config semantics."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from medinfra.components.config import PlatformConfig

from medinfra.project import (
    SECRET_PLACEHOLDER,
    InputError,
    _project_schema,
    load_project,
    load_stack_config,
)
from tests.conftest import REPO

PROJECT = """\
name: demo
runtime: python
config:
  mode:
    type: string
    default: fast
  replicas:
    type: integer
  zones:
    type: array
    items:
      type: string
  password:
    type: string
    secret: true
  aws:region: us-east-2
"""


@pytest.fixture
def project(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    (tmp_path / "__main__.py").write_text("")

    def with_stack(text: str, name: str = "s"):
        (tmp_path / f"Pulumi.{name}.yaml").write_text(text)
        return load_project(tmp_path)

    return with_stack


GOOD = """\
config:
  demo:replicas: 3
  demo:zones: [a, b]
  demo:password:
    secure: v1:abc
"""


def test_project_defaults_and_short_form_values_apply(project):
    config = load_stack_config(project(GOOD), "s")
    assert config.values["demo:mode"] == "fast"
    assert config.values["aws:region"] == "us-east-2"
    assert config.values["demo:replicas"] == "3"
    assert json.loads(config.values["demo:zones"]) == ["a", "b"]


def test_stack_values_override_project_values(project):
    config = load_stack_config(project(GOOD + "  aws:region: eu-north-1\n  demo:mode: slow\n"), "s")
    assert config.values["aws:region"] == "eu-north-1"
    assert config.values["demo:mode"] == "slow"


def test_secure_values_become_placeholders_marked_secret(project):
    config = load_stack_config(project(GOOD), "s")
    assert config.values["demo:password"] == SECRET_PLACEHOLDER
    assert config.secret_keys == {"demo:password"}
    assert "v1:abc" not in json.dumps(config.values)


def test_nested_secure_value_marks_the_whole_key_secret(project):
    text = GOOD + "  demo:db:\n    host: h\n    pass:\n      secure: v1:NESTED\n"
    config = load_stack_config(project(text), "s")
    assert "demo:db" in config.secret_keys
    assert json.loads(config.values["demo:db"]) == {"host": "h", "pass": SECRET_PLACEHOLDER}
    assert config.project_values("demo")["db"] == SECRET_PLACEHOLDER


def test_unnamespaced_keys_belong_to_the_project(project):
    config = load_stack_config(project(GOOD + "  mode: slow\n"), "s")
    assert config.values["demo:mode"] == "slow"


def test_every_problem_is_reported_at_once(project):
    text = "config:\n  demo:replicas: many\n  demo:zones: a\n  demo:password: plain\n"
    with pytest.raises(InputError) as info:
        load_stack_config(project(text), "s")
    message = str(info.value)
    assert 'demo:replicas: got "many"; Pulumi.yaml declares type integer' in message
    assert 'demo:zones: got "a"; Pulumi.yaml declares type array' in message
    assert "demo:password: must be encrypted" in message


def test_missing_required_keys_are_named(project):
    with pytest.raises(InputError) as info:
        load_stack_config(project("config: {}\n"), "s")
    assert "missing required config value(s): demo:password, demo:replicas, demo:zones" in str(
        info.value
    )


def test_invalid_yaml_names_the_line(project):
    with pytest.raises(InputError) as info:
        load_stack_config(project("config:\n  a: [1,\n"), "s")
    assert "Pulumi.s.yaml, line 3: not valid YAML" in str(info.value)


def test_unknown_stack_lists_the_stacks_that_exist(project):
    with pytest.raises(InputError) as info:
        load_stack_config(project(GOOD, name="prod"), "staging")
    assert "stacks here: prod" in str(info.value)


def test_project_file_is_checked_against_pulumis_schema(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: x\nconfig:\n  k:\n    type: object\n")
    with pytest.raises(InputError) as info:
        load_project(tmp_path)
    assert "not a valid Pulumi project file" in str(info.value)
    assert "(top level): 'runtime' is a required property" in str(info.value)


def test_non_python_runtime_is_rejected(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: nodejs\n")
    with pytest.raises(InputError) as info:
        load_project(tmp_path)
    assert "runs Python programs only" in str(info.value)


def test_medinfra_project_file_is_valid_for_the_pulumi_cli():
    data = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    jsonschema.validate(data, _project_schema())
    project = load_project(REPO)
    assert project.name == "medinfra"
    assert project.stack_config_dir == REPO / "stacks"
    assert project.main == REPO / "__main__.py"


def test_every_scalar_and_array_config_key_is_typed_in_pulumi_yaml():
    declared = yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"]
    schema = PlatformConfig.model_json_schema(by_alias=True)["properties"]
    for name, prop in schema.items():
        kind = prop.get("type") or next(
            (a.get("type") for a in prop.get("anyOf", []) if a.get("type") != "null"), None
        )
        if kind in ("string", "integer", "boolean", "array") and "$ref" not in str(
            prop.get("items", {})
        ):
            assert name in declared, f"{name} is not declared in Pulumi.yaml"
            assert declared[name]["type"] == kind
            if "default" in prop:
                assert declared[name]["default"] == prop["default"]
            assert declared[name]["description"]
    assert set(declared) <= set(schema)
