"""Changes to the Pulumi SDK that make offline planning fast and never change what is planned.

tests/test_planner_worker.py plans the same programs with and without them and compares the
Inventories, and asserts which patches were applied, so a patch that silently stops applying (an
SDK upgrade renamed what it patches) fails a test instead of only making planning slow.

Pulumi SDKs up to at least 3.231 keep pending Outputs in a deque whose linear `remove` makes
planning quadratic; for those (a program's own virtualenv may hold one) `pending_outputs` hands
the SDK an `OutputQueue`. Current SDKs keep a set, which is already O(1), and get a set.
"""

from __future__ import annotations

import sys
from collections import deque
from typing import Any


class OutputQueue:
    """The SDK's queue of pending Outputs (`Settings.outputs`) with O(1) `remove`.

    The SDK keeps every Output's future in a deque and removes each one when it resolves;
    `deque.remove` is linear, which makes planning quadratic in the number of Outputs (5,000
    resources took 18x the time of 1,000). Same operations, same order: a deque for order plus
    the set of live items, with removed items skipped lazily by `popleft` and iteration (SDKs
    before 3.231 pop items one by one; later ones copy the queue with `list()` and clear it).
    """

    def __init__(self) -> None:
        self._order: deque = deque()  # (ticket, item), in append order
        self._live: dict = {}  # item -> the ticket of its live entry in _order
        self._tickets = 0

    def append(self, item: Any) -> None:
        self._tickets += 1
        self._order.append((self._tickets, item))
        self._live[item] = self._tickets

    def remove(self, item: Any) -> None:
        if item not in self._live:
            raise ValueError("OutputQueue.remove(x): x not in queue")
        del self._live[item]

    def _is_live(self, entry: tuple) -> bool:
        ticket, item = entry
        return self._live.get(item) == ticket

    def popleft(self) -> Any:
        while True:
            entry = self._order.popleft()  # IndexError when empty, as deque
            if self._is_live(entry):
                del self._live[entry[1]]
                return entry[1]

    def __iter__(self):
        # The live items in order: newer SDKs (3.231+) wait on `list(SETTINGS.outputs)`.
        return (item for ticket, item in self._order if self._live.get(item) == ticket)

    def clear(self) -> None:
        self._order.clear()
        self._live.clear()

    def __len__(self) -> int:
        return len(self._live)


def pending_outputs(sdk_settings) -> tuple[Any, list[str]]:
    """An empty container of pending Outputs of the kind this SDK uses (`SETTINGS.outputs` as
    the SDK module creates it), and the patch applied: an OutputQueue in place of a deque."""
    if isinstance(getattr(sdk_settings.SETTINGS, "outputs", None), deque):
        return OutputQueue(), ["output-queue"]
    return set(), []


def _memoize_per_class(function):
    """Cache a pure function of a class; hand out copies so no caller can alter the cache."""
    cache: dict[type, dict] = {}

    def cached(cls: type) -> dict:
        if cls not in cache:
            cache[cls] = function(cls)
        return dict(cache[cls])

    cached.__wrapped__ = function
    return cached


def tune_sdk_for_offline_planning() -> list[str]:
    """Make the SDK's per-resource overhead fit an offline plan; return what was applied.

    None of these changes what a program registers (tests compare inventories): the SDK
    re-derives a class's property types on every registration (pure, so memoized); it captures a
    source-position stack trace per resource for the engine's UI (nothing reads it offline); and
    planning allocates hundreds of thousands of short-lived asyncio objects, so cyclic GC and
    GIL hand-offs between the event loop and the executor threads dominate unless relaxed.
    Together: ~8 s -> ~3 s for 1,000 resources (scripts/bench_preview.py).
    """
    import gc

    import pulumi._types as sdk_types
    import pulumi.runtime.resource as sdk_resource
    from pulumi.runtime.proto import source_pb2

    applied = []
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    sys.setswitchinterval(1e-4)
    applied += ["gc-threshold", "switch-interval"]
    for name in ("_types_from_py_properties", "_types_from_annotations"):
        if callable(getattr(sdk_types, name, None)):
            setattr(sdk_types, name, _memoize_per_class(getattr(sdk_types, name)))
            applied.append(name)
    if callable(getattr(sdk_resource, "_get_stack_trace", None)):
        sdk_resource._get_stack_trace = source_pb2.StackTrace
        applied.append("_get_stack_trace")
    return applied
