"""The policy pack's manifest: `medinfra policies verify` checks the rule files it runs against
it, and names every file changed since `medinfra policies manifest` wrote it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from medinfra.policies import manifest as pack

from tests.conftest import REPO, run_cli


def _checkout(tmp_path: Path) -> Path:
    """A copy of this source checkout's code, rules and locks, so tests can change its files."""
    root = tmp_path / "checkout"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("medinfra", "components", "policies"):
        shutil.copytree(REPO / folder, root / folder, ignore=ignore)
    for name in ("pyproject.toml", "requirements.lock", "checkov.lock", "scripts/installer.lock"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, root / name)
    return root


def _medinfra(root: Path, *args: str) -> subprocess.CompletedProcess:
    """`medinfra ARGS` running from the checkout at `root` (its own files, not this one's)."""
    return subprocess.run(
        [sys.executable, "-m", "medinfra.cli", *args],
        cwd=root, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(root)},
    )


def test_the_committed_manifest_matches_the_repository():
    result = run_cli("policies", "verify")
    assert result.code == 0, result.stderr
    recorded = json.loads((REPO / "policies" / "manifest.json").read_text())
    assert f"bundle sha256 {recorded['bundle']['sha256']}" in result.stdout


def test_the_manifest_records_every_rule_file_the_lock_files_and_the_pack_version():
    recorded = pack.load()
    rego = {
        p.relative_to(REPO / "policies").as_posix()
        for p in (REPO / "policies" / "rego").rglob("*.rego")
    }
    assert rego and rego <= set(recorded["files"])
    assert "checkov_bridge/checks/arm/StorageBlobPublicAccessDisabled.py" in recorded["files"]
    name = "rego/store_encrypted_with_cmk/store_encrypted_with_cmk.rego"
    content = (REPO / "policies" / name).read_bytes()
    assert recorded["files"][name] == hashlib.sha256(content).hexdigest()
    assert set(recorded["locks"]) == {"requirements.lock", "checkov.lock", "scripts/installer.lock"}
    assert recorded["pack"] == {"name": "medinfra", "version": "0.1.0"}
    # The committed manifest cannot name the commit that holds it; a release stamps it.
    assert recorded["source"] == {"commit": None}


def test_the_bundle_digest_is_sha256sum_of_the_sha256sum_listing():
    recorded = pack.load()
    listing = subprocess.run(
        ["sha256sum", *sorted(recorded["files"])],
        cwd=REPO / "policies", capture_output=True, check=True,
    ).stdout
    assert hashlib.sha256(listing).hexdigest() == recorded["bundle"]["sha256"]
    assert recorded["bundle"]["files"] == len(recorded["files"])


def test_verify_fails_naming_the_file_after_a_rule_changes_and_passes_once_regenerated(tmp_path):
    root = _checkout(tmp_path)
    assert _medinfra(root, "policies", "verify").returncode == 0
    name = "rego/store_encrypted_with_cmk/store_encrypted_with_cmk.rego"
    rule = root / "policies" / name
    rule.write_text(rule.read_text() + "\n# an unreviewed edit\n")
    failed = _medinfra(root, "policies", "verify")
    assert failed.returncode == 1
    assert failed.stderr.splitlines() == [
        f"medinfra: policies verify: policies/{name}: sha256 {pack.sha256_file(rule)} "
        f"but the manifest records {pack.load()['files'][name]}"
    ]
    assert _medinfra(root, "policies", "manifest").returncode == 0
    assert _medinfra(root, "policies", "verify").returncode == 0


def test_verify_names_every_changed_added_or_removed_rule_file(tmp_path):
    """In-process over a copy of the rules: each recorded file changed, one added, one removed."""
    policies = tmp_path / "policies"
    shutil.copytree(REPO / "policies", policies, ignore=shutil.ignore_patterns("__pycache__"))
    recorded = pack.load(policies / "manifest.json")
    assert pack.verify(recorded, policies) == []
    for name in recorded["files"]:
        path = policies / name
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert [p.split(":")[0] for p in pack.verify(recorded, policies)] == [f"policies/{name}"]
        path.write_bytes(original)
    extra = policies / "rego" / "new_rule" / "new_rule.rego"
    extra.parent.mkdir()
    extra.write_text("package medinfra.new_rule\n")
    (policies / "rego/key_rotation_enabled/key_rotation_enabled_test.rego").unlink()
    assert pack.verify(recorded, policies) == [
        "policies/rego/key_rotation_enabled/key_rotation_enabled_test.rego: recorded in the "
        "manifest but missing",
        "policies/rego/new_rule/new_rule.rego: not in the manifest",
    ]


def test_verify_fails_when_a_lock_file_changed_in_a_checkout(tmp_path):
    root = _checkout(tmp_path)
    with (root / "requirements.lock").open("a") as fh:
        fh.write("# a dependency changed\n")
    failed = _medinfra(root, "policies", "verify")
    assert failed.returncode == 1
    assert failed.stderr.startswith("medinfra: policies verify: requirements.lock: sha256 ")


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (None, "cannot read the manifest"),
        ("{not json", "not JSON"),
        ('{"format": "something else"}', "not a policy manifest"),
        ('{"format": "medinfra-policy-manifest/1", "files": {"a": "b"}, "locks": {}}',
         "'files' must map file names to sha256 hex digests"),
    ],
)
def test_a_missing_or_malformed_manifest_is_bad_input(tmp_path, content, error):
    path = tmp_path / "manifest.json"
    if content is not None:
        path.write_text(content)
    result = run_cli("policies", "verify", "--manifest", str(path))
    assert result.code == 2
    assert result.stderr.count("\n") == 1 and error in result.stderr
    assert "Traceback" not in result.stderr


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout.strip()


def test_a_release_stamps_its_source_commit_only_when_the_files_are_that_commits(tmp_path):
    root = _checkout(tmp_path)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "release")
    head = _git(root, "rev-parse", "HEAD")
    stamped = tmp_path / "stamped.json"
    done = _medinfra(root, "policies", "manifest", "--source-commit", head, "--out", str(stamped))
    assert done.returncode == 0, done.stderr
    assert json.loads(stamped.read_text())["source"] == {"commit": head}
    verified = _medinfra(root, "policies", "verify", "--manifest", str(stamped))
    assert verified.returncode == 0 and f"source commit {head}" in verified.stdout

    rule = root / "policies/rego/store_versioned/store_versioned.rego"
    rule.write_text(rule.read_text() + "\n# not committed\n")
    refused = _medinfra(root, "policies", "manifest", "--source-commit", head, "--out",
                        str(tmp_path / "refused.json"))
    assert refused.returncode == 2
    assert "policies/rego/store_versioned/store_versioned.rego" in refused.stderr
    assert not (tmp_path / "refused.json").exists()

    bad = _medinfra(root, "policies", "manifest", "--source-commit", "HEAD", "--out",
                    str(tmp_path / "bad.json"))
    assert bad.returncode == 2 and "a full commit SHA" in bad.stderr


def test_an_evidence_bundle_can_name_the_pack_by_its_manifest():
    path = REPO / "policies" / "manifest.json"
    assert pack.reference() == {
        "manifest_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "pack": {"name": "medinfra", "version": "0.1.0"},
        "bundle_sha256": json.loads(path.read_text())["bundle"]["sha256"],
        "source_commit": None,
    }
