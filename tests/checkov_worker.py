"""Checkov for the tests: everything goes through this process's Checkov worker (the gate's own,
policies/checkov_bridge/workers.py) or, for a test about the bridge's internals, through a
function of tests/checkov_side run in Checkov's interpreter (`in_checkov`); never an import of
Checkov here. Without Checkov's interpreter (.venv-checkov, or $MEDINFRA_CHECKOV_PYTHON) a test
fails, saying so."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from medinfra.policies.checkov_bridge.client import WorkerClient, checkov_python
from medinfra.policies.checkov_bridge.runner import CheckovError, Scan, Selection
from medinfra.policies.checkov_bridge.workers import default_client

REPO = Path(__file__).resolve().parents[1]
_TUPLE = "__tuple__"  # tests/checkov_side/__main__.py's tag for a tuple


def _python() -> str:
    try:
        return checkov_python()
    except CheckovError as exc:
        pytest.fail(f"these tests need Checkov's environment: {exc}")


def worker() -> WorkerClient:
    _python()
    return default_client()


def in_checkov(module: str, function: str, payload: Any, timeout_s: float = 1800) -> Any:
    """`tests.checkov_side.<module>.<function>(payload)` run in Checkov's interpreter (one
    subprocess, PYTHONPATH=<repo>, JSON both ways, tuples kept); a failure fails the test with
    the subprocess's stderr."""
    command = [_python(), "-m", "tests.checkov_side", module, function]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    try:
        proc = subprocess.run(command, input=json.dumps(payload), capture_output=True, text=True,
                              env=env, cwd=REPO, timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr
        pytest.fail(f"{module}.{function} in Checkov's interpreter took over {timeout_s:g}s; "
                    f"its stderr ends:\n{(err or '')[-8000:]}")
    if proc.returncode != 0:
        pytest.fail(f"{module}.{function} in Checkov's interpreter failed (exit code "
                    f"{proc.returncode}); its stderr ends:\n{proc.stderr[-8000:]}")
    try:
        return json.loads(proc.stdout, object_hook=lambda d: tuple(d[_TUPLE])
                          if d.keys() == {_TUPLE} else d)
    except ValueError as exc:
        pytest.fail(f"{module}.{function} in Checkov's interpreter answered no JSON ({exc}): "
                    f"{proc.stdout[:500]!r}; its stderr ends:\n{proc.stderr[-8000:]}")


def scan(resources: list, timeout_s: float = 300, selection: Selection | None = None) -> Scan:
    """The gate's scan of Inventory resources, in the worker."""
    return worker().scan(resources, selection, timeout_s)


def run(framework: str, *files: Path) -> list[dict]:
    """Checkov's own framework runner on hand-written files (its records), in the worker."""
    return worker().run(framework, [str(f) for f in files])


def checks() -> list[dict]:
    """Every check in Checkov's registries for the gate's frameworks, ours included."""
    return worker().checks()
