"""`medinfra promote`: each step edits only its keys (comments, order and quoting survive), each
refused step exits 2 naming the key and leaves the file untouched, and the gate blocks a prod
digest whose approval names another artefact."""

from __future__ import annotations

import datetime as dt
import difflib
import json

import pytest
from medinfra.policies.gate import GateOptions, evaluate
from medinfra.policies.strict_yaml import loads

from medinfra.promote import PromotionError, Step, apply

SHA = "3f1c7a9e0b5d2c4e8a6f1b3d5c7e9a0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a1c"
DIGEST = "sha256:" + "9b2e" * 16
NEW_SHA = "a" * 64
NEW_DIGEST = "sha256:" + "b" * 64
TODAY = dt.date(2026, 11, 2)

#: A stack file written by hand: comments everywhere, odd quoting, flow style, key order.
STACK = f"""\
# Hand-written: keep me.
config:
  azure-native:location: westeurope   # trailing comment
  medinfra:cloud: 'azure'
  medinfra:environment: "prod"
  medinfra:region: westeurope
  medinfra:allowedRegions: [westeurope]
  medinfra:tags: {{owner: ml-platform, costCenter: 'cc-1'}}
  medinfra:cluster:
    gpuPools:
      - {{name: t4, instanceType: Standard_NC4as_T4_v3, minSize: 0, maxSize: 2}}
  medinfra:serving:
    deploymentMode: {{mode}}
    storageInitializerDigest: sha256:{"5" * 64}
    kserveChartDigests: {{kserveCrd: "sha256:{"1" * 64}", kserveResources: 'sha256:{"2" * 64}'}}
  medinfra:models:
    # the one model
    - name: chest-xray
      format: pytorch   # weights format
      versions:
        - version: "2026.10.1"
          stage: prod
          storageUri: https://medinfraazurepmodels.blob.core.windows.net/models/cx/2026.10.1/
          sha256: {SHA}
          imageDigest: {DIGEST}
          approval:
            ticket: 'CAB-2291'
            approvedBy: dr.a.lindqvist
            date: "2026-10-01"
            sha256: {SHA}
            imageDigest: {DIGEST}
      maxReplicas: 6   # after versions, on purpose
# trailing file comment
"""


def stack(mode: str = "Knative") -> str:
    return STACK.replace("{mode}", mode)


def step(action: str, **kw) -> Step:
    return Step(action=action, model="chest-xray", today=TODAY, **kw)


ADD = {"version": "2026.11.0", "storage_uri":
       "https://medinfraazurepmodels.blob.core.windows.net/models/cx/2026.11.0/",
       "sha256": NEW_SHA, "image_digest": NEW_DIGEST}
APPROVE = {"ticket": "CAB-2300", "approved_by": "dr.b.okafor", "approved_on": "2026-11-01"}


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines())
            if line[:1] in "+-"]


def test_add_appends_a_candidate_and_a_log_entry_and_changes_nothing_else():
    before = stack()
    after, record = apply(before, step("add", **ADD))
    # Every line of the original survives, byte for byte, in order.
    assert [line for line in changed_lines(before, after) if line.startswith("-")] == []
    added = [line[2:].strip() for line in changed_lines(before, after)]
    assert added[:6] == ['- version: "2026.11.0"', "stage: candidate",
                         f"storageUri: {ADD['storage_uri']}", f"sha256: {NEW_SHA}",
                         f"imageDigest: {NEW_DIGEST}", "promotions:"]
    assert record["action"] == "add" and record["version"] == "2026.11.0"
    model = loads(after, "s")["config"]["medinfra:models"][0]
    assert [v["stage"] for v in model["versions"]] == ["prod", "candidate"]


def test_canary_then_prod_moves_only_the_promoted_keys_and_keeps_a_rollback_target():
    first, _ = apply(stack(), step("add", **ADD))
    canary, _ = apply(first, step("canary", version="2026.11.0", percent=10, **APPROVE))
    diff = changed_lines(first, canary)
    assert "-           stage: candidate" in diff and "+           stage: canary" in diff
    assert "+           canaryTrafficPercent: 10" in diff
    assert not [line for line in diff if line.startswith("-") and "candidate" not in line]
    prod, _ = apply(canary, step("prod", version="2026.11.0"))
    model = loads(prod, "s")["config"]["medinfra:models"][0]
    assert [(v["version"], v["stage"]) for v in model["versions"]] == [("2026.11.0", "prod")]
    assert model["versions"][0]["approval"]["imageDigest"] == NEW_DIGEST
    assert [v["version"] for v in model["previousProd"]] == ["2026.10.1"]
    assert [p["action"] for p in model["promotions"]] == ["add", "canary", "prod"]
    assert prod.startswith("# Hand-written: keep me.\n") and "# trailing comment" in prod
    assert "medinfra:cloud: 'azure'" in prod and "# the one model" in prod

    back, record = apply(prod, step("rollback"))
    model = loads(back, "s")["config"]["medinfra:models"][0]
    assert [(v["version"], v["stage"]) for v in model["versions"]] == [("2026.10.1", "prod")]
    assert "previousProd" not in model and record["action"] == "rollback"


