"""Reading the Checkov worker's answers: one line -> the result of the request just sent, or an
exception naming what is wrong with it (docs/checkov-worker.md). Nothing is trusted: the line
must be JSON, of our protocol version, for the request id sent, and its result well-formed.
"""

from __future__ import annotations

import json
from typing import Any

from medinfra.policies.checkov_bridge import protocol
from medinfra.policies.checkov_bridge.runner import CheckResult, Scan

_RESULT_FIELDS = ("check_id", "check_name", "result", "urn", "resource", "framework")


class BadAnswer(Exception):
    """The line is not a well-formed answer to the request."""


class WorkerFailed(Exception):
    """A well-formed answer saying the request failed."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _shown(line: bytes) -> str:
    return repr(line[:80].decode("utf-8", "replace"))


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise BadAnswer(f"a malformed result ({what})")


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _hello(result: Any) -> dict[str, Any]:
    _require(isinstance(result, dict), "hello is not an object")
    if result.get("protocol") != protocol.PROTOCOL:
        raise BadAnswer(f"protocol version {result.get('protocol')!r} in its hello; this client "
                        f"speaks {protocol.PROTOCOL}")
    for key in ("checkov", "python"):
        _require(isinstance(result.get(key), str), f"hello without {key} version")
    _require(isinstance(result.get("pid"), int), "hello without a pid")
    return result


def _scan(result: Any) -> Scan:
    _require(isinstance(result, dict), "a scan is not an object")
    rows = result.get("results")
    _require(isinstance(rows, list), "results is not a list")
    found = []
    for row in rows:
        _require(isinstance(row, dict), "a result is not an object")
        _require(all(isinstance(row.get(k), str) for k in _RESULT_FIELDS),
                 f"a result lacks one of {', '.join(_RESULT_FIELDS)}")
        _require(row["result"] in ("PASSED", "FAILED"), f"result {row['result'][:20]!r}")
        _require(row.get("guideline") is None or isinstance(row["guideline"], str),
                 "guideline is not text")
        found.append(CheckResult(guideline=row.get("guideline"),
                                 **{k: row[k] for k in _RESULT_FIELDS}))
    timings = result.get("timings")
    _require(isinstance(timings, dict) and all(_number(v) for v in timings.values()),
             "timings are not numbers")
    unmapped = result.get("unmapped_types")
    _require(isinstance(unmapped, list) and all(isinstance(t, str) for t in unmapped),
             "unmapped_types is not a list of types")
    scanned = result.get("scanned")
    _require(isinstance(scanned, int) and not isinstance(scanned, bool) and scanned >= 0,
             "scanned is not a count")
    return Scan(results=found, timings=dict(timings), unmapped_types=unmapped, scanned=scanned)


def _rows(result: Any, key: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    _require(isinstance(result, dict) and isinstance(result.get(key), list), f"no {key} list")
    for row in result[key]:
        _require(isinstance(row, dict) and all(isinstance(row.get(f), str) for f in fields),
                 f"an entry of {key} lacks one of {', '.join(fields)}")
    return result[key]


_READERS = {
    "hello": _hello,
    "scan": _scan,
    "checks": lambda r: _rows(r, "checks", ("id", "framework", "kind", "module")),
    "run": lambda r: _rows(r, "records", ("check_id", "result", "resource")),
    "shutdown": lambda r: r,
}


def result_of(op: str, request_id: int, line: bytes) -> Any:
    """The result the line carries for request `request_id` of `op`."""
    if not line.endswith(b"\n"):
        if len(line) >= protocol.MAX_LINE:
            raise BadAnswer(f"a line longer than {protocol.MAX_LINE} bytes")
        raise BadAnswer(f"a truncated line (no end of line before it stopped): {_shown(line)}")
    try:
        message = json.loads(line)
    except ValueError:
        raise BadAnswer(f"a line that is not JSON: {_shown(line)}") from None
    if not isinstance(message, dict):
        raise BadAnswer(f"JSON that is not an answer object: {_shown(line)}")
    if message.get("protocol") != protocol.PROTOCOL:
        raise BadAnswer(f"protocol version {message.get('protocol')!r}; this client speaks "
                        f"{protocol.PROTOCOL}")
    if message.get("id") != request_id or isinstance(message.get("id"), bool):
        raise BadAnswer(f"the answer to request id {message.get('id')!r}, not {request_id}")
    if message.get("ok") is False:
        error = message.get("error")
        if not isinstance(error, dict) or error.get("kind") not in protocol.ERROR_KINDS:
            raise BadAnswer("an error of no known kind")
        raise WorkerFailed(error["kind"], str(error.get("message", ""))[:2000])
    if message.get("ok") is not True or "result" not in message:
        raise BadAnswer("an answer that is neither ok nor an error")
    return _READERS[op](message["result"])
