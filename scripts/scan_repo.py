"""Checkov on the repository itself: GitHub workflows, Dockerfiles and secrets in tracked files.

    python scripts/scan_repo.py        # exit 0 clean, 1 failed checks, 3 the scan could not run

In-process (Checkov's framework runners, as the gate uses them), no shell-out. CI runs it
(.github/workflows/preview.yml) and the test suite runs it (tests/test_scan_repo.py).
"""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def tracked_files(root: Path = REPO) -> list[Path]:
    """Files under version control (the secrets scan never reads .venv or build output)."""
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True
    ).stdout.decode()
    return [root / p for p in out.split("\0") if p and (root / p).is_file()]


def scan(root: Path = REPO) -> list[tuple[str, str, str, str]]:
    """Failed checks as (framework, check id, file, resource)."""
    from medinfra.policies.checkov_bridge.runner import load_checkov

    load_checkov()  # also makes Checkov's parsers sequential (no fork)
    logging.getLogger("checkov").setLevel(logging.ERROR)
    from checkov.dockerfile.runner import Runner as DockerfileRunner
    from checkov.github_actions.runner import Runner as ActionsRunner
    from checkov.runner_filter import RunnerFilter
    from checkov.secrets.runner import Runner as SecretsRunner

    files = tracked_files(root)
    workflows = [
        str(f) for f in files if f.parent.name == "workflows" and f.suffix in (".yml", ".yaml")
    ]
    dockerfiles = [
        str(f) for f in files if f.name == "Dockerfile" or f.name.endswith(".Dockerfile")
    ]
    texts = [str(f) for f in files if f.stat().st_size < 512_000]
    failed = []
    for framework, runner, chosen in (
        ("github_actions", ActionsRunner(), workflows),
        ("dockerfile", DockerfileRunner(), dockerfiles),
        ("secrets", SecretsRunner(), texts),
    ):
        if not chosen:
            continue
        rf = RunnerFilter(
            framework=[framework],
            show_progress_bar=False,
            enable_secret_scan_all_files=framework == "secrets",
        )
        reports = runner.run(root_folder=None, files=chosen, runner_filter=rf)
        for report in reports if isinstance(reports, list) else [reports]:
            for record in [*report.failed_checks, *report.skipped_checks]:
                failed.append((framework, record.check_id, record.file_path, record.resource))
    return sorted(failed)


def main() -> int:
    try:
        failed = scan()
    except Exception as exc:  # noqa: BLE001 - the scan failing fails CI (fail closed)
        print(f"scan_repo: the scan could not run: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 3
    for framework, check, path, resource in failed:
        print(f"FAILED {check} ({framework}) {path} {resource}")
    print(f"scan_repo: {len(failed)} failed checks")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
