"""The pull-request workflow runs the offline gate from the lock file and reports it, and its own
supply chain is held to what the gate asks of others: pinned, credential-free, least privilege."""

from __future__ import annotations

import re

import yaml

from tests.conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
WORKFLOW = yaml.safe_load((REPO / ".github" / "workflows" / "preview.yml").read_text())


def _runs(job: str) -> str:
    return "\n".join(s.get("run", "") for s in WORKFLOW["jobs"][job]["steps"])


def _uses(job: str) -> list[str]:
    return [s["uses"].split("@")[0] for s in WORKFLOW["jobs"][job]["steps"] if "uses" in s]


def _all_steps():
    for path in WORKFLOWS:
        for name, job in yaml.safe_load(path.read_text())["jobs"].items():
            for step in job.get("steps", []):
                yield path.name, name, step


def test_offline_job_installs_from_the_lock_and_gates_every_stack_with_reports():
    runs = _runs("offline-gate")
    assert "./scripts/setup.sh" in runs
    assert ".venv/bin/python scripts/scan_repo.py" in runs
    assert ".venv/bin/medinfra policies verify" in runs
    assert "medinfra preview --all-stacks --sarif medinfra.sarif --markdown medinfra.md" in runs
    assert "exit" in runs
    assert "actions/upload-artifact" in _uses("offline-gate")


def test_a_separate_job_that_runs_no_repository_code_publishes_the_reports():
    report = WORKFLOW["jobs"]["report"]
    assert report["needs"] == "offline-gate"
    assert "always()" in report["if"]  # a blocked stack is reported too
    assert _uses("report")[0] == "actions/download-artifact"
    assert "github/codeql-action/upload-sarif" in _uses("report")
    assert "gh pr comment" in _runs("report")
    assert "actions/checkout" not in _uses("report")
    assert ".venv" not in _runs("report") and "scripts/" not in _runs("report")


def test_cloud_job_runs_the_real_policy_pack_only_with_credentials():
    job = WORKFLOW["jobs"]["cloud-preview"]
    assert job["if"] == "vars.AWS_ROLE_ARN != ''"
    assert job["permissions"]["id-token"] == "write"
    assert "pulumi/actions" in _uses("cloud-preview")
    assert "--policy-pack policies" in _runs("cloud-preview")


def test_workflow_token_has_no_permission_unless_a_job_asks():
    assert WORKFLOW["permissions"] == {}
    for name, job in WORKFLOW["jobs"].items():
        assert "permissions" in job, name


def test_jobs_that_run_repository_code_cannot_write_to_the_repository():
    """Only OIDC (id-token) may be writable where the pull request's code runs: a step can read
    its job's token from the runner's memory, persisted credentials or not."""
    for name, job in WORKFLOW["jobs"].items():
        runs_code = any("actions/checkout" in s.get("uses", "") for s in job["steps"])
        writable = {scope for scope, level in job["permissions"].items() if level == "write"}
        if runs_code:
            assert writable <= {"id-token"}, name
    assert WORKFLOW["jobs"]["offline-gate"]["permissions"] == {"contents": "read"}


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_version_in_a_comment():
    pinned = re.compile(r"^\s*(- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
    lines = [
        (path.name, line)
        for path in WORKFLOWS
        for line in path.read_text().splitlines()
        if re.match(r"^\s*(- )?uses:", line)
    ]
    assert len(lines) >= 8
    assert [line for line in lines if not pinned.match(line[1])] == []


def test_checkouts_keep_no_credentials():
    checkouts = [
        step for _, _, step in _all_steps() if step.get("uses", "").startswith("actions/checkout@")
    ]
    assert checkouts
    assert all(step.get("with", {}).get("persist-credentials") is False for step in checkouts)


def test_no_expression_is_expanded_inside_a_script():
    """Values reach `run:` through `env:`, so none can become shell code."""
    assert [(f, j, s["run"]) for f, j, s in _all_steps() if "${{" in s.get("run", "")] == []


def test_no_workflow_runs_on_pull_request_target():
    for path in WORKFLOWS:
        triggers = yaml.safe_load(path.read_text())[True]  # YAML 1.1 reads `on` as True
        assert "pull_request_target" not in triggers, path.name
        assert "workflow_run" not in triggers, path.name
