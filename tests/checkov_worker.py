"""Checkov for the tests: everything goes through this process's Checkov worker (the gate's own,
policies/checkov_bridge/workers.py), never an import of Checkov here. Without Checkov's
interpreter (.venv-checkov, or $MEDINFRA_CHECKOV_PYTHON) a test fails, saying so."""

from __future__ import annotations

from pathlib import Path

import pytest
from medinfra.policies.checkov_bridge.client import WorkerClient, checkov_python
from medinfra.policies.checkov_bridge.runner import CheckovError, Scan, Selection
from medinfra.policies.checkov_bridge.workers import default_client


def worker() -> WorkerClient:
    try:
        checkov_python()
    except CheckovError as exc:
        pytest.fail(f"these tests need Checkov's environment: {exc}")
    return default_client()


def scan(resources: list, timeout_s: float = 300, selection: Selection | None = None) -> Scan:
    """The gate's scan of Inventory resources, in the worker."""
    return worker().scan(resources, selection, timeout_s)


def run(framework: str, *files: Path) -> list[dict]:
    """Checkov's own framework runner on hand-written files (its records), in the worker."""
    return worker().run(framework, [str(f) for f in files])


def checks() -> list[dict]:
    """Every check in Checkov's registries for the gate's frameworks, ours included."""
    return worker().checks()
