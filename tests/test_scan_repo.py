"""The repository scan CI runs: Checkov on our workflows, Dockerfiles and tracked files."""

from __future__ import annotations

import subprocess

from scripts.scan_repo import scan
from tests.conftest import REPO


def test_the_repository_passes_checkovs_workflow_dockerfile_and_secret_checks():
    assert scan(REPO) == []


def test_the_scan_finds_a_committed_secret_and_an_unsafe_workflow(tmp_path):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(
        "on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ github.event.head_commit.message }}\n"
    )
    (tmp_path / "settings.py").write_text(
        'AWS_ACCESS_KEY_ID = "AKIAZ7Q4R5T6Y7U8I9OP"\n'
        'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8x2Lm4Kp"\n'
    )
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True)
    failed = scan(tmp_path)
    frameworks = {framework for framework, *_ in failed}
    assert "secrets" in frameworks and "github_actions" in frameworks
    assert any(path.endswith("settings.py") for _, _, path, _ in failed)
