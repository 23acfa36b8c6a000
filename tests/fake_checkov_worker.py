"""A Checkov worker that misbehaves on purpose (tests/test_checkov_client.py): it speaks the
protocol well for `hello`, then does what its MODE argument says to the next request. It never
imports Checkov (it runs in any Python)."""

from __future__ import annotations

import json
import os
import sys
import time

MODE = sys.argv[1]


def write(message) -> None:
    text = message if isinstance(message, str) else json.dumps(message) + "\n"
    sys.stdout.write(text)
    sys.stdout.flush()


def hello(rid, protocol=1) -> dict:
    return {"protocol": protocol, "id": rid, "ok": True,
            "result": {"protocol": protocol, "checkov": "0.0.0", "python": "3", "pid": os.getpid(),
                       "ready": True, "socket": None}}


def scan(rid, result="FAILED") -> dict:
    row = {"check_id": "CKV_AWS_21", "check_name": "Ensure versioning", "guideline": None,
           "result": result, "urn": "urn:x", "resource": "aws_s3_bucket.x",
           "framework": "terraform_plan"}
    return {"protocol": 1, "id": rid, "ok": True,
            "result": {"results": [row], "timings": {"checkov_scan_s": 0.01},
                       "unmapped_types": [], "scanned": 1}}


if MODE == "crash-at-start":
    sys.stderr.write("fake worker: cannot import checkov\n")
    sys.exit(7)
if MODE == "huge-stderr":
    sys.stderr.write("noise " * 2_000_000 + "\n")  # 12 MB: more than any pipe buffer
    sys.stderr.flush()

for line in sys.stdin:
    request = json.loads(line)
    rid, op = request["id"], request["op"]
    if op == "hello":
        write(hello(rid, protocol=2 if MODE == "wrong-version" else 1))
        continue
    if op == "shutdown":
        write({"protocol": 1, "id": rid, "ok": True, "result": {"bye": True}})
        break
    if MODE in ("ok", "huge-stderr"):
        write(scan(rid))
    elif MODE == "checkov-error-then-ok":
        MODE = "ok"
        write({"protocol": 1, "id": rid, "ok": False,
               "error": {"kind": "checkov", "message": "Checkov failed: ValueError: bad plan"}})
    elif MODE == "crash-mid-scan":
        sys.stderr.write("fake worker: segfault in the parser\n")
        sys.stderr.flush()
        os._exit(9)
    elif MODE == "hang":
        time.sleep(3600)
    elif MODE == "garbage":
        write("Checkov scanning your files...\n")
    elif MODE == "not-an-object":
        write("[1, 2, 3]\n")
    elif MODE == "wrong-id":
        write(scan(rid + 100))
    elif MODE == "truncated":
        write(json.dumps(scan(rid))[:40])
        os._exit(0)
    elif MODE == "malformed-result":
        write(scan(rid, result="MAYBE"))
    elif MODE == "timeout-answer":
        write({"protocol": 1, "id": rid, "ok": False,
               "error": {"kind": "timeout", "message": "Checkov did not finish within 1s"}})
        os._exit(3)
    elif MODE == "unknown-error-kind":
        write({"protocol": 1, "id": rid, "ok": False, "error": {"kind": "oops", "message": "?"}})
