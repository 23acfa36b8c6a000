"""The platform-stack / model-stack pattern judged with the organisation's trusted-external
settings: the model stack's registry, key and identity come from the platform stack's outputs
(a StackReference) and are allowed when the policy-pack config trusts them, blocked by their
own rule when it does not.

Needs `--policy-pack-config` and the `medinfra-settings` trust matching (branch packcfg), plus
MED-HRD-003's and MED-IAM-005's stack-output findings accepting a trusted registry / identity
(see the integration note in the orgpack report)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REPO

MODEL_STACK = REPO / "examples" / "model-stack"
OUTPUTS = MODEL_STACK / "platform-outputs.json"
PACK_CONFIG = MODEL_STACK / "policy-pack-config.json"


def _preview(cli, config):
    return cli("preview", "--dir", str(MODEL_STACK), "--stack", "prod", "--format", "json",
               "--direct", "--stack-outputs", f"acme/medinfra/aws-prod={OUTPUTS}",
               "--policy-pack-config", str(config))


def test_the_model_stack_is_allowed_when_the_organisation_trusts_the_platform(cli):
    result = _preview(cli, PACK_CONFIG)
    assert result.code == 0, result.stdout + result.stderr
    assert result.json()["decision"] == "allow"


@pytest.mark.parametrize("setting, other, rule", [
    ("trustedRegistries", "111122223333.dkr.ecr.us-east-1.amazonaws.com/other-team", "MED-HRD-003"),
    ("trustedKeys", "arn:aws:kms:us-east-1:444455556666:key/*", "MED-ENC-005"),
    ("trustedIdentities", "arn:aws:iam::111122223333:role/other-team-*", "MED-IAM-005"),
])
def test_a_platform_value_outside_the_trusted_settings_is_blocked_by_its_rule(
    cli, tmp_path, setting, other, rule
):
    config = json.loads(PACK_CONFIG.read_text())
    config["medinfra-settings"][setting] = [other]
    path = tmp_path / "policy-pack-config.json"
    path.write_text(json.dumps(config))
    result = _preview(cli, path)
    assert result.code == 1, result.stdout + result.stderr
    blocking = {f["id"] for f in result.json()["findings"]
                if f["enforcement"] == "mandatory" and not f["waiver"]}
    assert blocking == {rule}
