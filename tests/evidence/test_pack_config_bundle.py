"""A run judged with a policy-pack config (`--policy-pack-config`) keeps that config in its
evidence bundle (pack-config.json, under the manifest, its digest in policy-bundle.json), and
`medinfra evidence verify` re-runs the gate with it: the same judgement, or a failure naming the
file. Built from the session's aws-dev Inventory without its medinfra:allowedRegions, which the
gate blocks (MED-RES-001) unless the organisation's config allows the region."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from medinfra.policies.gate import GateOptions, evaluate

from medinfra import pack_config_cli
from medinfra.evidence.bundle import (
    BUNDLE_FILES,
    PACK_CONFIG,
    RunContext,
    write_bundle,
    write_documents,
)
from medinfra.evidence.signing import public_key, signing_key
from medinfra.evidence.verify import verify
from tests.conftest import REPO
from tests.evidence.conftest import TODAY, copy_bundle

ORG = {"medinfra-settings": {"allowedRegions": ["us-east-1"]}}


def _documents(bundle: Path, *extra: str) -> dict:
    return {n: json.loads((bundle / n).read_text()) for n in (*BUNDLE_FILES, *extra)}


@pytest.fixture(scope="module")
def unplaced(all_stacks) -> dict:
    """aws-dev without medinfra:allowedRegions: only a policy-pack config places it."""
    inventory = copy.deepcopy(json.loads((all_stacks.inventories / "aws-dev.json").read_text()))
    del inventory["config"]["allowedRegions"]
    return inventory


@pytest.fixture(scope="module")
def configured_bundle(unplaced, keypair, tmp_path_factory) -> Path:
    configured = pack_config_cli.reconciled(ORG)
    gate = evaluate(unplaced, GateOptions(today=TODAY, pack_config=configured))
    assert gate.decision == "allow", [f.message for f in gate.findings if f.blocks]
    where = tmp_path_factory.mktemp("configured") / "bundle"
    context = RunContext(project_dir=REPO, gate_date=TODAY, pack_config=configured)
    write_bundle(where, unplaced, gate, context, signing_key(keypair[0]))
    return where


def test_a_bundle_whose_decision_depends_on_the_pack_config_verifies(
    configured_bundle, unplaced, keypair
):
    without = evaluate(unplaced, GateOptions(today=TODAY))
    assert without.decision == "block"  # so the stored config is what makes it allowed
    assert [f.id for f in without.findings if f.blocks] == ["MED-RES-001"]
    verdict = verify(configured_bundle, public_key(keypair[1]))
    assert verdict.ok, verdict.problems
    assert any(f"with {PACK_CONFIG}: allow" in n for n in verdict.notes), verdict.notes
    stored = json.loads((configured_bundle / PACK_CONFIG).read_text())
    assert stored["configured"]["medinfra-settings"]["properties"] == ORG["medinfra-settings"]
    manifest = json.loads((configured_bundle / "manifest.json").read_text())
    assert PACK_CONFIG in manifest["files"]
    policy = json.loads((configured_bundle / "policy-bundle.json").read_text())
    assert policy["pack_config"] == {"file": PACK_CONFIG, "sha256": stored["sha256"]}


def test_a_changed_byte_in_the_stored_config_is_named(configured_bundle, keypair, tmp_path):
    bundle = copy_bundle(configured_bundle, tmp_path / "bundle")
    path = bundle / PACK_CONFIG
    path.write_text(path.read_text().replace("us-east-1", "us-east-2"))
    verdict = verify(bundle, public_key(keypair[1]))
    assert (PACK_CONFIG, "was modified (sha256 differs from manifest.json)") in verdict.problems


def test_a_config_swapped_under_a_rewritten_manifest_is_named(configured_bundle, tmp_path):
    """Unsigned, the manifest can be fixed up; policy-bundle.json's record of the digest
    still disagrees, and a config removed altogether is missed by that record too."""
    documents = _documents(configured_bundle, PACK_CONFIG)
    swapped = copy.deepcopy(documents)
    settings = swapped[PACK_CONFIG]["configured"]["medinfra-settings"]["properties"]
    settings["allowedRegions"] = ["eu-west-1"]
    from medinfra.evidence.files import digest

    swapped[PACK_CONFIG]["sha256"] = digest(swapped[PACK_CONFIG]["configured"])
    (name, problem), = verify(write_documents(tmp_path / "swapped", swapped)).problems
    assert name == PACK_CONFIG and "policy-bundle.json records" in problem
    removed = {n: d for n, d in documents.items() if n != PACK_CONFIG}
    (name, problem), = verify(write_documents(tmp_path / "removed", removed)).problems
    assert name == PACK_CONFIG and "does not hold" in problem


def test_a_forged_config_with_every_digest_fixed_up_changes_the_rerun(
    configured_bundle, tmp_path
):
    """With the record rewritten too, the gate re-run on the forged config gives another
    judgement than the stored one (the region is no longer allowed)."""
    from medinfra.evidence.files import digest

    documents = _documents(configured_bundle, PACK_CONFIG)
    settings = documents[PACK_CONFIG]["configured"]["medinfra-settings"]["properties"]
    settings["allowedRegions"] = ["eu-west-1"]
    documents[PACK_CONFIG]["sha256"] = digest(documents[PACK_CONFIG]["configured"])
    documents["policy-bundle.json"]["pack_config"]["sha256"] = documents[PACK_CONFIG]["sha256"]
    problems = dict(verify(write_documents(tmp_path / "forged", documents)).problems)
    assert sorted(problems) == ["decision.json", "findings.json"]
    assert f"inventory.json with {PACK_CONFIG} says block" in problems["decision.json"]


def test_a_bundle_without_a_config_or_from_before_configs_verifies_as_before(
    bundles, tmp_path
):
    """No config given: no pack-config.json, the record says so; an older bundle (no record
    at all) verifies too, and a bundle rewritten without its config drops a stale file."""
    policy = json.loads((bundles["aws-dev"] / "policy-bundle.json").read_text())
    assert policy["pack_config"] is None
    assert not (bundles["aws-dev"] / PACK_CONFIG).exists()
    documents = _documents(bundles["aws-dev"])
    del documents["policy-bundle.json"]["pack_config"]
    older = tmp_path / "older"
    older.mkdir(mode=0o700)
    (older / PACK_CONFIG).write_text("{}")  # left by an earlier run into the same directory
    verdict = verify(write_documents(older, documents))
    assert verdict.ok, verdict.problems
    assert not (older / PACK_CONFIG).exists()


def test_oscal_and_the_html_report_say_an_organisation_config_was_applied(
    configured_bundle, bundles
):
    from medinfra.evidence.cli import load_bundle
    from medinfra.evidence.oscal import document
    from medinfra.evidence.report import render

    with_config, without = load_bundle(configured_bundle), load_bundle(bundles["aws-dev"])
    assert PACK_CONFIG in with_config
    results = document([with_config, without])["assessment-results"]["results"]
    sha = with_config[PACK_CONFIG]["sha256"]
    props = [{p["name"]: p["value"] for p in r["props"]} for r in results]
    assert props[0]["policy-pack-config-sha256"] == sha
    assert "policy-pack-config-sha256" not in props[1]
    assert "policy-pack config (pack-config.json) was applied" in results[0]["description"]
    assert "was applied" not in results[1]["description"]
    page = render([with_config])
    assert "organisation policy-pack config applied" in page and sha in page
    assert "organisation policy-pack config applied" not in render([without])


def test_the_policy_pack_stores_the_config_the_cli_configured_it_with(unplaced, tmp_path):
    """Under `pulumi preview --policy-pack policies --policy-pack-config FILE` the pack writes
    the bundle ($MEDINFRA_EVIDENCE_DIR) with the config Configure gave it."""
    import os

    from medinfra.analyzer_client import analyze_over_protocol

    evidence = tmp_path / "pack-evidence"
    env = dict(os.environ, MEDINFRA_EVIDENCE_DIR=str(evidence))
    analyze_over_protocol(unplaced, timeout=600, env=env, pack_config=ORG)
    assert json.loads((evidence / "decision.json").read_text())["decision"] == "allow"
    stored = json.loads((evidence / PACK_CONFIG).read_text())["configured"]
    assert stored["medinfra-settings"]["properties"]["allowedRegions"] == ["us-east-1"]
    verdict = verify(evidence)
    assert verdict.ok, verdict.problems
