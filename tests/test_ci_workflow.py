"""The pull-request workflow runs the offline gate from the lock file and reports it."""

from __future__ import annotations

import yaml

from tests.conftest import REPO

WORKFLOW = yaml.safe_load((REPO / ".github" / "workflows" / "preview.yml").read_text())


def _runs(job: str) -> str:
    return "\n".join(s.get("run", "") for s in WORKFLOW["jobs"][job]["steps"])


def _uses(job: str) -> list[str]:
    return [s["uses"].split("@")[0] for s in WORKFLOW["jobs"][job]["steps"] if "uses" in s]


def test_offline_job_installs_from_the_lock_and_gates_every_stack_with_reports():
    runs = _runs("offline-gate")
    assert "./scripts/setup.sh" in runs
    assert ".venv/bin/python scripts/scan_repo.py" in runs
    assert "medinfra preview --all-stacks --sarif medinfra.sarif --markdown medinfra.md" in runs
    assert "github/codeql-action/upload-sarif" in _uses("offline-gate")
    assert "gh pr comment" in runs and "exit" in runs


def test_cloud_job_runs_the_real_policy_pack_only_with_credentials():
    job = WORKFLOW["jobs"]["cloud-preview"]
    assert job["if"] == "vars.AWS_ROLE_ARN != ''"
    assert job["permissions"]["id-token"] == "write"
    assert "pulumi/actions" in _uses("cloud-preview")
    assert "--policy-pack policies" in _runs("cloud-preview")


def test_workflow_token_is_read_only_by_default():
    assert WORKFLOW["permissions"] == {"contents": "read"}
