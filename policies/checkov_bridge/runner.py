"""Run Checkov on the converted Inventory: its framework runners, no shell-out. This module runs
inside the Checkov worker (worker.py, Checkov's own environment); MedInfra's environment imports
it only for the result types and errors it re-exports from results.py (Checkov is imported by
`load_checkov` alone).

Checkov is imported once per process (lazily, under a lock: the import takes seconds), with
MedInfra's own checks (`checks/`, ids CKV_MED_*) registered beside Checkov's, and each scan
writes the converted documents to a private temporary directory, runs the Terraform plan, ARM
and Kubernetes runners on them with one RunnerFilter (the check selection), and maps every
result back to the Pulumi URN it came from. A scan runs in a worker thread with a
deadline; Checkov raising or overrunning is a CheckovError (the gate blocks: fail closed).

A big plan (PARALLEL_MIN_ITEMS converted items or more) is split into independent parts
(partition.py: reference-connected resources, manifests by namespace and Checkov's own edges)
packed into chunks of CHUNK_ITEMS, and the chunks run on a pool forked after Checkov's import
(parallel.py); the results are those of one scan, sorted the same way (docs/checkov-scale.md).

No inline suppression: the converters never emit Checkov skip markers, and a result Checkov
reports as skipped anyway counts as failed. Exceptions are waivers (policies/waivers.yaml).
"""

from __future__ import annotations

import gc
import json
import logging
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from medinfra.policies.checkov_bridge import fastload
from medinfra.policies.checkov_bridge.arm import to_arm_template
from medinfra.policies.checkov_bridge.k8s import to_manifests
from medinfra.policies.checkov_bridge.parallel import (
    Job,
    Record,
    default_workers,
    execute,
    stop_pool,
)
from medinfra.policies.checkov_bridge.partition import (
    arm_parts,
    arm_subset,
    chunks,
    k8s_parts,
    tfplan_parts,
    tfplan_subset,
)
from medinfra.policies.checkov_bridge.results import (  # noqa: F401 - part of runner's API
    CheckovError,
    CheckovTimeout,
    CheckResult,
    Scan,
    Selection,
    _collect,
)
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
#: A plan with fewer converted items (Terraform resources + ARM resources + manifests) is
#: scanned as one run per framework, in this process: see docs/checkov-scale.md for the
#: measurement behind the number.
PARALLEL_MIN_ITEMS = 300
#: At most this many items per Checkov run once a plan is split (a part bigger than this is
#: one run): Checkov's Kubernetes graph grows with the square of a run's size.
CHUNK_ITEMS = 125


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
            # Checkov's line-numbering YAML loaders, exactly, for our one-line JSON files.
            fastload.install()
            # Checkov's ~300k import-time objects are never garbage: keep them out of every full
            # garbage collection (and out of the pages a forked scan worker would copy).
            gc.freeze()
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


def _run_job(job: Job, selection: Selection) -> list[Record]:
    """One Checkov framework runner on one chunk's files (here or in a pool worker)."""
    assert _checkov is not None
    runner_filter = _checkov["filter"](
        framework=[job.framework],
        checks=list(selection.checks) or None,
        skip_checks=list(selection.skip_checks) or None,
        show_progress_bar=False,
    )
    report = _checkov[job.framework]().run(
        root_folder=None, files=list(job.files), runner_filter=runner_filter
    )
    out = []
    for rep in report if isinstance(report, list) else [report]:
        for record in [*rep.failed_checks, *rep.passed_checks, *rep.skipped_checks]:
            out.append(Record(record.check_id, record.check_name, record.guideline,
                              _record_result(record), record.resource,
                              str(getattr(record, "file_path", ""))))
    return out


def _write(path: Path, document: Any) -> str:
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def _run_all(
    resources: list[dict[str, Any]],
    selection: Selection,
    workdir: Path,
    workers: int | None = None,
) -> Scan:
    """Convert, split when big (partition.py), run every chunk (on `workers` processes, default
    parallel.default_workers()), map results back to URNs, sort."""
    assert _checkov is not None
    scan = Scan(unmapped_types=unmapped_types(resources))
    plan, template = to_terraform_plan(resources), to_arm_template(resources)
    manifests = to_manifests(resources)
    items = len(plan.urns) + len(template.urns) + len(manifests.documents)
    split = items >= PARALLEL_MIN_ITEMS
    jobs: list[Job] = []
    mappers = []
    if plan.urns:
        groups = chunks(tfplan_parts(plan.document), CHUNK_ITEMS) if split else [None]
        for k, group in enumerate(groups):
            document = plan.document if group is None else tfplan_subset(plan.document, group)
            jobs.append(Job("terraform_plan", (_write(workdir / f"tfplan-{k}.json", document),)))
            mappers.append(lambda r, urns=plan.urns: urns.get(r.resource))
        scan.scanned += len(plan.urns)
    if template.urns:
        groups = chunks(arm_parts(template.document), CHUNK_ITEMS) if split else [None]
        for k, group in enumerate(groups):
            document = template.document if group is None else arm_subset(template.document,
                                                                          sorted(group))
            jobs.append(Job("arm", (_write(workdir / f"template-{k}.json", document),)))
            mappers.append(lambda r, urns=template.urns: urns.get(r.resource))
        scan.scanned += len(template.urns)
    if manifests.documents:
        files = [_write(workdir / f"k8s-{i:05d}.json", document)
                 for i, document in enumerate(manifests.documents)]
        groups = (chunks(k8s_parts(manifests.documents), CHUNK_ITEMS) if split
                  else [list(range(len(files)))])
        for group in groups:
            jobs.append(Job("kubernetes", tuple(files[i] for i in sorted(group))))
            mappers.append(manifests.urn_of)
        scan.scanned += len(set(manifests.urns.values()))
    workers = (workers or default_workers()) if split else 1
    outcomes = execute(_run_job, jobs, selection, workers)
    for job, urn_of, records in zip(jobs, mappers, outcomes, strict=True):
        scan.results += _collect(records, urn_of, job.framework)
    scan.results.sort(key=lambda r: (r.urn, r.check_id, r.resource, r.result, r.framework))
    return scan


def scan(
    resources: list[dict[str, Any]],
    selection: Selection | None = None,
    timeout_s: float = 60.0,
    workers: int | None = None,
) -> Scan:
    """Scan the Inventory's resources; raise CheckovError / CheckovTimeout, never pass silently.

    `timeout_s` bounds everything, the one-time import of Checkov included: a scan that
    overruns is abandoned (its thread is a daemon, its pool processes are killed) and its
    result never used. `workers`: processes for a big plan (default parallel.default_workers)."""
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
                result = _run_all(resources, selection, Path(tmp), workers)
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
        stop_pool()
        raise CheckovTimeout(f"Checkov did not finish within {timeout_s:g}s (timeout)")
    if "error" in outcome:
        raise CheckovError(f"Checkov failed: {outcome['error']}")
    if "scan" not in outcome:
        raise CheckovError("Checkov returned no scan")
    return outcome["scan"]
