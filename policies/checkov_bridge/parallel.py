"""Run Checkov jobs (a framework and the files of one chunk) on all cores.

The pool is forked from the process that already imported Checkov (runner.load_checkov), so
its workers start warm: no worker imports Checkov again. It is created on the first scan big
enough to need it (runner.PARALLEL_MIN_ITEMS) or by `start_pool`, and kept for later scans.
Jobs are handed out one at a time, largest first (by the size of their files), to whichever
worker is free (longest-processing-time first: the workers finish together even when a
framework's cost per byte differs from another's); each returns plain records, which the
runner maps back to URNs and sorts, so the order of completion never shows.

Forking a process that runs other threads can leave a lock held forever in the child. The
policy pack is a gRPC server (gRPC's threads and its fork handlers are the known hazard), so
the default is one worker -- no fork -- in any process that has imported gRPC, and every core
elsewhere (the Checkov worker process, the CLI's direct gate, the benchmark).
`MEDINFRA_CHECKOV_WORKERS=N` overrides that default (1 turns forking off everywhere).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, NamedTuple

WORKERS_ENV = "MEDINFRA_CHECKOV_WORKERS"
_LOCK = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0


class Record(NamedTuple):
    """What the runner needs of one Checkov record (picklable, unlike Checkov's)."""

    check_id: str
    check_name: str
    guideline: str | None
    result: str
    resource: str
    file_path: str


class Job(NamedTuple):
    framework: str
    files: tuple[str, ...]


def default_workers() -> int:
    """How many processes scan: MEDINFRA_CHECKOV_WORKERS, else 1 beside gRPC, else the cores."""
    wanted = os.environ.get(WORKERS_ENV, "").strip()
    if wanted:
        try:
            return max(1, int(wanted))
        except ValueError:
            raise ValueError(f"{WORKERS_ENV}={wanted!r}: expected a whole number >= 1") from None
    if "grpc" in sys.modules:
        return 1
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))


def _end_with_parent(parent: int) -> None:
    """A pool process ends when the process that forked it is gone, however it ended (killed
    for a timeout, by the client, by the OOM killer). It would not notice otherwise: its
    siblings hold the pool's pipes open, so it never reads end-of-file, and it would live on,
    holding a warm Checkov in memory. (Not PR_SET_PDEATHSIG: that follows the forking thread.)"""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="medinfra-parent-watch", daemon=True).start()


def _pool_of(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    with _LOCK:
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            _pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("fork"),
                initializer=_end_with_parent, initargs=(os.getpid(),),
            )
            _pool_size = workers
        return _pool


def start_pool(workers: int | None = None) -> int:
    """Fork the warm workers now (call after runner.load_checkov); returns how many."""
    workers = workers or default_workers()
    if workers > 1:
        pool = _pool_of(workers)
        for future in [pool.submit(os.getpid) for _ in range(workers)]:
            future.result()
    return workers


def stop_pool() -> None:
    """Kill the pool's processes (after a scan overran its deadline, or at exit)."""
    global _pool
    with _LOCK:
        pool, _pool = _pool, None
    if pool is None:
        return
    for process in list(getattr(pool, "_processes", {}).values()):
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def execute(run_job: Callable, jobs: list[Job], selection: Any, workers: int) -> list[list[Record]]:
    """Each job's records, in the order of `jobs`; with `workers` > 1, on a forked pool."""
    if workers <= 1 or len(jobs) <= 1:
        return [run_job(job, selection) for job in jobs]
    order = sorted(range(len(jobs)), key=lambda i: (-_weight(jobs[i]), i))
    pool = _pool_of(workers)
    futures = {i: pool.submit(run_job, jobs[i], selection) for i in order}
    return [futures[i].result() for i in range(len(jobs))]


def _weight(job: Job) -> int:
    """A job's expected cost: its size on disk (files hold whole parts)."""
    return sum(os.path.getsize(f) for f in job.files)
