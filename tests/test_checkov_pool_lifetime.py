"""The Checkov worker's scan pool never outlives the worker (policies/checkov_bridge/parallel.py).

A worker is killed when a scan overruns its deadline or its client gives up on it; the pool's
processes must end with it, or every such kill leaves warm Checkov processes holding memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from tests.conftest import REPO

FORK_AND_DIE = """
import json, os, sys
from medinfra.policies.checkov_bridge import parallel
pool = parallel._pool_of(2)
pids = sorted({pool.submit(os.getpid).result() for _ in range(8)} | set(pool._processes))
print(json.dumps(pids), flush=True)
os._exit(0)  # as a killed worker: no shutdown of the pool
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie of ours is dead too
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_pool_processes_end_when_the_worker_that_forked_them_dies():
    proc = subprocess.run(
        [sys.executable, "-c", FORK_AND_DIE], capture_output=True, text=True, timeout=60,
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr
    pids = json.loads(proc.stdout)
    assert len(pids) == 2 and os.getpid() not in pids
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in pids if _alive(p)], "pool processes outlived their worker"
