"""The repository scan CI runs: Checkov and zizmor on our workflows, Dockerfiles and tracked
files."""

from __future__ import annotations

import base64
import os
import random
import shutil
import string
import subprocess

import pytest

from scripts.scan_repo import main, scan, zizmor_executable
from tests.conftest import REPO


def test_the_repository_passes_checkovs_workflow_dockerfile_and_secret_checks():
    assert scan(REPO) == []


def test_the_scan_finds_a_committed_secret_and_an_unsafe_workflow(tmp_path):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(
        "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.head_commit.message }}\n"
    )
    # Generated at run time, so this file itself holds no secret-looking literal.
    alphabet = string.ascii_uppercase + string.digits
    key_id = "AKIA" + "".join(random.choice(alphabet) for _ in range(16))
    secret = base64.b64encode(os.urandom(30)).decode()
    (tmp_path / "settings.py").write_text(
        f'AWS_ACCESS_KEY_ID = "{key_id}"\nAWS_SECRET_ACCESS_KEY = "{secret}"\n'
    )
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    failed = scan(tmp_path)
    frameworks = {framework for framework, *_ in failed}
    assert "secrets" in frameworks and "github_actions" in frameworks
    assert any(path.endswith("settings.py") for _, _, path, _ in failed)


def test_only_the_verbatim_chart_files_are_exempt_from_the_secrets_scan(tmp_path):
    alphabet = string.ascii_uppercase + string.digits
    key_id = "AKIA" + "".join(random.choice(alphabet) for _ in range(16))
    secret = base64.b64encode(os.urandom(30)).decode()
    leak = f'AWS_ACCESS_KEY_ID = "{key_id}"\nAWS_SECRET_ACCESS_KEY = "{secret}"\n'
    for where in ("tests/data/kserve/chart-v0.20.0/values.py", "tests/data/kserve/values.py"):
        (tmp_path / where).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / where).write_text(leak)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    flagged = {path for framework, _, path, _ in scan(tmp_path) if framework == "secrets"}
    assert any(p.endswith("tests/data/kserve/values.py") for p in flagged)
    assert not any("chart-v0.20.0" in p for p in flagged)


# A workflow zizmor (pedantic) and Checkov both pass; each case below changes one thing in it.
_CLEAN = """\
name: ci
on: [pull_request]
permissions: {}
concurrency:
  group: ${{ github.workflow }}-${{ github.ref }}
  cancel-in-progress: true
jobs:
  build:
    name: Build
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0
        with:
          persist-credentials: false
      - name: Build
        env:
          TITLE: ${{ github.event.pull_request.title }}
        run: echo "$TITLE"
"""

_PLANTED = {
    "unpinned-uses": (
        "actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0",
        "actions/checkout@v4",
    ),
    "artipacked": ("        with:\n          persist-credentials: false\n", ""),
    "template-injection": (
        'run: echo "$TITLE"',
        'run: echo "${{ github.event.pull_request.title }}"',
    ),
    "excessive-permissions": ("permissions: {}\n", "permissions: write-all\n"),
    "dangerous-triggers": (
        "on: [pull_request]\n",
        "on: [pull_request_target]\n",
    ),
}


def _repo_with_workflow(root, text: str):
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    return root


def test_the_clean_workflow_the_planted_cases_start_from_passes(tmp_path):
    assert scan(_repo_with_workflow(tmp_path, _CLEAN)) == []


@pytest.mark.parametrize("audit", sorted(_PLANTED))
def test_the_scan_fails_on_each_planted_workflow_mistake(tmp_path, audit, capsys):
    old, new = _PLANTED[audit]
    assert old in _CLEAN
    planted = _CLEAN.replace(old, new)
    if audit == "dangerous-triggers":  # ... and the checkout of the pull request's head
        planted = planted.replace(
            "          persist-credentials: false\n",
            "          persist-credentials: false\n"
            "          ref: ${{ github.event.pull_request.head.sha }}\n",
        )
    root = _repo_with_workflow(tmp_path, planted)
    found = {(check, path) for framework, check, path, _ in scan(root) if framework == "zizmor"}
    assert found == {(audit, ".github/workflows/ci.yml")}
    assert main(root) == 1
    assert f"FAILED {audit} (zizmor) .github/workflows/ci.yml line " in capsys.readouterr().out


def test_a_workflow_zizmor_cannot_parse_means_the_scan_could_not_run(tmp_path, capsys):
    root = _repo_with_workflow(tmp_path, "name: ci\non: [push\n")
    assert main(root) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "zizmor exited 1" in err[0] and "ci.yml" in err[0]


def test_without_zizmor_the_scan_could_not_run(tmp_path, monkeypatch, capsys):
    import scripts.scan_repo as scan_repo

    root = _repo_with_workflow(tmp_path / "repo", _CLEAN)
    bin_dir = tmp_path / "bin"  # git, and nothing else
    bin_dir.mkdir()
    (bin_dir / "git").symlink_to(shutil.which("git"))
    monkeypatch.setattr(scan_repo.sysconfig, "get_path", lambda _name: str(bin_dir))
    monkeypatch.setenv("PATH", str(bin_dir))
    assert main(root) == 3
    assert "zizmor is not installed" in capsys.readouterr().err


def test_zizmor_offline_reports_nothing_on_our_workflows():
    """The issue's acceptance command, verbatim (default persona, ignores honoured)."""
    done = subprocess.run(
        [zizmor_executable(), "--offline", ".github/workflows/"],
        cwd=REPO, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout
    assert "No findings to report" in done.stdout
