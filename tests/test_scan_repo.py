"""The repository scan CI runs: Checkov on our workflows, Dockerfiles and tracked files."""

from __future__ import annotations

import base64
import os
import random
import string
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
