"""Checkov's side of tests/test_checkov_fastload.py: every load and scan twice, with Checkov's own
loaders and with the fast ones (policies/checkov_bridge/fastload.py), and how they compare."""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path
from typing import Any

from medinfra.policies.checkov_bridge import fastload, runner


def _same(a, b, path="$") -> str | None:
    """Where two loaded documents differ (types, key order, key types, line marks), or None."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} vs {type(b).__name__}"
    if hasattr(a, "start_mark") and (a.start_mark.line, a.end_mark.line) != (
            b.start_mark.line, b.end_mark.line):
        return f"{path}: line marks differ"
    if isinstance(a, dict):
        if list(a) != list(b) or [type(k) for k in a] != [type(k) for k in b]:
            return f"{path}: keys {list(a)[:8]} vs {list(b)[:8]}"
        return next((d for k in a if (d := _same(a[k], b[k], f"{path}.{k}"))), None)
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} items"
        pairs = enumerate(zip(a, b, strict=True))
        return next((d for i, (x, y) in pairs if (d := _same(x, y, f"{path}[{i}]"))), None)
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def _loaders():
    from checkov.arm.parser import parser as arm_parser
    from checkov.cloudformation.parser import cfn_yaml
    from checkov.kubernetes.parser import k8_json

    return {
        "terraform_plan": lambda p: cfn_yaml.load(p, cfn_yaml.ContentType.TFPLAN),
        "kubernetes": lambda p: k8_json.load(Path(p)),
        "arm": lambda p: arm_parser.load(p),
    }


def _records(framework: str, files: list[str]) -> list[tuple]:
    from checkov.runner_filter import RunnerFilter

    report = runner._checkov[framework]().run(
        root_folder=None, files=files,
        runner_filter=RunnerFilter(framework=[framework], show_progress_bar=False))
    return sorted(
        (r.check_id, r.resource, str(r.check_result.get("result")), r.file_path,
         tuple(r.file_line_range), r.check_name, str(r.guideline))
        for rep in (report if isinstance(report, list) else [report])
        for r in [*rep.failed_checks, *rep.passed_checks, *rep.skipped_checks])


class _Both:
    """`(original, fast, taken)` of a callable run with Checkov's loaders, then with the fast
    ones; `taken`: for each Terraform plan the fast run loaded, whether the fast path served it."""

    def __init__(self) -> None:
        self.taken: list[bool] = []
        real = fastload._fast_tfplan

        def counted(filename, content_type):
            found = real(filename, content_type)
            self.taken.append(found is not None)
            return found

        fastload._fast_tfplan = counted

    def __call__(self, work):
        fastload.uninstall()
        try:
            original = work()
        finally:
            fastload.install()
        self.taken.clear()
        fast = work()
        return original, fast, list(self.taken)


def _switches() -> dict[str, bool]:
    """What install() says turned off by the environment, and under another Checkov version."""
    saved = os.environ.get(fastload.ENV)
    os.environ[fastload.ENV] = "0"
    try:
        env_off = fastload.install()
    finally:
        if saved is None:
            del os.environ[fastload.ENV]
        else:
            os.environ[fastload.ENV] = saved
    real = importlib.metadata.version
    importlib.metadata.version = lambda name: "3.3.31" if name == "checkov" else real(name)
    try:
        other_version = fastload.install()
    finally:
        importlib.metadata.version = real
    return {"env_off": env_off, "other_version": other_version}


def compare(payload: dict[str, Any]) -> dict[str, Any]:
    """payload: `loads` [[framework, path]...] (loaded with that framework's loader), `records`
    {name: {framework: [paths]}} (scanned by Checkov's framework runner), `fallback` [paths]
    (Terraform plans loaded, Checkov's error type name as the outcome if it raises)."""
    runner.load_checkov()
    installed = fastload.install()
    both = _Both()
    loaders = _loaders()
    loads = []
    for framework, path in payload["loads"]:
        original, fast, taken = both(lambda p=path, f=framework: loaders[f](p))
        loads.append({"taken": taken, "original_lines": original[1], "fast_lines": fast[1],
                      "diff": _same(original[0], fast[0])})
    records: dict[str, dict[str, dict]] = {}
    for name, by_framework in payload["records"].items():
        for framework, files in by_framework.items():
            original, fast, _ = both(lambda fw=framework, fs=files: _records(fw, fs))
            records.setdefault(name, {})[framework] = {"original": original, "fast": fast}
    fallback = []
    for path in payload["fallback"]:
        def attempt(p=path):
            try:
                return loaders["terraform_plan"](p)
            except Exception as exc:  # noqa: BLE001 - Checkov's own error, compared both ways
                return type(exc).__name__

        original, fast, taken = both(attempt)
        equal = original == fast
        fallback.append({"taken": taken, "equal": equal,
                         "diff": None if equal else _same(original[0], fast[0])})
    return {"installed": installed, "loads": loads, "records": records, "fallback": fallback,
            "switches": _switches()}
