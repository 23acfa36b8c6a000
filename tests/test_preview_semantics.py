"""What the offline preview answers for registered resources, as the Pulumi engine does:
a new stack (--new-stack), an exported stack (--state FILE), or synthetic ids (the default)."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import PROGRAMS, REPO

MINIMAL = REPO / "examples" / "minimal-bucket"
KEY_URN = "urn:pulumi:dev::minimal-bucket::aws:kms/key:Key::data"
BUCKET_URN = "urn:pulumi:dev::minimal-bucket::aws:s3/bucket:Bucket::data"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
KEY_ARN = "arn:aws:kms:eu-west-1:210987654321:key/0b5d9e2c-recorded"


def _plan(cli, tmp_path, *flags, program=MINIMAL, stack="dev"):
    inventory = tmp_path / f"inventory{len(list(tmp_path.iterdir()))}.json"
    result = cli("preview", "--dir", str(program), "--stack", stack, "--direct",
                 "--format", "json", "--inventory", str(inventory), *flags)
    assert result.code in (0, 1), result.stderr
    document = json.loads(inventory.read_text())
    return result.json(), {r["urn"]: r for r in document["resources"]}


def _one(resources, type_):
    (found,) = [r for r in resources.values() if r["type"] == type_]
    return found


def test_a_new_stack_leaves_ids_and_computed_outputs_unknown(cli, tmp_path):
    report, resources = _plan(cli, tmp_path)  # the default; --new-stack says it explicitly
    assert report["preview"]["mode"] == "new-stack"
    sse = _one(resources, SSE)
    # The bucket's id and the key's ARN do not exist before the first `pulumi up`...
    assert "/bucket" in sse["unknowns"]
    assert "/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyId" in sse["unknowns"]
    # ...but where each came from is known, which is what the gate judges them by.
    assert sse["references"]["/bucket"] == BUCKET_URN
    assert sse["references"]["/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyId"] == (
        KEY_URN
    )
    assert report["preview"]["unknown_values"] == sum(
        len(r["unknowns"]) for r in resources.values()
    )


def test_synthetic_outputs_know_every_id_and_are_reported_as_such(cli, tmp_path):
    report, resources = _plan(cli, tmp_path, "--synthetic-outputs")
    assert report["preview"]["mode"] == "synthetic"
    sse = _one(resources, SSE)
    assert sse["unknowns"] == [] and sse["references"]["/bucket"] == BUCKET_URN


def test_an_exported_stack_gives_its_resources_their_recorded_outputs(cli, tmp_path):
    export = {"version": 3, "deployment": {"resources": [
        {"urn": KEY_URN, "custom": True, "type": "aws:kms/key:Key", "id": "0b5d9e2c-recorded",
         "outputs": {"arn": KEY_ARN, "keyId": "0b5d9e2c-recorded"}},
        {"urn": BUCKET_URN, "custom": True, "type": "aws:s3/bucket:Bucket",
         "id": "data-recorded", "outputs": {"bucket": "data-recorded",
                                            "arn": "arn:aws:s3:::data-recorded"}},
    ]}}
    state = tmp_path / "state.json"
    state.write_text(json.dumps(export))
    report, resources = _plan(cli, tmp_path, "--state", str(state))
    assert report["preview"]["mode"] == "existing-stack"
    sse = _one(resources, SSE)
    assert sse["unknowns"] == []
    assert sse["props"]["bucket"] == "data-recorded"
    rule = sse["props"]["rules"][0]["applyServerSideEncryptionByDefault"]
    assert rule["kmsMasterKeyId"] == KEY_ARN
    assert sse["references"]["/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyId"] == (
        KEY_URN
    )
    # A resource the export does not hold is new, but what it takes from recorded ones is known.
    parameter = _one(resources, "aws:ssm/parameter:Parameter")
    assert parameter["props"]["keyId"] == KEY_ARN and "/keyId" not in parameter["unknowns"]


@pytest.mark.parametrize(("content", "why"), [
    ("{not json", "not JSON"),
    ('{"version": 3}', "pulumi stack export"),
    ('{"deployment": {"resources": [{"id": "x"}]}}', "resources[0] has no urn"),
])
def test_a_bad_state_file_is_one_clear_error(cli, tmp_path, content, why):
    state = tmp_path / "state.json"
    state.write_text(content)
    result = cli("preview", "--dir", str(MINIMAL), "--stack", "dev", "--state", str(state))
    assert result.code == 2
    assert why in result.stderr and str(state) in result.stderr
    assert "Traceback" not in result.stderr


def test_state_is_one_stacks_export(cli, tmp_path):
    state = tmp_path / "state.json"
    state.write_text('{"deployment": {"resources": []}}')
    result = cli("preview", "--all-stacks", "--state", str(state))
    assert result.code == 2 and "--state" in result.stderr


@pytest.mark.parametrize("mode", [[], ["--synthetic-outputs"]])
def test_secret_names_plan_and_never_reach_an_id_arn_or_report(cli, tmp_path, mode):
    program = tmp_path / "program"
    shutil.copytree(PROGRAMS / "secret-names", program)
    sarif, markdown = tmp_path / "out.sarif", tmp_path / "out.md"
    inventory = tmp_path / "inventory.json"
    result = cli("preview", "--dir", str(program), "--stack", "test", "--format", "json",
                 "--inventory", str(inventory), "--sarif", str(sarif),
                 "--markdown", str(markdown), *mode)
    assert result.code in (0, 1), result.stderr  # judged, not refused as bad input
    text = cli("preview", "--dir", str(program), "--stack", "test", "--direct", *mode)
    for canary in ("SECRET-NAME-CANARY", "ROLE-NAME-CANARY-7f3a"):
        for where in (result.stdout, result.stderr, text.stdout, text.stderr,
                      inventory.read_text(), sarif.read_text(), markdown.read_text()):
            assert canary not in where
    resources = {r["type"]: r for r in json.loads(inventory.read_text())["resources"]}
    bucket = resources["aws:s3/bucket:Bucket"]
    assert bucket["props"]["bucket"] == "[secret]" and "/bucket" in bucket["secrets"]


@pytest.mark.parametrize("stack", ["aws-dev", "azure-dev"])
def test_a_stack_deployed_as_planned_is_allowed_when_judged_from_its_export(tmp_path, cli, stack):
    """`--state` with the export of a stack deployed as planned (synthetic ids): its resources
    have their recorded outputs (nested ones too, such as an AKS cluster's OIDC issuer), so
    nothing is unknown, and the gate decides as on a new stack."""
    from medinfra.planner import plan
    from medinfra.project import load_project, load_stack_config

    project = load_project(REPO)
    deployed = plan(project, load_stack_config(project, stack),
                    semantics={"mode": "synthetic", "record_state": True})
    assert len(deployed.state) > 50
    state = tmp_path / f"{stack}.export.json"
    state.write_text(json.dumps({"version": 3, "deployment": {"resources": deployed.state}}))
    existing = cli("preview", "--stack", stack, "--state", str(state), "--format", "json")
    assert existing.code == 0, existing.stderr
    report = existing.json()
    assert report["preview"]["mode"] == "existing-stack"
    new = cli("preview", "--stack", stack, "--format", "json").json()
    assert report["preview"]["unknown_values"] < new["preview"]["unknown_values"]
    assert [f["id"] for f in report["findings"]] == [f["id"] for f in new["findings"]]


def test_every_reference_stack_passes_its_own_gate_as_a_new_stack(all_stacks):
    """README command 1: the default semantics are a first preview of a stack that does not
    exist yet, and all six reference stacks deploy through their own gate."""
    assert all_stacks.result.code == 0, all_stacks.result.stderr
    reports = {r["stack"]: r for r in all_stacks.result.json()["stacks"]}
    assert len(reports) == 6
    for stack, report in reports.items():
        assert report["decision"] == "allow", stack
        assert report["preview"]["mode"] == "new-stack", stack
        assert not [f for f in report["findings"]
                    if f["enforcement"] == "mandatory" and not f["waiver"]], stack
        # The Kubernetes provider is fed by the new cluster's kubeconfig: not configurable yet.
        (provider,) = report["preview"]["unconfigured_providers"]
        assert provider.endswith("pulumi:providers:kubernetes::cluster-k8s"), stack
    # What a first preview cannot know is a lot, and it is real.
    assert reports["aws-prod"]["preview"]["unknown_values"] > 100


def test_a_new_clusters_kubernetes_resources_are_judged_on_their_inputs(all_stacks):
    inventory = json.loads((all_stacks.inventories / "aws-prod.json").read_text())
    kubernetes = [r for r in inventory["resources"] if r["provider"] == "kubernetes"
                  and not r["type"].startswith("pulumi:providers:")]
    assert kubernetes and all(r.get("no_outputs") for r in kubernetes)
    (isvc,) = [r for r in kubernetes if r["type"].endswith(":InferenceService")]
    assert isvc["props"]["spec"]["predictor"]["model"]["securityContext"]["privileged"] is False
    # Resources of configured providers have their inputs echoed as outputs.
    assert not [r for r in inventory["resources"]
                if r["provider"] == "aws" and r.get("no_outputs")]


def test_every_data_source_a_valid_program_calls_is_answered(cli, tmp_path):
    program = PROGRAMS / "data-sources"
    report, resources = _plan(cli, tmp_path, program=program, stack="test")
    member = _one(resources, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
    # Fixed by convention: Cloud Storage's service agent is named after the project number.
    assert member["props"]["member"].endswith("@gs-project-accounts.iam.gserviceaccount.com")
    # Not knowable offline: the existing key ring's id is unknown, not invented.
    key = _one(resources, "gcp:kms/cryptoKey:CryptoKey")
    assert "/keyRing" in key["unknowns"]


def test_data_source_answers_can_be_given_in_a_file(cli, tmp_path):
    ring = "projects/hospital-imaging/locations/europe-west4/keyRings/existing"
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"gcp:kms/getKMSKeyRing:getKMSKeyRing:\n  id: {ring}\n  name: existing\n")
    _, resources = _plan(cli, tmp_path, "--data-sources", str(answers),
                         program=PROGRAMS / "data-sources", stack="test")
    key = _one(resources, "gcp:kms/cryptoKey:CryptoKey")
    assert key["props"]["keyRing"] == ring and "/keyRing" not in key["unknowns"]


@pytest.mark.parametrize(("content", "why"), [
    ("- a list\n", "expected a mapping"),
    ("not-a-token: {}\n", "'not-a-token' is not a data-source token"),
    ("gcp:kms/getKMSKeyRing:getKMSKeyRing: 3\n", "got int"),
    ("a:b:c: {}\na:b:c: {}\n", "line"),
])
def test_a_bad_data_sources_file_is_one_clear_error(cli, tmp_path, content, why):
    answers = tmp_path / "answers.yaml"
    answers.write_text(content)
    result = cli("preview", "--dir", str(PROGRAMS / "data-sources"), "--stack", "test",
                 "--data-sources", str(answers))
    assert result.code == 2 and why in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
