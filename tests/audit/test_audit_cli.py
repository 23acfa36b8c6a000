"""`medinfra audit` / `preflight` input handling: one clear line and exit 2, or exit 3 when
AWS cannot be read; never a traceback. None of these reach an AWS endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

NO_AWS = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
NO_AWS.update(AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/nonexistent/config",
              AWS_SHARED_CREDENTIALS_FILE="/nonexistent/credentials", PYTHONPATH=str(REPO))


def _cli(*args):
    run = subprocess.run([sys.executable, "-m", "medinfra.cli", *args], cwd=REPO, env=NO_AWS,
                         capture_output=True, text=True, timeout=120)
    assert "Traceback" not in run.stderr
    return run


@pytest.fixture
def tiny_plan(tmp_path):
    def write(config: dict, stack: str = "aws-dev"):
        path = tmp_path / f"{stack}.json"
        path.write_text(json.dumps({"project": "medinfra", "stack": stack, "config": config,
                                    "resources": []}))
        return str(path)

    return write


@pytest.mark.parametrize("command", ["audit", "preflight"])
def test_a_plan_file_that_does_not_exist_is_bad_input(command, tmp_path):
    run = _cli(command, "--stack", "aws-dev", "--plan", str(tmp_path / "none.json"))
    assert run.returncode == 2
    assert run.stderr.strip() == (f"medinfra: error: --plan {tmp_path / 'none.json'}: cannot "
                                  "read it (No such file or directory)")


def test_a_plan_of_another_stack_is_bad_input(tiny_plan):
    run = _cli("audit", "--stack", "aws-dev", "--plan", tiny_plan({"cloud": "aws"}, "aws-prod"))
    assert run.returncode == 2
    assert "holds stack 'aws-prod', not --stack 'aws-dev'" in run.stderr


def test_a_plan_that_is_not_an_inventory_is_bad_input(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[1, 2]")
    run = _cli("audit", "--stack", "aws-dev", "--plan", str(path))
    assert run.returncode == 2 and "not an Inventory" in run.stderr


def test_an_azure_stack_is_bad_input_for_the_aws_reader(tiny_plan):
    run = _cli("audit", "--stack", "aws-dev", "--plan", tiny_plan({"cloud": "azure"}))
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "medinfra: error: medinfra:cloud: got 'azure'; audit reads 'aws' stacks only "
        "(Azure and GCP readers are not built yet)")


@pytest.mark.parametrize(("flag", "value", "message"), [
    ("--endpoint-url", "ftp://example", "--endpoint-url 'ftp://example': expected an http(s) URL"),
    ("--max-attempts", "0", "--max-attempts 0: must be between 1 and 20"),
    ("--region", "mars-1", "--region 'mars-1': expected an AWS region such as us-east-1"),
])
def test_bad_flags_are_named_with_what_is_allowed(tiny_plan, flag, value, message):
    run = _cli("audit", "--stack", "aws-dev", "--plan",
               tiny_plan({"cloud": "aws", "region": "us-east-1"}), flag, value)
    assert run.returncode == 2
    assert message in run.stderr


def test_an_audit_without_credentials_is_one_line_and_exit_3(tiny_plan):
    run = _cli("audit", "--stack", "aws-dev", "--plan",
               tiny_plan({"cloud": "aws", "region": "us-east-1"}),
               "--endpoint-url", "http://127.0.0.1:9")
    assert run.returncode == 3
    assert run.stderr.strip() == (
        "medinfra: audit could not complete (fail closed): sts.GetCallerIdentity: no AWS "
        "credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
        "(read-only access is enough)")


@pytest.mark.parametrize(("document", "message"), [
    ('{"medinfra-settings": {"allowedRegion": ["us-east-1"]}}',
     "medinfra-settings.allowedRegion: unknown key; allowed: allowedRegions"),
    ('{"medinfra-settings": {"logRetentionDays": 0}}',
     "medinfra-settings.logRetentionDays: got 0; must be >= 1"),
    ("[1]", "got a JSON list; expected an object"),
])
def test_a_bad_policy_pack_config_is_named_before_aws_is_read(tiny_plan, tmp_path, document,
                                                              message):
    path = tmp_path / "policy-pack-config.json"
    path.write_text(document)
    run = _cli("audit", "--stack", "aws-dev", "--plan",
               tiny_plan({"cloud": "aws", "region": "us-east-1"}),
               "--policy-pack-config", str(path), "--endpoint-url", "http://127.0.0.1:9")
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"medinfra: error: --policy-pack-config {path}")
    assert message in run.stderr
