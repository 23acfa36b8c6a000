"""Repository hygiene that CI enforces: generated docs current, lock file complete, lint clean."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib

from medinfra.components.config import json_schema
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO


def _locked() -> dict[str, str]:
    text = (REPO / "requirements.lock").read_text()
    pins: dict[str, str] = {}
    for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", text, re.M):
        pins.setdefault(canonicalize_name(name), version)
    return pins


def _requirements() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + [
        d for ds in project["optional-dependencies"].values() for d in ds
    ]
    return [Requirement(d) for d in deps]


def test_config_schema_doc_is_current():
    committed = json.loads((REPO / "docs" / "config.schema.json").read_text())
    assert committed == json_schema(), "run: medinfra config-schema --out docs/config.schema.json"


def test_every_declared_dependency_is_locked_within_its_bounds():
    pins = _locked()
    for req in _requirements():
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is missing from requirements.lock (run scripts/lock.sh)"
        assert req.specifier.contains(pins[name], prereleases=False), (
            f"{req.name}=={pins[name]} in the lock violates {req.specifier} in pyproject.toml"
        )


def test_lock_has_hashes_for_every_pin():
    text = (REPO / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text)
    for block in blocks:
        if "==" in block.split("\n", 1)[0]:
            assert "--hash=sha256:" in block, block.split("\n", 1)[0]


def test_embedded_rego_engine_is_the_upstream_build_pinned_exactly():
    reqs = {canonicalize_name(r.name): r for r in _requirements()}
    regorus = reqs["celine-regorus"]
    assert len(regorus.specifier) == 1 and next(iter(regorus.specifier)).operator == "=="
    assert "gordon-to-regorus" not in reqs
    import regorus  # noqa: F401  (the import name the engine interface uses)


def test_no_old_checkov_can_be_resolved():
    """Checkov's own input (scripts/checkov.in, compiled into checkov.lock) refuses 3.1."""
    from packaging.requirements import Requirement

    lines = (REPO / "scripts" / "checkov.in").read_text().splitlines()
    reqs = {canonicalize_name(r.name): r for r in
            (Requirement(line) for line in lines if line.strip() and not line.startswith("#"))}
    assert not reqs["checkov"].specifier.contains("3.1.70")
    assert reqs["checkov"].specifier.contains("3.3.30")


def test_ruff_is_clean():
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", str(REPO)], capture_output=True, text=True, cwd=REPO
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
