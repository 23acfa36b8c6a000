"""`medinfra preview --evidence/--oscal` end to end (one program), the policy pack's
MEDINFRA_EVIDENCE_DIR hook, and the secret canary: no secret reaches any evidence file."""

from __future__ import annotations

import json
import stat

from medinfra.evidence.bundle import BUNDLE_FILES
from medinfra.evidence.verify import verify
from tests.conftest import PROGRAMS, run_cli

CANARIES = (
    "SECURE-CANARY-c0ffee-ciphertext",
    "NESTED-SECURE-CANARY-ciphertext",
    "OUTPUT-SECRET-CANARY-9d1c",
    "c0ffee",
    "NESTED-SECURE",
)


def test_preview_writes_a_bundle_and_oscal_without_any_secret(tmp_path, keypair, monkeypatch):
    evidence, oscal = tmp_path / "evidence", tmp_path / "results.oscal.json"
    report = tmp_path / "report.html"
    # Set for the pack under the real CLI; medinfra preview writes its own bundle instead.
    pack_dir = tmp_path / "pack-evidence"
    monkeypatch.setenv("MEDINFRA_EVIDENCE_DIR", str(pack_dir))
    # The organisation's config is kept in the bundle (pack-config.json) for `evidence verify`.
    pack_config = tmp_path / "policy-pack-config.json"
    pack_config.write_text(json.dumps({"medinfra-settings": {"allowedRegions": ["eu-central-1"]}}))
    result = run_cli(
        "preview", "--dir", str(PROGRAMS / "secrets"), "--stack", "test", "--format", "json",
        "--evidence", str(evidence), "--oscal", str(oscal), "--signing-key", str(keypair[0]),
        "--policy-pack-config", str(pack_config),
    )
    assert result.code in (0, 1), result.stderr
    judged = result.json()
    decision = json.loads((evidence / "decision.json").read_text())
    assert decision["decision"] == judged["decision"]
    assert decision["exit_code"] == result.code
    assert decision["entry_point"] == "medinfra preview"
    stored = json.loads((evidence / "findings.json").read_text())["findings"]
    assert stored == judged["findings"]
    config = json.loads((evidence / "config.json").read_text())
    assert config["values"]["secrets-canary:token"] == "[secret]"
    assert config["values"]["secrets-canary:database"] == "[secret]"
    assert config["values"]["aws:region"] == "eu-central-1"

    verified = run_cli("evidence", "verify", str(evidence), "--public-key", str(keypair[1]))
    assert verified.code == 0, verified.stderr
    assert "signature verified" in verified.stdout
    rendered = run_cli("report", "--evidence", str(evidence), "--out", str(report))
    assert rendered.code == 0, rendered.stderr

    written = [*evidence.iterdir(), oscal, report]
    assert {p.name for p in evidence.iterdir()} == {*BUNDLE_FILES, "pack-config.json",
                                                    "manifest.json", "manifest.sig"}
    stored = json.loads((evidence / "pack-config.json").read_text())["configured"]
    assert stored["medinfra-settings"]["properties"]["allowedRegions"] == ["eu-central-1"]
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        text = path.read_text()
        for canary in CANARIES:
            assert canary not in text, f"{canary} in {path.name}"
    assert "[secret]" in (evidence / "inventory.json").read_text()
    assert not pack_dir.exists()


def test_preview_refuses_bad_evidence_flags_before_planning(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("")
    cases = [
        (["--evidence", str(a_file)], f"--evidence {a_file}: exists and is not a directory"),
        (["--oscal", str(tmp_path / "no" / "x.json")], "does not exist"),
        (["--signing-key", str(a_file)], "not an unencrypted PEM private key"),
    ]
    for flags, says in cases:
        result = run_cli("preview", "--stack", "aws-dev", *flags)
        assert result.code == 2, result.stderr
        assert result.stderr.count("\n") == 1 and says in result.stderr


def test_the_policy_pack_writes_a_bundle_where_medinfra_evidence_dir_says(all_stacks, tmp_path):
    """As under `pulumi preview --policy-pack policies`: the pack, driven over the analyzer
    protocol, writes the bundle itself."""
    import os

    from medinfra.analyzer_client import analyze_over_protocol

    inventory = json.loads((all_stacks.inventories / "gcp-dev.json").read_text())
    evidence = tmp_path / "pack-evidence"
    env = dict(os.environ, MEDINFRA_EVIDENCE_DIR=str(evidence))
    found = analyze_over_protocol(inventory, timeout=600, env=env)
    decision = json.loads((evidence / "decision.json").read_text())
    assert decision["entry_point"] == "policy pack"
    assert json.loads((evidence / "findings.json").read_text())["findings"] == found
    assert verify(evidence).ok


def test_all_stacks_evidence_is_one_bundle_per_stack_and_one_oscal_document(
    all_stacks, stack_reports, tmp_path
):
    """What `preview --all-stacks --evidence DIR --oscal FILE` does after each stack's gate,
    driven with two stacks' session results instead of planning them again."""
    import argparse

    from medinfra.evidence import cli as evidence_cli
    from medinfra.evidence.verify import bundles_in
    from tests.conftest import REPO
    from tests.evidence.conftest import gate_result

    args = argparse.Namespace(evidence=tmp_path / "evidence", oscal=tmp_path / "run.oscal.json",
                              signing_key=None)
    evidence_cli.check_run_flags(args)
    for stack in ("aws-dev", "gcp-prod"):
        inventory = json.loads((all_stacks.inventories / f"{stack}.json").read_text())
        evidence_cli.record_run(args, inventory, gate_result(stack_reports[stack]),
                                project_dir=REPO, many=True)
    evidence_cli.finish_run(args)
    assert [p.name for p in bundles_in(args.evidence)] == ["aws-dev", "gcp-prod"]
    provenance = [json.loads((b / "provenance.json").read_text())
                  for b in bundles_in(args.evidence)]
    assert provenance[0]["source"] == provenance[1]["source"]  # taken once, before any output
    results = json.loads(args.oscal.read_text())["assessment-results"]["results"]
    assert [r["title"].rsplit("/ ", 1)[1] for r in results] == ["aws-dev", "gcp-prod"]
    assert stat.S_IMODE(args.oscal.stat().st_mode) == 0o600
    assert verify(args.evidence / "gcp-prod").ok


def test_evidence_is_never_written_over_other_files(bundles, tmp_path):
    import pytest

    from medinfra.evidence.bundle import write_documents
    from medinfra.evidence.files import EvidenceError

    documents = {n: json.loads((bundles["aws-dev"] / n).read_text()) for n in BUNDLE_FILES}
    target = tmp_path / "notes"
    target.mkdir()
    (target / "todo.txt").write_text("mine")
    with pytest.raises(EvidenceError, match="holds files that are not evidence"):
        write_documents(target, documents)
    assert [p.name for p in target.iterdir()] == ["todo.txt"]
