"""StackReferences offline: `medinfra preview --stack-outputs NAME=FILE` answers a
`pulumi.StackReference` as the engine's builtin provider does in a preview (the referenced
stack's outputs, secret ones secret), a referenced stack without outputs is unknown, and the
Inventory records which values came from which stack (`stack_outputs`)."""

from __future__ import annotations

import json

import pytest
from medinfra.policies.stack_refs import annotate, without_outputs

from medinfra.project import InputError
from medinfra.stack_outputs import SECRET_SIG, SIG_KEY, parse
from tests.conftest import REPO

MODEL_STACK = REPO / "examples" / "model-stack"
OUTPUTS = MODEL_STACK / "platform-outputs.json"
PLATFORM = "acme/medinfra/aws-prod"
REF_URN = f"urn:pulumi:prod::model-stack::pulumi:pulumi:StackReference::{PLATFORM}"


def _secret(value):
    return {SIG_KEY: SECRET_SIG, "value": value}


def test_stack_output_json_keeps_secret_outputs_secret(tmp_path):
    path = tmp_path / "out.json"
    path.write_text(json.dumps({"url": "r.example/x", "kubeconfig": "[secret]",
                                "nested": {"token": "[secret]", "n": 1}}))
    assert parse([f"{PLATFORM}={path}"]) == {PLATFORM: {
        "url": "r.example/x", "kubeconfig": _secret("[secret]"),
        "nested": {"token": _secret("[secret]"), "n": 1},
    }}


def test_a_stack_export_gives_its_root_outputs_with_secrets_marked(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": [
        {"urn": "urn:pulumi:prod::platform::pulumi:pulumi:Stack::platform-prod",
         "type": "pulumi:pulumi:Stack", "custom": False, "outputs": {
             "registryUrl": "r.example/x",
             "shown": {SIG_KEY: SECRET_SIG, "plaintext": "\"kube\""},
             "hidden": {SIG_KEY: SECRET_SIG, "ciphertext": "AAAA"}}},
        {"urn": "urn:pulumi:prod::platform::aws:kms/key:Key::k", "type": "aws:kms/key:Key",
         "outputs": {"arn": "arn:aws:kms:x"}},
    ]}}))
    assert parse([f"{PLATFORM}={path}"])[PLATFORM] == {
        "registryUrl": "r.example/x", "shown": _secret("kube"), "hidden": _secret("[secret]"),
    }


@pytest.mark.parametrize("item, says", [
    ("acme/medinfra/aws-prod", "expected NAME=FILE"),
    ("=x.json", "expected NAME=FILE"),
    ("acme/medinfra/aws-prod=/nonexistent/out.json", "cannot be read"),
])
def test_a_bad_stack_outputs_item_is_one_clear_error(item, says):
    with pytest.raises(InputError, match=says) as caught:
        parse([item])
    assert "--stack-outputs" in str(caught.value)


def test_a_file_that_is_not_an_outputs_object_is_refused(tmp_path):
    path = tmp_path / "list.json"
    path.write_text("[1, 2]")
    with pytest.raises(InputError, match="expected the JSON object that `pulumi stack output"):
        parse([f"{PLATFORM}={path}"])
    with pytest.raises(InputError, match="given twice"):
        parse([f"{PLATFORM}={OUTPUTS}", f"{PLATFORM}={OUTPUTS}"])


def _ref(outputs):
    return {"urn": REF_URN, "type": "pulumi:pulumi:StackReference", "name": PLATFORM,
            "props": {"name": PLATFORM, "outputs": outputs},
            "unknowns": ["/outputs"] if outputs == "[unknown]" else [], "references": {}}


def test_values_from_a_stack_reference_move_out_of_references_with_their_output():
    key = "urn:pulumi:prod::model-stack::aws:kms/key:Key::k"
    deployment = {"urn": "urn:pulumi:prod::model-stack::kubernetes:apps/v1:Deployment::d",
                  "type": "kubernetes:apps/v1:Deployment",
                  "props": {"spec": {"image": "r.example/x@sha256:" + "a" * 64, "key": "k"}},
                  "references": {"/spec/image": REF_URN, "/spec/key": key}}
    annotated = annotate([_ref({"registryUrl": "r.example/x"}), deployment])[1]
    assert annotated["references"] == {"/spec/key": key}
    assert annotated["stack_outputs"] == {"/spec/image": {
        "stack": PLATFORM, "output": "registryUrl", "reference": REF_URN}}
    assert annotate([_ref({"registryUrl": "r.example/x"}), annotated])[1] == annotated


