"""Run Checkov on the converted Inventory: its framework runners, no shell-out. This module runs
inside the Checkov worker (worker.py, Checkov's own environment); MedInfra's environment imports
it only for the result types and errors below (Checkov is imported by `load_checkov` alone).

Checkov is imported once per process (lazily, under a lock: the import takes seconds), with
MedInfra's own checks (`checks/`, ids CKV_MED_*) registered beside Checkov's, and each scan
writes the converted documents to a private temporary directory, runs the Terraform plan, ARM
and Kubernetes runners on them with one RunnerFilter (the check selection), and maps every
result back to the Pulumi URN it came from. A scan runs in a worker thread with a
deadline; Checkov raising or overrunning is a CheckovError (the gate blocks: fail closed).

No inline suppression: the converters never emit Checkov skip markers, and a result Checkov
reports as skipped anyway counts as failed. Exceptions are waivers (policies/waivers.yaml).
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medinfra.policies.checkov_bridge.arm import to_arm_template
from medinfra.policies.checkov_bridge.k8s import to_manifests
from medinfra.policies.checkov_bridge.tfplan import to_terraform_plan
from medinfra.policies.checkov_bridge.types import TF_TYPES, arm_type

#: Importing Checkov takes seconds (minutes on a starved machine); it happens once per process
#: and is bounded on its own, so the scan deadline measures the scan.
IMPORT_TIMEOUT_S = 600.0
_IMPORT_LOCK = threading.Lock()
_SCAN_LOCK = threading.Lock()
_checkov: dict[str, Any] | None = None
_import_s: float | None = None
PREWARM_THREAD = "medinfra-checkov-import"


class CheckovError(Exception):
    """Checkov could not scan the Inventory (the gate blocks: fail closed)."""


class CheckovTimeout(CheckovError):
    """The scan took longer than allowed."""


@dataclass(frozen=True)
class Selection:
    """Which checks run: `checks` (ids or Checkov's globs; empty = all), minus `skip_checks`."""

    checks: tuple[str, ...] = ()
    skip_checks: tuple[str, ...] = ()


@dataclass
class CheckResult:
    """One check on one Pulumi resource."""

    check_id: str
    check_name: str
    guideline: str | None
    result: str
    urn: str
    resource: str
    framework: str


@dataclass
class Scan:
    """What Checkov said about an Inventory."""

    results: list[CheckResult] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    unmapped_types: list[str] = field(default_factory=list)
    scanned: int = 0

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.result != "PASSED"]


def load_checkov() -> float:
    """Import Checkov's runners once per process. Returns how long that import took to the first
    caller that reports it (0.0 afterwards), whichever thread did the importing."""
    global _checkov, _import_s
    with _IMPORT_LOCK:
        if _checkov is None:
            started = time.perf_counter()
            logging.getLogger("checkov").setLevel(logging.ERROR)
            from checkov.arm.runner import Runner as ArmRunner
            from checkov.common.parallelizer.parallel_runner import (
                ParallelizationType,
                parallel_runner,
            )
            from checkov.kubernetes.runner import Runner as KubernetesRunner
            from checkov.runner_filter import RunnerFilter
            from checkov.terraform.plan_runner import Runner as PlanRunner
            from medinfra.policies.checkov_bridge import checks as custom_checks

            # Never fork: the policy pack is a multi-threaded gRPC server, where a forked child
            # can deadlock or lose its results (the Kubernetes parser forks by default).
            parallel_runner.type = ParallelizationType.NONE
            # Our own checks join Checkov's registries and run like its own.
            custom_checks.load()
            _checkov = {
                "terraform_plan": PlanRunner,
                "arm": ArmRunner,
                "kubernetes": KubernetesRunner,
                "filter": RunnerFilter,
            }
            _import_s = round(time.perf_counter() - started, 4)
        if threading.current_thread().name == PREWARM_THREAD or _import_s is None:
            return 0.0
        reported, _import_s = _import_s, None
        return reported


def unmapped_types(resources: list[dict[str, Any]]) -> list[str]:
    """Provider resource types Checkov is not shown (no converter knows them)."""
    found = set()
    for r in resources:
        token = r.get("type") if isinstance(r, dict) else None
        if not isinstance(token, str) or token.startswith(("pulumi:", "medinfra:")):
            continue
        if token in TF_TYPES or arm_type(token) is not None:
            continue
        if token.startswith("kubernetes:") and "helm.sh" not in token:
            continue
        found.add(token)
    return sorted(found)


