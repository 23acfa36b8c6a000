"""The two locked environments: the product's (.venv, requirements.lock) and Checkov's own
(.venv-checkov, checkov.lock). No Checkov pin may reach the product; both are hash-checked."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from tests.conftest import REPO

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)(?: ;[^\\]*)? \\$")


def _lock(name: str) -> dict[str, dict]:
    """{package: {"version", "hashes", "via"}} of a uv-compiled lock (several entries for one
    package, one per environment marker, keep the last; versions are compared per entry below)."""
    entries: dict[str, dict] = {}
    current: dict | None = None
    for line in (REPO / name).read_text().splitlines():
        if match := _PIN.match(line):
            current = {"version": match[2], "hashes": [], "via": []}
            entries[match[1].lower()] = current
        elif current is not None and "--hash=sha256:" in line:
            current["hashes"].append(line.split("--hash=sha256:")[1].rstrip(" \\"))
        elif current is not None and line.strip().startswith("#"):
            current["via"].append(line.strip().lstrip("#").strip().removeprefix("via ").strip())
    return entries


def _versions(name: str, package: str) -> list[Version]:
    pins = re.findall(rf"^{re.escape(package)}==(\S+)", (REPO / name).read_text(), re.M | re.I)
    return [Version(v) for v in pins]


def test_the_product_lock_holds_no_checkov_and_nothing_only_checkov_needs():
    product = _lock("requirements.lock")
    assert product, "requirements.lock has no pins"
    assert "checkov" not in product
    dependencies = [Requirement(r).name.lower()
                    for r in tomllib.loads((REPO / "pyproject.toml").read_text())["project"][
                        "dependencies"]]
    assert "checkov" not in dependencies
    # uv names why each package is there; nothing may be there because of Checkov.
    pulled_by_checkov = [name for name, entry in product.items()
                         if any(via == "checkov" for via in entry["via"])]
    assert pulled_by_checkov == []
    # Checkov's caps, lifted: packaging<24 (it held pulumi < 3.224 and pulumi-gcp < 10) and
    # the CycloneDX libraries below 8 / 0.14.
    assert min(_versions("requirements.lock", "packaging")) >= Version("24.2")
    assert min(_versions("requirements.lock", "cyclonedx-python-lib")) >= Version("8")
    assert min(_versions("requirements.lock", "pulumi-gcp")) >= Version("10")


def test_checkov_has_its_own_lock_with_its_own_pins():
    checkov = _lock("checkov.lock")
    assert "checkov" in checkov and Version(checkov["checkov"]["version"]) >= Version("3.2.400")
    assert any(via.startswith("-r scripts/checkov.in") for via in checkov["checkov"]["via"])
    # What made the split necessary: Checkov's packaging<24 cap lives here, not in the product.
    assert max(_versions("checkov.lock", "packaging")) < Version("24")
    # Nothing of the product environment is in Checkov's (MedInfra goes in with --no-deps).
    assert not {name for name in checkov if name.startswith("pulumi")}


@pytest.mark.parametrize("lock", ["requirements.lock", "checkov.lock", "scripts/installer.lock"])
def test_every_pin_of_every_lock_is_hash_checked(lock):
    entries = _lock(lock)
    assert entries
    unhashed = sorted(name for name, entry in entries.items() if not entry["hashes"])
    assert unhashed == []
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for e in entries.values() for h in e["hashes"])


def _fake_repo(tmp_path: Path) -> Path:
    """A copy of what setup.sh reads, with both environments already installed (a stamp that
    matches the lock files, an interpreter that is this one)."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    for name in ("pyproject.toml", "requirements.lock", "checkov.lock", "scripts/setup.sh",
                 "scripts/installer.lock"):
        shutil.copy(REPO / name, repo / name)
    for venv, lock in ((".venv", "requirements.lock"), (".venv-checkov", "checkov.lock")):
        (repo / venv / "bin").mkdir(parents=True)
        (repo / venv / "bin" / "python").symlink_to(sys.executable)
        digests = "".join(
            f"{hashlib.sha256((repo / f).read_bytes()).hexdigest()}  {f}\n"
            for f in ("scripts/installer.lock", lock, "pyproject.toml"))
        (repo / venv / ".medinfra-installed").write_text(
            hashlib.sha256(digests.encode()).hexdigest() + "\n")
    return repo


def _setup(repo: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHON": sys.executable}
    return subprocess.run(["bash", str(repo / "scripts" / "setup.sh")], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=60)


def test_setup_leaves_both_installed_environments_alone_and_names_a_missing_lock(tmp_path):
    repo = _fake_repo(tmp_path)
    unchanged = _setup(repo)
    assert (unchanged.returncode, unchanged.stderr) == (0, "")

    (repo / "checkov.lock").unlink()
    missing = _setup(repo)
    assert missing.returncode == 2
    assert "checkov.lock is missing; regenerate it with scripts/lock.sh" in missing.stderr