def test_only_references_without_outputs_are_listed_as_unread():
    assert without_outputs([_ref("[unknown]")]) == [PLATFORM]
    assert without_outputs([_ref({"a": "b"})]) == []


def _preview(cli, tmp_path, *extra):
    inventory = tmp_path / "inventory.json"
    result = cli("preview", "--dir", str(MODEL_STACK), "--stack", "prod", "--format", "json",
                 "--inventory", str(inventory), *extra)
    assert result.code in (0, 1), result.stderr
    return result.json(), json.loads(inventory.read_text())


def test_the_model_stack_reads_the_platform_outputs_it_is_given(cli, tmp_path):
    report, inventory = _preview(cli, tmp_path, "--stack-outputs", f"{PLATFORM}={OUTPUTS}")
    by_type = {r["type"]: r for r in inventory["resources"]}
    reference = by_type["pulumi:pulumi:StackReference"]
    assert reference["urn"] == REF_URN
    # Secret outputs stay secret: listed, never shown, and secret where the program uses them.
    assert reference["props"]["secretOutputNames"] == ["kubeconfig"]
    assert reference["secrets"] == ["/outputs/kubeconfig"]
    assert by_type["pulumi:providers:kubernetes"]["secrets"] == ["/kubeconfig"]
    deployment = by_type["kubernetes:apps/v1:Deployment"]
    image = deployment["props"]["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image.startswith(json.loads(OUTPUTS.read_text())["registryUrl"] + "@sha256:")
    assert deployment["stack_outputs"]["/spec/template/spec/containers/0/image"] == {
        "stack": PLATFORM, "output": "registryUrl", "reference": REF_URN}
    association = by_type["aws:eks/podIdentityAssociation:PodIdentityAssociation"]
    assert association["stack_outputs"]["/roleArn"]["output"] == "modelRoleArn"
    assert "/roleArn" not in association["references"]
    assert "stack_references_without_outputs" not in report["preview"]
    # The platform's role and registry are outside this plan: without organisation settings
    # that trust them, each is blocked by its rule, which names where the value came from.
    blocking = {f["id"]: f["message"] for f in report["findings"]
                if f["enforcement"] == "mandatory" and not f["waiver"]}
    # And without any allowedRegions, where the default AWS provider (aws:region) places the
    # plan cannot be judged: one MED-RES-001 saying how to set them.
    assert set(blocking) == {"MED-IAM-005", "MED-HRD-003", "MED-RES-001"}
    assert "no allowed regions are set" in blocking["MED-RES-001"]
    assert f"read from stack {PLATFORM} (output modelRoleArn)" in blocking["MED-IAM-005"]
    assert f"read from stack {PLATFORM} (output registryUrl)" in blocking["MED-HRD-003"]


def test_without_its_outputs_a_referenced_stack_is_unknown_and_the_gate_says_how(cli, tmp_path):
    report, inventory = _preview(cli, tmp_path, "--direct")
    assert report["decision"] == "block"
    assert report["preview"]["stack_references_without_outputs"] == [PLATFORM]
    unverifiable = [f for f in report["findings"] if f["id"] == "MED-HRD-003"
                    and "cannot be verified before deployment" in f["message"]]
    assert unverifiable and all(f"--stack-outputs {PLATFORM}=FILE" in f["message"]
                                for f in unverifiable)
    reference = next(r for r in inventory["resources"] if r["urn"] == REF_URN)
    assert "/outputs" in reference["unknowns"]


def test_the_platform_stack_is_allowed_and_exports_what_the_model_stack_reads():
    from medinfra.policies.gate import GateOptions, evaluate

    from medinfra.planner import plan
    from medinfra.project import load_project, load_stack_config

    project = load_project(REPO / "examples" / "platform-stack")
    planned = plan(project, load_stack_config(project, "aws-prod"),
                   semantics={"mode": "new-stack"})
    read = set(json.loads(OUTPUTS.read_text()))
    assert read <= set(planned.outputs), read - set(planned.outputs)
    gate = evaluate(planned.inventory, GateOptions(timeout_s=120))
    blocking = [f for f in gate.findings if f.blocks]
    assert gate.decision == "allow", [(f.id, f.message) for f in blocking]
    roles = [r for r in planned.resources if r["type"] == "aws:iam/role:Role"
             and r["name"] == "chest-xray"]
    assert len(roles) == 1 and roles[0]["props"]["name"] == "medinfra-aws-prod-chest-xray"
