"""Checkov and zizmor on the repository itself: GitHub workflows, Dockerfiles and secrets in
tracked files.

    python scripts/scan_repo.py        # exit 0 clean, 1 failed checks, 3 the scan could not run

Checkov runs in its own environment, in the gate's Checkov worker (its framework runners on the
files; docs/checkov-worker.md), never imported here. zizmor, the GitHub
Actions security linter, is a native binary installed from the lock into the same environment;
it runs offline over the tracked workflows, action definitions and Dependabot configuration with
its pedantic persona, and honours no ignore comment or configuration file (as Checkov's skipped
checks count as failed here): an exception is a reviewed edit to this file. CI runs it
(.github/workflows/preview.yml) and the test suite runs it (tests/test_scan_repo.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Offline: no GitHub API, so the result depends on the files alone. Pedantic: the regular persona
# misses e.g. a workflow-level `permissions: write-all`. Strict collection: a workflow zizmor
# cannot parse fails the scan instead of being skipped with a warning.
ZIZMOR_ARGS = ("--offline", "--persona=pedantic", "--no-config", "--no-ignores",
               "--strict-collection", "--format=json", "--no-progress", "--color=never")
# zizmor's exit codes: 0 no findings, 10 + the highest severity (10..14) findings, else an error.
ZIZMOR_FOUND = range(10, 15)


def tracked_files(root: Path = REPO) -> list[Path]:
    """Files under version control (the secrets scan never reads .venv or build output)."""
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True
    ).stdout.decode()
    return [root / p for p in out.split("\0") if p and (root / p).is_file()]


# Third-party files kept byte for byte (tests/test_chart_data.py checks their git blob ids):
# KServe's chart names the secret *keys* it reads (AWS_SECRET_ACCESS_KEY), which the secrets
# scan takes for a secret; we may not edit them. Nothing else is exempt.
THIRD_PARTY_VERBATIM = ("tests/data/kserve/chart-v0.20.0/",)


def scan(root: Path = REPO) -> list[tuple[str, str, str, str]]:
    """Failed checks as (framework, check id, file, resource)."""
    from medinfra.policies.checkov_bridge.workers import default_client

    worker = default_client()
    files = tracked_files(root)
    workflows = [
        str(f) for f in files if f.parent.name == "workflows" and f.suffix in (".yml", ".yaml")
    ]
    dockerfiles = [
        str(f) for f in files if f.name == "Dockerfile" or f.name.endswith(".Dockerfile")
    ]
    texts = [
        str(f) for f in files
        if f.stat().st_size < 512_000 and not f.relative_to(root).as_posix().startswith(
            THIRD_PARTY_VERBATIM)
    ]
    failed = []
    for framework, chosen in (
        ("github_actions", workflows),
        ("dockerfile", dockerfiles),
        ("secrets", texts),  # every file, not only those of known types
    ):
        if not chosen:
            continue
        for record in worker.run(framework, chosen, timeout_s=600):
            if record["result"] != "PASSED":  # a skipped check counts as failed
                failed.append((framework, record["check_id"], record["file_path"],
                               record["resource"]))
    failed += zizmor(root, [f for f in files if _is_actions_input(f, root)])
    return sorted(failed)


def _is_actions_input(path: Path, root: Path) -> bool:
    """What zizmor audits: workflows, action definitions, Dependabot configuration."""
    parts = path.relative_to(root).parts
    if path.suffix not in (".yml", ".yaml"):
        return False
    workflow = len(parts) == 3 and parts[:2] == (".github", "workflows")
    dependabot = len(parts) == 2 and parts[0] == ".github" and path.stem == "dependabot"
    return workflow or dependabot or path.stem == "action"


def zizmor_executable() -> str:
    """The zizmor binary of this interpreter's environment (a wheel installs it as a script,
    with no importable module), else one on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / "zizmor"
    if beside.is_file():
        return str(beside)
    found = shutil.which("zizmor")
    if found is None:
        raise RuntimeError("zizmor is not installed (requirements.lock has it: ./scripts/setup.sh)")
    return found


def zizmor(root: Path, inputs: list[Path]) -> list[tuple[str, str, str, str]]:
    """zizmor's findings as ("zizmor", audit id, file, "line N: what")."""
    if not inputs:
        return []
    done = subprocess.run(
        [zizmor_executable(), *ZIZMOR_ARGS, *(str(p.relative_to(root)) for p in inputs)],
        cwd=root, capture_output=True, text=True, timeout=300,
    )
    if done.returncode != 0 and done.returncode not in ZIZMOR_FOUND:
        why = [line.strip() for line in done.stderr.splitlines()
               if line.strip() and not line.lstrip().startswith(("INFO", "WARN"))]
        raise RuntimeError(f"zizmor exited {done.returncode}: {' / '.join(why[:2]) or 'no output'}")
    try:
        found = json.loads(done.stdout)
    except ValueError:
        raise RuntimeError(f"zizmor printed no JSON (exit {done.returncode})") from None
    failed = []
    for finding in found:
        where = next(
            (loc for loc in finding["locations"] if loc["symbolic"]["kind"] == "Primary"),
            finding["locations"][0],
        )
        path = where["symbolic"]["key"]["Local"]["verbatim_path"]
        line = where["concrete"]["location"]["start_point"]["row"] + 1
        failed.append(("zizmor", finding["ident"], path, f"line {line}: {finding['desc']}"))
    if done.returncode in ZIZMOR_FOUND and not failed:
        raise RuntimeError(f"zizmor exited {done.returncode} but reported no finding")
    return failed


def main(root: Path = REPO) -> int:
    try:
        failed = scan(root)
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
