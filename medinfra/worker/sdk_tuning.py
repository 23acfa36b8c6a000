"""Changes to the Pulumi SDK that make offline planning fast and never change what is planned.

tests/test_planner_worker.py plans the same programs with and without them and compares the
Inventories, and asserts which patches were applied, so a patch that silently stops applying (an
SDK upgrade renamed what it patches) fails a test instead of only making planning slow.

(Pulumi 3.223 and older kept pending Outputs in a deque whose linear `remove` made planning
quadratic, and this module replaced it; the SDK now keeps them in a set, so nothing here does.)
"""

from __future__ import annotations

import sys


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