def _record_result(record: Any) -> str:
    result = record.check_result.get("result") if isinstance(record.check_result, dict) else None
    return getattr(result, "name", str(result))


def _collect(report: Any, urn_of, framework: str) -> list[CheckResult]:
    out = []
    reports = report if isinstance(report, list) else [report]
    for rep in reports:
        for record in [*rep.failed_checks, *rep.passed_checks, *rep.skipped_checks]:
            urn = urn_of(record)
            if urn is None:
                continue
            result = _record_result(record)
            out.append(
                CheckResult(
                    check_id=record.check_id,
                    check_name=record.check_name,
                    guideline=record.guideline,
                    result="FAILED" if result == "SKIPPED" else result,
                    urn=urn,
                    resource=record.resource,
                    framework=framework,
                )
            )
    return out


def _run_all(resources: list[dict[str, Any]], selection: Selection, workdir: Path) -> Scan:
    assert _checkov is not None
    scan = Scan(unmapped_types=unmapped_types(resources))

    def runner_filter(framework: str):
        return _checkov["filter"](
            framework=[framework],
            checks=list(selection.checks) or None,
            skip_checks=list(selection.skip_checks) or None,
            show_progress_bar=False,
        )

    for framework, filename, converted in (
        ("terraform_plan", "tfplan.json", to_terraform_plan(resources)),
        ("arm", "template.json", to_arm_template(resources)),
    ):
        if not converted.urns:
            continue
        path = workdir / filename
        path.write_text(json.dumps(converted.document), encoding="utf-8")
        report = _checkov[framework]().run(
            root_folder=None, files=[str(path)], runner_filter=runner_filter(framework)
        )
        scan.results += _collect(report, lambda r, urns=converted.urns: urns.get(r.resource),
                                 framework)
        scan.scanned += len(converted.urns)
    manifests = to_manifests(resources)
    if manifests.documents:
        files = []
        for i, document in enumerate(manifests.documents):
            path = workdir / f"k8s-{i:05d}.json"
            path.write_text(json.dumps(document), encoding="utf-8")
            files.append(str(path))
        report = _checkov["kubernetes"]().run(
            root_folder=None, files=files, runner_filter=runner_filter("kubernetes")
        )
        scan.results += _collect(report, manifests.urn_of, "kubernetes")
        scan.scanned += len(set(manifests.urns.values()))
    scan.results.sort(key=lambda r: (r.urn, r.check_id, r.resource))
    return scan


def scan(
    resources: list[dict[str, Any]], selection: Selection | None = None, timeout_s: float = 60.0
) -> Scan:
    """Scan the Inventory's resources; raise CheckovError / CheckovTimeout, never pass silently.

    `timeout_s` bounds everything, the one-time import of Checkov included: a scan that
    overruns is abandoned (its thread is a daemon) and its result never used."""
    selection = selection or Selection()
    deadline = time.monotonic() + timeout_s
    outcome: dict[str, Any] = {}
    imported = threading.Event()

    def work() -> None:
        try:
            try:
                import_s = load_checkov()
            finally:
                imported.set()
            with _SCAN_LOCK, tempfile.TemporaryDirectory(prefix="medinfra-checkov-") as tmp:
                started = time.perf_counter()
                result = _run_all(resources, selection, Path(tmp))
                result.timings = {
                    "checkov_import_s": import_s,
                    "checkov_scan_s": round(time.perf_counter() - started, 4),
                }
                outcome["scan"] = result
        except BaseException as exc:  # noqa: BLE001 - any failure blocks, with its reason
            outcome["error"] = f"{type(exc).__name__}: {str(exc)[:300]}"

    thread = threading.Thread(target=work, name="medinfra-checkov", daemon=True)
    thread.start()
    if not imported.wait(max(0.0, min(IMPORT_TIMEOUT_S, timeout_s))):
        raise CheckovTimeout(f"importing Checkov took longer than {timeout_s:g}s (timeout)")
    thread.join(max(0.0, deadline - time.monotonic()))
    if thread.is_alive():
        raise CheckovTimeout(f"Checkov did not finish within {timeout_s:g}s (timeout)")
    if "error" in outcome:
        raise CheckovError(f"Checkov failed: {outcome['error']}")
    if "scan" not in outcome:
        raise CheckovError("Checkov returned no scan")
    return outcome["scan"]
