"""Offline planning: run a Pulumi program under the mock runtime and return its Inventory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import medinfra
from medinfra.mocks.modes import SYNTHETIC
from medinfra.policies.inventory import build_inventory
from medinfra.program_python import ProgramPython, resolve, unusable
from medinfra.project import InputError, Project, StackConfig
from medinfra.worker.bootstrap import SOURCE as WORKER_BOOTSTRAP

#: The directory of the `medinfra` package the worker loads (and nothing else of ours).
PACKAGE_DIR = Path(medinfra.__file__).resolve().parent


class PlanError(Exception):
    """The planner itself could not run (exit code 3: fail closed)."""


class ProgramError(InputError):
    """The user's program raised or logged an error while being planned (exit code 2)."""

    def __init__(self, message: str, location: str | None):
        where = f"\n  at {location}" if location else ""
        super().__init__(f"the Pulumi program failed: {message}{where}")
        self.location = location


@dataclass
class Plan:
    """The outcome of planning one stack."""

    project: str
    stack: str
    inventory: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    messages: list[dict[str, str]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    sdk_tuning: list[str] = field(default_factory=list)  # the worker's speed patches applied
    #: Where the program ran (its virtualenv, or "medinfra") and the Pulumi SDKs it imported.
    python: str = "medinfra"
    sdks: dict[str, str] = field(default_factory=dict)
    mode: str = SYNTHETIC  # how the engine's answers were modelled (medinfra.mocks.preview)
    unconfigured_providers: list[str] = field(default_factory=list)
    # With semantics {"record_state": True}: what a stack export would hold after deploying it.
    state: list[dict[str, Any]] = field(default_factory=list)

    @property
    def resources(self) -> list[dict[str, Any]]:
        return self.inventory["resources"]


def plan(
    project: Project,
    config: StackConfig,
    timeout: float = 600.0,
    semantics: dict[str, Any] | None = None,
    python: ProgramPython | None = None,
) -> Plan:
    """Plan `project` for one stack in a fresh interpreter; raise ProgramError or PlanError.

    `semantics` says what the engine answers for registered resources
    (`medinfra.mocks.preview`): {"mode": ..., "state": {urn: {"id", "outputs"}}}.
    The interpreter is the project's virtualenv (`medinfra.program_python`; InputError if it is
    unusable) unless `python` is given."""
    python = python or resolve(project)
    request = {
        "semantics": {k: v for k, v in (semantics or {}).items() if k != "data_sources"},
        "data_sources": (semantics or {}).get("data_sources") or {},
        "dir": str(project.dir),
        "main": str(project.main),
        "project": project.name,
        "stack": config.stack,
        "config": config.values,
        "secret_keys": sorted(config.secret_keys),
    }
    env = python.environment(dict(os.environ))
    env.pop("PULUMI_CONFIG", None)  # the request carries the config; never inherit a stray one
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="medinfra-plan-") as tmp:
        result_file = Path(tmp) / "result.json"
        try:
            proc = subprocess.run(
                [str(python.executable), "-c", WORKER_BOOTSTRAP, str(PACKAGE_DIR),
                 str(result_file)],
                input=json.dumps(request),
                text=True,
                capture_output=True,
                cwd=project.dir,
                env=env,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:  # the child is killed by subprocess.run
            raise PlanError(f"planning stack {config.stack} exceeded {timeout:g}s") from None
        if not result_file.exists():
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            raise PlanError(
                f"the planner exited with code {proc.returncode} without a result:\n{tail}"
            )
        result = json.loads(result_file.read_text(encoding="utf-8"))
    # The program's own prints and warnings go to our stderr, never to stdout (JSON lives there).
    for stream in (proc.stdout, proc.stderr):
        if stream.strip():
            sys.stderr.write(stream)
    wall = time.perf_counter() - started
    if not result["ok"]:
        if result["kind"] == "environment" and python.virtualenv is not None:
            raise unusable(project, python, result["message"])
        if result["kind"] == "program":
            raise ProgramError(result["message"], result.get("location"))
        where = f" (on {python.executable})" if python.virtualenv is not None else ""
        raise PlanError(f"the planner failed{where}: {result['message']}")
    inventory = build_inventory(
        project.name, config.stack, config.gate_values(), result["resources"]
    )
    return Plan(
        project=project.name,
        stack=config.stack,
        inventory=inventory,
        outputs=result["outputs"],
        messages=result["messages"],
        timings={
            "plan_s": result["plan_seconds"],
            "plan_wall_s": round(wall, 4),
            **({"sdk_import_s": result["sdk_import_seconds"]}
               if "sdk_import_seconds" in result else {}),
            **({"worker_start_s": result["startup_seconds"]}
               if result.get("startup_seconds") is not None else {}),
        },
        sdk_tuning=result["sdk_tuning"],
        python=python.describe(),
        sdks=result.get("sdks", {}),
        mode=(semantics or {}).get("mode", SYNTHETIC),
        unconfigured_providers=result["unconfigured_providers"],
        state=result.get("state", []),
    )
