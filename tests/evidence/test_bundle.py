"""Every reference stack leaves a bundle that verifies; any single changed byte is caught and
named; the bundle's documents say what the run knew."""

from __future__ import annotations

import hashlib
import json
import re
import stat
from pathlib import Path

import pytest
from medinfra.policies.rules import RULES_DIR, load_rules

from medinfra.evidence.bundle import BUNDLE_FILES
from medinfra.evidence.signing import public_key
from medinfra.evidence.verify import verify
from tests import checkov_worker
from tests.conftest import REPO, run_cli
from tests.evidence.conftest import STACKS, copy_bundle

ALL_FILES = (*BUNDLE_FILES, "manifest.json", "manifest.sig")


def _load(bundle: Path, name: str) -> dict:
    return json.loads((bundle / name).read_text())


@pytest.mark.parametrize("stack", STACKS)
def test_each_reference_stack_bundle_verifies_with_its_key(stack, bundles, keypair, stack_reports):
    bundle = bundles[stack]
    verdict = verify(bundle, public_key(keypair[1]))
    assert verdict.ok, verdict.problems
    assert any("signature verified" in n for n in verdict.notes)
    assert any("gate re-run" in n for n in verdict.notes)
    assert sorted(p.name for p in bundle.iterdir()) == sorted(ALL_FILES)
    for path in bundle.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    decision = _load(bundle, "decision.json")
    assert decision["decision"] == stack_reports[stack]["decision"] == "allow"
    assert decision["exit_code"] == 0
    assert _load(bundle, "findings.json")["findings"] == stack_reports[stack]["findings"]
    manifest = _load(bundle, "manifest.json")
    for name in BUNDLE_FILES:
        assert manifest["files"][name] == hashlib.sha256((bundle / name).read_bytes()).hexdigest()


@pytest.mark.parametrize("name", ALL_FILES)
def test_one_flipped_byte_in_any_file_fails_verification_naming_the_file(
    name, bundles, keypair, tmp_path
):
    bundle = copy_bundle(bundles["aws-prod"], tmp_path / "bundle")
    path = bundle / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    verdict = verify(bundle, public_key(keypair[1]))
    assert not verdict.ok
    assert name in [problem_file for problem_file, _ in verdict.problems], verdict.problems


def test_verify_command_exits_1_naming_the_tampered_file_and_0_on_the_intact_bundle(
    bundles, keypair, tmp_path
):
    intact = run_cli("evidence", "verify", str(bundles["gcp-dev"]), "--public-key", str(keypair[1]))
    assert intact.code == 0, intact.stderr
    assert "verified" in intact.stdout
    bundle = copy_bundle(bundles["gcp-dev"], tmp_path / "bundle")
    models = bundle / "models.json"
    models.write_text(models.read_text().replace('"clinically_eligible": false',
                                                 '"clinically_eligible": true '))
    tampered = run_cli("evidence", "verify", str(bundle))
    assert tampered.code == 1
    assert f"TAMPERED {bundle / 'models.json'}" in tampered.stderr
    assert "Traceback" not in tampered.stderr


def test_a_bundle_signed_with_another_key_or_unsigned_does_not_verify_with_the_key(
    bundles, keypair, tmp_path
):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = tmp_path / "other.pub.pem"
    other.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    verdict = verify(bundles["azure-dev"], public_key(other))
    assert ("manifest.sig", "was made with another key") in verdict.problems
    unsigned = copy_bundle(bundles["azure-dev"], tmp_path / "unsigned")
    (unsigned / "manifest.sig").unlink()
    verdict = verify(unsigned, public_key(keypair[1]))
    assert [p for p, _ in verdict.problems] == ["manifest.sig"]


def test_an_added_file_is_reported(bundles, tmp_path):
    bundle = copy_bundle(bundles["aws-dev"], tmp_path / "bundle")
    (bundle / "extra.json").write_text("{}")
    assert ("extra.json", "is not listed in manifest.json") in verify(bundle).problems


def test_rules_changed_since_the_bundle_are_named(bundles, tmp_path):
    rules = tmp_path / "rego"
    import shutil

    shutil.copytree(RULES_DIR, rules)
    target = rules / "store_encrypted_with_cmk" / "store_encrypted_with_cmk.rego"
    target.write_text(target.read_text() + "\n# a later edit\n")
    verdict = verify(bundles["aws-dev"], rules_dir=rules)
    (name, problem), = verdict.problems
    assert name == "policy-bundle.json"
    assert "rego/store_encrypted_with_cmk/store_encrypted_with_cmk.rego" in problem


def test_a_rewritten_decision_with_a_matching_manifest_is_caught_by_the_gate_rerun(
    bundles, tmp_path
):
    """Without a signature, an attacker can fix up the manifest; the gate re-run still
    disagrees with the forged decision."""
    from medinfra.evidence.bundle import write_documents

    bundle = bundles["aws-dev"]
    documents = {n: _load(bundle, n) for n in BUNDLE_FILES}
    documents["decision.json"]["decision"] = "block"
    forged = write_documents(tmp_path / "forged", documents)
    verdict = verify(forged)
    assert [p for p, _ in verdict.problems] == ["decision.json"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["evidence", "verify", "/nonexistent/evidence"], "no such directory"),
        (["evidence", "verify", str(REPO / "stacks")], "not an evidence bundle"),
    ],
)
def test_verify_bad_input_exits_2_with_one_line(args, says):
    result = run_cli(*args)
    assert result.code == 2
    assert result.stderr.count("\n") == 1 and says in result.stderr


def test_verify_with_an_unreadable_public_key_exits_2(bundles, tmp_path):
    bad = tmp_path / "key.pem"
    bad.write_text("not a key")
    result = run_cli("evidence", "verify", str(bundles["aws-dev"]), "--public-key", str(bad))
    assert result.code == 2
    assert result.stderr.strip() == f"medinfra: error: public key {bad}: not a PEM public key"


