"""The planner worker's internals: the SDK tuning changes speed, never what is planned."""

from __future__ import annotations

import pytest

from medinfra.planner import Plan, plan
from medinfra.project import load_project, load_stack_config
from medinfra.worker.sdk_tuning import _memoize_per_class
from tests.conftest import PROGRAMS, REPO

# Every patch of medinfra.worker.sdk_tuning, in the order it applies them. A patch whose target
# the SDK no longer has is skipped silently by the worker, and must fail here.
ALL_TUNING = [
    "gc-threshold",
    "switch-interval",
    "_types_from_py_properties",
    "_types_from_annotations",
    "_get_stack_trace",
]


def _plan(monkeypatch, directory, stack, tuning: str) -> Plan:
    monkeypatch.setenv("MEDINFRA_PLANNER_TUNING", tuning)
    project = load_project(directory)
    return plan(project, load_stack_config(project, stack), timeout=300)


@pytest.mark.parametrize(
    ("directory", "stack"),
    [
        (REPO, "aws-prod"),
        (REPO / "examples/minimal-bucket", "dev"),
        (PROGRAMS / "nested", "test"),
        (PROGRAMS / "secrets", "test"),
    ],
)
def test_sdk_tuning_does_not_change_the_inventory(monkeypatch, directory, stack):
    tuned = _plan(monkeypatch, directory, stack, "1")
    untuned = _plan(monkeypatch, directory, stack, "0")
    assert (tuned.sdk_tuning, untuned.sdk_tuning) == (ALL_TUNING, [])
    assert tuned.inventory == untuned.inventory


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
