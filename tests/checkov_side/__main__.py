"""`python -m tests.checkov_side MODULE FUNCTION`: JSON on stdin -> FUNCTION(payload) -> JSON on
stdout, tuples tagged `{"__tuple__": [...]}` so that they come back as tuples (a test compares
them with tuples). Anything else written to stdout meanwhile (Checkov's own) goes to stderr."""

from __future__ import annotations

import contextlib
import importlib
import json
import sys
from typing import Any

TUPLE = "__tuple__"


def tag(value: Any) -> Any:
    """`value` for json.dump with its tuples tagged (undone by tests.checkov_worker)."""
    if isinstance(value, tuple):
        return {TUPLE: [tag(v) for v in value]}
    if isinstance(value, list):
        return [tag(v) for v in value]
    if isinstance(value, dict):
        return {k: tag(v) for k, v in value.items()}
    return value


def main(argv: list[str]) -> int:
    module_name, function_name = argv
    function = getattr(importlib.import_module(f"tests.checkov_side.{module_name}"),
                       function_name)
    payload = json.load(sys.stdin)
    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        result = tag(function(payload))
    json.dump(result, out)
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