def test_policy_bundle_holds_every_rule_with_metadata_and_file_digests(bundles):
    policy = _load(bundles["aws-prod"], "policy-bundle.json")
    rules = load_rules()
    assert [r["id"] for r in policy["rules"]] == [r.id for r in rules]
    for stored, rule in zip(policy["rules"], rules, strict=True):
        assert stored["sha256"] == hashlib.sha256(rule.path.read_bytes()).hexdigest()
        assert stored["metadata"]["controls"] == rule.controls
        assert stored["metadata"]["waivable"] == rule.waivable
    from medinfra.evidence.files import digest

    assert policy["sha256"] == digest(policy["files"])
    assert "waivers.yaml" in policy["files"]
    # Checkov's own environment's version, as its worker reports it (not installed beside us).
    assert policy["checkov"]["version"] == checkov_worker.worker().hello()["checkov"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", policy["checkov"]["version"])
    failed = {f["id"] for f in _load(bundles["aws-prod"], "findings.json")["findings"]
              if f["source"] == "checkov"}
    assert failed and failed <= set(policy["checkov"]["checks_evaluated"])
    assert len(policy["checkov"]["checks_evaluated"]) > len(failed)


@pytest.mark.parametrize("stack", STACKS)
def test_models_say_clinically_eligible_only_with_an_approval_and_deployable_when_allowed(
    stack, bundles
):
    (model,) = _load(bundles[stack], "models.json")["models"]
    assert model["name"] == "chest-xray" and model["version"] == "2026.10.1"
    assert model["artefact_sha256"].startswith("3f1c7a9e")
    assert model["image_digest"].startswith("sha256:9b2e4c6a")
    assert model["stage"] == "prod"
    assert model["deployable"] is True
    if stack.endswith("-prod"):
        assert model["clinically_eligible"] is True
        assert model["approval"]["ticket"] == "CAB-2291"
        assert model["approval"]["approved_by"] == "dr.a.lindqvist"
    else:
        assert model["clinically_eligible"] is False and model["approval"] is None


def test_a_model_without_approval_is_neither_eligible_nor_deployable(blocked_bundle):
    (model,) = _load(blocked_bundle, "models.json")["models"]
    assert model["clinically_eligible"] is False
    assert model["deployable"] is False
    # No approval at all: neither the version (MED-SRV-005) nor the artefact (MED-SRV-006).
    assert model["blocking_findings"] == ["MED-SRV-005", "MED-SRV-006"]
    decision = _load(blocked_bundle, "decision.json")
    assert decision["decision"] == "block" and decision["exit_code"] == 1


def test_findings_json_reports_each_waiver_as_applied_expired_or_malformed(blocked_bundle):
    waivers = _load(blocked_bundle, "findings.json")["waivers"]["waivers"]
    by_ticket = {w["waiver"]["ticket"]: w for w in waivers if "waiver" in w}
    assert by_ticket["SEC-200"]["status"] == "applied"
    assert by_ticket["SEC-200"]["days_left"] == 10
    assert len(by_ticket["SEC-200"]["covers"]) == 2  # the two DataStore buckets
    assert by_ticket["SEC-201"]["status"] == "expired"
    (malformed,) = [w for w in waivers if w["status"] == "malformed"]
    assert "waiver #3 is malformed" in malformed["problem"]


def test_sbom_is_valid_cyclonedx_of_the_installed_environment(bundles):
    import importlib.metadata

    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    text = (bundles["aws-dev"] / "sbom.cdx.json").read_text()
    assert JsonStrictValidator(SchemaVersion.V1_5).validate_str(text) is None
    sbom = json.loads(text)
    purls = {c["purl"] for c in sbom["components"]}
    for name in ("pulumi", "pulumi-policy", "cryptography"):
        assert f"pkg:pypi/{name}@{importlib.metadata.version(name)}" in purls
    # Checkov is not in this environment (it runs in its own, .venv-checkov).
    assert not any(p.startswith("pkg:pypi/checkov@") for p in purls)
    assert sbom["metadata"]["component"]["name"] == "medinfra"


def test_provenance_has_the_commit_and_no_host_details(bundles):
    import socket
    import subprocess

    text = (bundles["aws-dev"] / "provenance.json").read_text()
    provenance = json.loads(text)
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert provenance["source"]["commit"] == head
    assert isinstance(provenance["source"]["dirty"], bool)
    assert provenance["timestamps"]["generated_at"].endswith("Z")
    assert provenance["tools"]["checkov"]
    assert socket.gethostname() not in text and str(REPO) not in text


def test_config_json_is_the_stack_config_with_its_digest(bundles):
    from medinfra.evidence.files import digest

    config = _load(bundles["aws-prod"], "config.json")
    assert config["values"]["medinfra:environment"] == "prod"
    assert config["sha256"] == digest(config["values"])


def test_a_manifest_rewritten_around_a_broken_file_is_named(bundles, tmp_path):
    from medinfra.evidence.files import digest, render_json

    bundle = copy_bundle(bundles["aws-dev"], tmp_path / "bundle")
    (bundle / "findings.json").write_text("not json")
    manifest = _load(bundle, "manifest.json")
    manifest["files"]["findings.json"] = hashlib.sha256(b"not json").hexdigest()
    manifest["files_sha256"] = digest(manifest["files"])
    (bundle / "manifest.json").write_bytes(render_json(manifest))
    (problem_file, problem), = verify(bundle).problems
    assert problem_file == "manifest.json" and "not valid evidence" in problem
    assert run_cli("report", "--evidence", str(bundle), "--out", str(tmp_path / "r.html")).code == 1
