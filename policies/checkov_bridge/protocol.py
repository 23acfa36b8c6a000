"""The Checkov worker's protocol (docs/checkov-worker.md): JSON lines, one request and one answer
per line, versioned. Shared by the worker (Checkov's environment) and the client (the product's),
so it imports the standard library only.
"""

from __future__ import annotations

import json
from typing import Any

#: Bumped on any change to a request or an answer; a worker and a client of different versions
#: never talk (the client refuses the worker's hello).
PROTOCOL = 1
OPS = ("hello", "scan", "checks", "run", "shutdown")
#: Checkov framework runners the `run` op may start on files (hand-written equivalents in the
#: tests; the repository scan).
RUN_FRAMEWORKS = ("terraform_plan", "arm", "kubernetes", "github_actions", "dockerfile", "secrets")
#: Error kinds of a failed answer: the scan overran its deadline (the worker exits after
#: answering it), Checkov failed, the request was malformed, the worker itself failed.
ERROR_KINDS = ("timeout", "checkov", "request", "internal")
#: One line may hold a 10k-resource Inventory or its results; anything longer is garbage.
MAX_LINE = 512 * 1024 * 1024
#: The environment variable naming the socket of a worker `medinfra preview` shares with packs.
SOCKET_ENV = "MEDINFRA_CHECKOV_SOCKET"
#: The environment variable naming Checkov's interpreter.
PYTHON_ENV = "MEDINFRA_CHECKOV_PYTHON"


def encode(message: dict[str, Any]) -> bytes:
    """One line of the protocol (compact JSON, no NaN, newline-terminated)."""
    return json.dumps(message, separators=(",", ":"), allow_nan=False).encode("utf-8") + b"\n"


def answer(request_id: Any, result: Any) -> dict[str, Any]:
    return {"protocol": PROTOCOL, "id": request_id, "ok": True, "result": result}


def failure(request_id: Any, kind: str, message: str) -> dict[str, Any]:
    return {
        "protocol": PROTOCOL,
        "id": request_id,
        "ok": False,
        "error": {"kind": kind, "message": message[:2000]},
    }
