"""Checkov's side of tests/test_checkov_partition.py: one scan and the split scan of each input."""

from __future__ import annotations

import tempfile
from pathlib import Path

from medinfra.policies.checkov_bridge import parallel, runner


def _key(scan) -> list[tuple]:
    return [(r.urn, r.check_id, r.resource, r.result, r.framework, r.check_name, r.guideline)
            for r in scan.results]


def one_and_split(payload: dict[str, list[dict]]) -> dict[str, dict]:
    """Per named list of Inventory resources: the results (as the test's keys) and `scanned` of
    one scan, of the split scan on a 2-process pool in chunks of 3 items, and the jobs it ran."""
    runner.load_checkov()
    ran: list[int] = []
    real_execute = runner.execute

    def counting(run_job, jobs, selection, workers):
        ran.append(len(jobs))
        return real_execute(run_job, jobs, selection, workers)

    runner.execute = counting
    out = {}
    try:
        with tempfile.TemporaryDirectory(prefix="medinfra-split-") as tmp:
            for name, resources in payload.items():
                for side in ("one", "split"):
                    Path(tmp, name, side).mkdir(parents=True)
                runner.PARALLEL_MIN_ITEMS = 10**9
                one = runner._run_all(resources, runner.Selection(), Path(tmp, name, "one"))
                # Tiny chunks: as many Checkov runs as the partition allows.
                runner.PARALLEL_MIN_ITEMS, runner.CHUNK_ITEMS = 0, 3
                split = runner._run_all(resources, runner.Selection(), Path(tmp, name, "split"),
                                        workers=2)
                out[name] = {"one": _key(one), "one_scanned": one.scanned,
                             "split": _key(split), "split_scanned": split.scanned,
                             "jobs": ran[-1]}
    finally:
        parallel.stop_pool()
    return out
