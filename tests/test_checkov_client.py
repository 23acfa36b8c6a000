"""The Checkov worker's client fails closed: every way a worker can misbehave (tests/
fake_checkov_worker.py) is a CheckovError naming what happened, a MED-GATE finding in the gate,
and a worker that failed is never asked again."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import time
from pathlib import Path

import pytest
from medinfra.policies.checkov_bridge import workers
from medinfra.policies.checkov_bridge.client import WorkerClient
from medinfra.policies.checkov_bridge.runner import CheckovError, CheckovTimeout, Selection
from medinfra.policies.gate import GateOptions, evaluate

from tests.conftest import REPO

FAKE = REPO / "tests" / "fake_checkov_worker.py"
RESOURCES = [{"urn": "urn:x", "type": "aws:s3/bucket:Bucket", "name": "x", "provider": "aws",
              "parent": None, "props": {}, "references": {}}]


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """Point MEDINFRA_CHECKOV_PYTHON at an 'interpreter' that runs the fake worker in MODE;
    this process's default worker is set aside meanwhile."""
    saved = workers._current
    monkeypatch.setattr(workers, "_current", None)

    def make(mode: str) -> Path:
        python = tmp_path / f"python-{mode}"
        python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{FAKE}" {mode}\n')
        python.chmod(0o755)
        monkeypatch.setenv("MEDINFRA_CHECKOV_PYTHON", str(python))
        return python

    yield make
    if workers._current is not None:
        workers._current.close()
    workers._current = saved


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


MISBEHAVIOURS = [
    # mode, the exception, what its message must say
    ("crash-at-start", CheckovError, r"exit.*\(exit code 7\).*cannot import checkov"),
    ("crash-mid-scan", CheckovError, r"exited while answering 'scan' \(exit code 9\).*segfault"),
    ("hang", CheckovTimeout, r"did not answer 'scan' in time \(timeout; worker killed\)"),
    ("garbage", CheckovError, r"not JSON: 'Checkov scanning your files"),
    ("not-an-object", CheckovError, r"JSON that is not an answer object"),
    ("wrong-version", CheckovError, r"protocol version 2; this client speaks 1"),
    ("wrong-id", CheckovError, r"the answer to request id 102, not 2"),
    ("truncated", CheckovError, r"a truncated line"),
    ("malformed-result", CheckovError, r"malformed result \(result 'MAYBE'\)"),
    ("timeout-answer", CheckovTimeout, r"did not finish within 1s"),
    ("unknown-error-kind", CheckovError, r"an error of no known kind"),
]


@pytest.mark.parametrize(
    ("mode", "error", "reason"), MISBEHAVIOURS, ids=[m[0] for m in MISBEHAVIOURS]
)
def test_a_misbehaving_worker_is_a_named_failure_and_never_reused(fake, mode, error, reason):
    fake(mode)
    client = WorkerClient().start()
    started = time.monotonic()
    with pytest.raises(error, match=reason) as raised:
        client.scan(RESOURCES, Selection(), timeout_s=1.5)
    assert time.monotonic() - started < 10
    assert "the Checkov worker" in str(raised.value) or "Checkov" in str(raised.value)
    assert client.broken and not client.alive()
    if client._proc is not None:
        assert client._proc.poll() is not None, "a failed worker is killed"
    with pytest.raises(CheckovError, match="not reused after a failure"):
        client.scan(RESOURCES, Selection(), timeout_s=1.5)


@pytest.mark.parametrize(
    ("mode", "error", "reason"), MISBEHAVIOURS[:4], ids=[m[0] for m in MISBEHAVIOURS[:4]]
)
def test_the_gate_blocks_with_the_workers_failure_as_its_reason(
    fake, tmp_path, mode, error, reason
):
    fake(mode)
    inventory = {"project": "p", "stack": "dev", "config": {}, "resources": []}
    result = evaluate(inventory, GateOptions(today=dt.date(2026, 1, 1), timeout_s=20,
                                             checkov_timeout_s=1.5,
                                             waivers_file=tmp_path / "none.yaml"))
    (finding,) = result.findings
    assert result.exit_code == 3 and finding.blocks
    assert finding.id == ("MED-GATE-TIMEOUT" if error is CheckovTimeout else "MED-GATE-ENGINE")
    assert re.search(reason, finding.message), finding.message


def test_a_hung_worker_is_killed(fake):
    fake("hang")
    client = WorkerClient().start()
    pid = client.hello()["pid"]
    with pytest.raises(CheckovTimeout):
        client.scan(RESOURCES, Selection(), timeout_s=0.5)
    assert not _alive(pid)


def test_stderr_noise_never_blocks_the_worker_and_is_not_an_answer(fake):
    fake("huge-stderr")
    with WorkerClient() as client:
        scan = client.scan(RESOURCES, Selection(), timeout_s=20)
        assert [(r.check_id, r.result) for r in scan.results] == [("CKV_AWS_21", "FAILED")]


def test_checkov_failing_on_a_plan_is_named_and_the_worker_stays_usable(fake):
    fake("checkov-error-then-ok")
    with WorkerClient() as client:
        with pytest.raises(CheckovError, match="Checkov failed: ValueError: bad plan"):
            client.scan(RESOURCES, Selection(), timeout_s=5)
        assert client.broken is None
        assert client.scan(RESOURCES, Selection(), timeout_s=5).scanned == 1


def test_a_failed_default_worker_is_replaced_by_a_new_one(fake):
    fake("crash-mid-scan")
    first = workers.default_client()
    with pytest.raises(CheckovError):
        first.scan(RESOURCES, Selection(), timeout_s=5)
    fake("ok")
    second = workers.default_client()
    assert second is not first and second.scan(RESOURCES, Selection(), timeout_s=5).scanned == 1


def test_no_checkov_interpreter_is_a_finding_that_says_how_to_fix_it(fake, tmp_path, monkeypatch):
    monkeypatch.setenv("MEDINFRA_CHECKOV_PYTHON", str(tmp_path / "missing" / "python"))
    inventory = {"project": "p", "stack": "dev", "config": {}, "resources": []}
    result = evaluate(inventory, GateOptions(waivers_file=tmp_path / "none.yaml"))
    (finding,) = result.findings
    assert finding.id == "MED-GATE-ENGINE" and result.exit_code == 3
    assert str(tmp_path / "missing" / "python") in finding.message
    assert "MEDINFRA_CHECKOV_PYTHON" in finding.message and "setup.sh" in finding.message
    assert ".venv-checkov" in finding.remediation


def test_close_stops_the_worker(fake):
    fake("ok")
    client = WorkerClient().start()
    pid = client.hello()["pid"]
    client.close()
    assert client._proc.returncode == 0  # it shut down when asked
    assert not _alive(pid)