@pytest.mark.parametrize(("text", "the_step", "key", "allowed"), [
    (stack(), step("add", **{**ADD, "version": None}), "--version", "a candidate needs"),
    (stack(), Step(action="prod", model="nope", today=TODAY), "--model", "chest-xray"),
    (stack(), step("prod", version="2026.10.1"), "medinfra:models[0].versions[0].stage",
     "only a candidate or the canary"),
    (stack(), step("canary", version="9.9", percent=5), "medinfra:models[0].versions",
     "one of the model's versions"),
    (stack("Standard"), step("canary", version="2026.10.1", percent=5),
     "medinfra:serving.deploymentMode", "kserve#5335"),
    (stack(), step("canary", version="2026.10.1", percent=101), "--percent", "0 to 100"),
    (stack(), step("rollback"), "medinfra:models[0].previousProd", "previously approved"),
])
def test_each_refused_step_names_the_key_and_what_is_allowed(text, the_step, key, allowed):
    with pytest.raises(PromotionError) as info:
        apply(text, the_step)
    assert info.value.key == key and allowed in info.value.allowed


def test_prod_needs_an_unexpired_approval_for_this_artefact():
    first, _ = apply(stack(), step("add", **ADD))
    with pytest.raises(PromotionError) as missing:
        apply(first, step("prod", version="2026.11.0"))
    assert missing.value.key == "medinfra:models[0].versions[1].approval"
    assert "it has no approval" in missing.value.allowed
    with pytest.raises(PromotionError) as expired:
        apply(first, step("prod", version="2026.11.0", **APPROVE, expires="2026-11-01"))
    assert "expired on 2026-11-01" in expired.value.allowed


def test_cli_refuses_with_exit_2_and_leaves_the_file_byte_for_byte(cli, platform_copy):
    project = platform_copy({"p": stack("Standard")})
    path = project / "stacks" / "Pulumi.p.yaml"
    before = path.read_bytes()
    result = cli("promote", "canary", "--dir", str(project), "--stack", "p", "--model",
                 "chest-xray", "--version", "2026.10.1", "--percent", "10")
    assert result.code == 2
    assert "medinfra:serving.deploymentMode" in result.stderr and "Standard" in result.stderr
    assert path.read_bytes() == before
    ok = cli("promote", "add", "--dir", str(project), "--stack", "p", "--model", "chest-xray",
             "--version", ADD["version"], "--storage-uri", ADD["storage_uri"], "--sha256",
             NEW_SHA, "--image-digest", NEW_DIGEST, "--today", "2026-11-02")
    assert ok.code == 0, ok.stderr
    assert path.read_text() == apply(before.decode(), step("add", **ADD))[0]


def _inventory(approval_digest: str) -> dict:
    isvc = {"urn": "urn:pulumi:p::medinfra::kubernetes:serving.kserve.io/v1beta1:"
            "InferenceService::model-chest-xray", "type": "kubernetes:serving.kserve.io/v1beta1:"
            "InferenceService", "name": "model-chest-xray", "props": {"metadata": {
                "name": "chest-xray", "annotations": {
                    "medinfra.io/model-sha256": SHA, "medinfra.io/model-version": "2026.10.1",
                    "medinfra.io/image-digest": DIGEST}}}}
    version = {"version": "2026.10.1", "stage": "prod", "sha256": SHA, "imageDigest": DIGEST,
               "approval": {"ticket": "CAB-1", "approvedBy": "dr.a", "date": "2026-10-01",
                            "sha256": SHA, "imageDigest": approval_digest, "expires": "2027-01-01"}}
    return {"project": "medinfra", "stack": "p", "resources": [isvc], "config": {
        "environment": "prod", "models": [{"name": "chest-xray", "versions": [version]}]}}


class _NoCheckov:
    def scan(self, resources, selection, timeout_s):
        from medinfra.policies.checkov_bridge.runner import Scan

        return Scan()


def _srv006(inventory: dict, today: dt.date) -> list[str]:
    result = evaluate(json.loads(json.dumps(inventory)),
                      GateOptions(today=today, checkov=_NoCheckov()))
    return [f.message for f in result.findings if f.id == "MED-SRV-006"]


def test_gate_blocks_a_prod_digest_whose_approval_names_another_image():
    assert _srv006(_inventory(DIGEST), dt.date(2026, 12, 31)) == []
    found = _srv006(_inventory(NEW_DIGEST), dt.date(2026, 12, 31))
    assert found and any(f"not {DIGEST}" in m for m in found)


def test_gate_judges_expiry_on_the_day_it_is_given():
    assert _srv006(_inventory(DIGEST), dt.date(2027, 1, 1)) == []
    assert any("expired on 2027-01-01" in m
               for m in _srv006(_inventory(DIGEST), dt.date(2027, 1, 2)))
