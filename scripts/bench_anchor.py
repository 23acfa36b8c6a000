"""Helpers of scripts/bench_gate.py: a sampler of a process tree's peak memory and CPU time, and
the anchor column -- Checkov's own CLI on the same converted files the gate's scan reads."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tree(root):
    import psutil

    try:
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def tree_cpu(pid: int | None = None) -> float:
    """User + system CPU seconds used so far by a process and its live descendants (the gate's
    process, its Checkov worker and the worker's scan pool)."""
    import psutil

    total = 0.0
    for proc in _tree(psutil.Process(pid or os.getpid())):
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            continue
    return total


class PeakMemory:
    """Peak of the summed proportional set size (PSS: shared pages split between the processes
    sharing them, so forked workers are not counted twice) of a process and its descendants,
    sampled every 50 ms (psutil); RSS where PSS cannot be read."""

    def __init__(self, pid: int | None = None):
        import psutil

        self.root = psutil.Process(pid or os.getpid())
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for proc in _tree(self.root):
                try:
                    info = proc.memory_full_info()
                    total += getattr(info, "pss", info.rss)
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def write_converted(inventory: dict, folder: Path) -> None:
    """The files the gate's Checkov scan reads, written as one folder for Checkov's CLI."""
    from medinfra.policies.checkov_bridge.arm import to_arm_template
    from medinfra.policies.checkov_bridge.k8s import to_manifests
    from medinfra.policies.checkov_bridge.tfplan import to_terraform_plan

    resources = inventory["resources"]
    for name, converted in (("tfplan.json", to_terraform_plan(resources)),
                            ("template.json", to_arm_template(resources))):
        if converted.urns:
            (folder / name).write_text(json.dumps(converted.document))
    for i, document in enumerate(to_manifests(resources).documents):
        (folder / f"k8s-{i:05d}.json").write_text(json.dumps(document))


def checkov_cli(python: str, inventory: dict) -> tuple[float, int, float]:
    """Wall time, peak memory and CPU seconds of Checkov's own CLI on the converted files (all
    checks, the gate's three frameworks, MedInfra's own check directory), import included: what
    a user running Checkov on these files would wait for."""
    with tempfile.TemporaryDirectory(prefix="bench-checkov-cli-") as tmp:
        write_converted(inventory, Path(tmp))
        command = [
            python, "-m", "checkov.main", "-d", tmp,
            "--framework", "terraform_plan", "arm", "kubernetes",
            "--external-checks-dir", str(ROOT / "policies/checkov_bridge/checks/arm"),
            "--quiet", "--compact", "--skip-download", "--soft-fail", "-o", "cli",
        ]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True)
        with PeakMemory(proc.pid) as memory:
            _, stderr = proc.communicate()
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"checkov CLI failed ({proc.returncode}): {stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, memory.peak, cpu
