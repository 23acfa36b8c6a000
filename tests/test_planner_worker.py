"""The planner worker's internals: the SDK tuning changes speed, never what is planned."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from medinfra.worker import OutputQueue, _memoize_per_class
from tests.conftest import PROGRAMS, REPO


def _inventory(tmp_path, directory, stack, tuning: str) -> dict:
    out = tmp_path / f"inv-{tuning}.json"
    env = {**os.environ, "PYTHONPATH": str(REPO), "MEDINFRA_PLANNER_TUNING": tuning}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "medinfra.cli",
            "preview",
            "--dir",
            str(directory),
            "--stack",
            stack,
            "--inventory",
            str(out),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr  # planned (allowed or blocked by policy)
    return json.loads(out.read_text())


@pytest.mark.parametrize(
    ("directory", "stack"),
    [
        (REPO, "aws-prod"),
        (REPO / "examples/minimal-bucket", "dev"),
        (PROGRAMS / "nested", "test"),
        (PROGRAMS / "secrets", "test"),
    ],
)
def test_sdk_tuning_does_not_change_the_inventory(tmp_path, directory, stack):
    assert _inventory(tmp_path, directory, stack, "1") == _inventory(
        tmp_path, directory, stack, "0"
    )


def test_output_queue_behaves_like_the_sdk_deque():
    queue = OutputQueue()
    a, b, c = object(), object(), object()
    for item in (a, b, c):
        queue.append(item)
    assert len(queue) == 3
    queue.remove(b)
    assert len(queue) == 2
    with pytest.raises(ValueError):
        queue.remove(b)
    assert queue.popleft() is a
    queue.append(a)  # the SDK re-queues a task that is not done yet
    assert queue.popleft() is c
    assert queue.popleft() is a
    with pytest.raises(IndexError):
        queue.popleft()
    queue.append(b)
    queue.clear()
    assert len(queue) == 0


def test_memoized_type_lookup_hands_out_copies():
    calls = []

    def lookup(cls):
        calls.append(cls)
        return {"name": str}

    cached = _memoize_per_class(lookup)
    first = cached(int)
    first["mutated"] = bytes
    assert cached(int) == {"name": str}
    assert calls == [int]
