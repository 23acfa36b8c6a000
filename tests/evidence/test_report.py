"""The compliance officer's HTML report, rendered in real headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from medinfra.evidence.bundle import BUNDLE_FILES
from medinfra.evidence.report import render
from tests.conftest import run_cli
from tests.evidence.conftest import TODAY

_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    # Never skipped: the report is only tested if a real browser renders it.
    pytest.fail("headless Chromium is required (.ci/run installs Debian's chromium; "
                "elsewhere: apt-get install chromium)")


def _browser(*args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="medinfra-chromium-") as profile:
        return subprocess.run(
            [_chromium(), *_FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120,
        )


def _documents(bundle: Path) -> dict:
    docs = {n: json.loads((bundle / n).read_text()) for n in BUNDLE_FILES}
    docs["manifest"] = json.loads((bundle / "manifest.json").read_text())
    return docs


@pytest.fixture(scope="module")
def report(blocked_bundle, bundles, tmp_path_factory) -> Path:
    """The report command on a directory holding the blocked bundle and aws-dev's."""
    where = tmp_path_factory.mktemp("report")
    evidence = where / "evidence"
    evidence.mkdir()
    shutil.copytree(blocked_bundle, evidence / "aws-prod-blocked")
    shutil.copytree(bundles["aws-dev"], evidence / "aws-dev")
    out = where / "report.html"
    result = run_cli("report", "--evidence", str(evidence), "--out", str(out))
    assert result.code == 0, result.stderr
    return out


def test_report_renders_in_chromium_with_the_decision_and_every_blocking_finding(
    report, blocked_bundle, tmp_path
):
    shot = tmp_path / "report.png"
    taken = _browser("--window-size=1400,2400", f"--screenshot={shot}", report.as_uri())
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert shot.is_file() and shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dumped = _browser("--dump-dom", report.as_uri())
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    dom = dumped.stdout
    assert '<span id="overall-decision">BLOCK</span>' in dom
    assert 'data-decision="block">BLOCK<' in dom and 'data-decision="allow">ALLOW<' in dom
    blocking = [f for f in json.loads((blocked_bundle / "findings.json").read_text())["findings"]
                if f["enforcement"] == "mandatory" and not f["waiver"]]
    assert {f["id"] for f in blocking} >= {"MED-SRV-005"}
    items = re.findall(r'<li class="finding blocking" data-rule="([^"]+)">(.*?)</li>', dom, re.S)
    assert sorted(rule for rule, _ in items) == sorted(f["id"] for f in blocking)
    for finding in blocking:
        assert any(rule == finding["id"] and finding["urn"] in body for rule, body in items)


def test_waivers_expiring_within_30_days_are_highlighted_and_models_show_both_verdicts(
    blocked_bundle, bundles
):
    html = render([_documents(blocked_bundle), _documents(bundles["aws-prod"])], today=TODAY)
    assert re.search(r'<tr class="waiver expiring"><td>CKV2_AWS_62</td>.*?SEC-200.*?'
                     r'security-officer@medinfra\.example.*?\(in 10 days\)', html)
    assert '<tr class="waiver expired"><td>CKV2_AWS_62</td>' in html
    assert 'class="waiver"><td>CKV2_AWS_62</td>' in html  # SEC-120, a year left: not highlighted
    models = re.findall(r'<table class="models">(.*?)</table>', html, re.S)
    eligible = [re.findall(r'<span class="tag (yes|no)">', m) for m in models]
    assert eligible == [["no", "no"], ["yes", "yes"]]
    manifest = json.loads((bundles["aws-prod"] / "manifest.json").read_text())
    for sha in manifest["files"].values():
        assert sha in html
    # Self-contained: nothing to fetch, nothing to run.
    assert "<script" not in html and "<link" not in html
    assert not re.search(r'\b(src|href)=', html) and "url(" not in html


def test_report_of_a_tampered_bundle_is_refused_naming_the_file(bundles, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(bundles["aws-dev"], bundle)
    (bundle / "findings.json").write_text("{}")
    result = run_cli("report", "--evidence", str(bundle), "--out", str(tmp_path / "r.html"))
    assert result.code == 1
    assert f"TAMPERED {bundle / 'findings.json'}" in result.stderr
    assert not (tmp_path / "r.html").exists()
