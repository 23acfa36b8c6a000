"""The reference stacks' two session plans, each run once per test session, however many
pytest-xdist workers share it.

`all-stacks` is README command 1 (`medinfra preview --all-stacks`: a new stack's first preview,
through the pack); `synthetic-stacks` plans the same stacks with synthetic ids and outputs
(`--synthetic-outputs --direct`), for the tests that assert concrete values. Both are real
`medinfra` processes. As soon as a session whose tests need one begins, the first worker to claim
it (an atomic `mkdir` in the session's shared temporary directory) starts it in the background,
so the two plans run side by side while other tests go on; a fixture that needs a plan waits for
its exit code file. Without xdist the same happens inside the one pytest process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TIMEOUT_S = 900  # per plan: six stacks on a loaded 2-core machine take a few minutes at most

# Runs one plan and records its streams and exit code; the exit code file appears last
# (os.replace), so a waiting worker never reads a half-written result. SIGTERM (a session that
# stops early) ends the wrapper, and subprocess.run then kills the command it runs.
_WRAPPER = """
import os, signal, subprocess, sys
out, timeout, *command = sys.argv[1:]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
with open(os.path.join(out, "stdout"), "w") as o, open(os.path.join(out, "stderr"), "w") as e:
    try:
        code = subprocess.run(command, stdout=o, stderr=e, timeout=float(timeout)).returncode
    except subprocess.TimeoutExpired:
        e.write(f"\\n[tests] the plan did not finish within {timeout}s\\n")
        code = -9
with open(os.path.join(out, "exit-code.tmp"), "w") as f:
    f.write(str(code))
os.replace(os.path.join(out, "exit-code.tmp"), os.path.join(out, "exit-code"))
"""


def _all_stacks(out: Path) -> list[str]:
    inventories = out / "inventories"
    inventories.mkdir()
    return ["preview", "--all-stacks", "--format", "json",
            "--markdown", str(out / "summary.md"), "--sarif", str(out / "findings.sarif"),
            "--inventory-dir", str(inventories)]


def _synthetic(out: Path) -> list[str]:
    return ["preview", "--all-stacks", "--synthetic-outputs", "--direct",
            "--format", "json", "--inventory-dir", str(out)]


@dataclass(frozen=True)
class Plan:
    name: str
    fixture: str  # the session fixture in tests/conftest.py that reads this plan
    args: Callable[[Path], list[str]]  # `medinfra` arguments, writing into the given directory


ALL_STACKS = Plan("all-stacks", "all_stacks", _all_stacks)
SYNTHETIC = Plan("synthetic-stacks", "synthetic_inventories", _synthetic)
PLANS = (ALL_STACKS, SYNTHETIC)


@dataclass
class Finished:
    code: int
    stdout: str
    stderr: str
    out: Path  # where the command wrote its files


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory every worker of this session sees, and no other session does."""
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's basetemp is <session dir>/popen-gwN.
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "reference-plans"
    root.mkdir(exist_ok=True)
    return root


class Plans:
    """The plans this process started; it stops any still running at the end of the session."""

    def __init__(self, root: Path):
        self.root = root
        self.started: list[tuple[subprocess.Popen, float]] = []

    def start(self, plan: Plan) -> None:
        """Start `plan` unless a worker of this session already did."""
        where = self.root / plan.name
        try:
            where.mkdir()  # atomic: exactly one worker of the session claims the plan
        except FileExistsError:
            return
        out = where / "out"
        out.mkdir()
        command = [sys.executable, "-m", "medinfra.cli", *plan.args(out)]
        from tests.conftest import user_environment  # conftest imports this module

        proc = subprocess.Popen(
            [sys.executable, "-c", _WRAPPER, str(where), str(TIMEOUT_S), *command],
            cwd=REPO, env={**user_environment(), "PYTHONPATH": str(REPO)},
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        self.started.append((proc, time.monotonic() + TIMEOUT_S + 60))

    def start_needed(self, items: list[pytest.Item]) -> None:
        for plan in PLANS:
            if any(plan.fixture in item.fixturenames for item in items):
                self.start(plan)

    def result(self, plan: Plan) -> Finished:
        """Wait for `plan` (starting it if nothing did, e.g. a fixture looked up by name)."""
        self.start(plan)
        where = self.root / plan.name
        code_file = where / "exit-code"
        deadline = time.monotonic() + TIMEOUT_S + 60
        while not code_file.exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the {plan.name} plan wrote no exit code in {where}")
            time.sleep(0.2)
        return Finished(int(code_file.read_text()), (where / "stdout").read_text(),
                        (where / "stderr").read_text(), where / "out")

    def finish(self, stopping: bool) -> None:
        """Wait for what this process started (another worker may still need it); a session
        that is stopping early ends it instead."""
        for proc, deadline in self.started:
            if stopping:
                proc.terminate()
            try:
                proc.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

