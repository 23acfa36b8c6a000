"""Shared fixtures: run the real `medinfra` command, locate the repo's programs, and the six
reference stacks' planned Inventories (each planned once per session)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# The suite starts hundreds of Python processes that import the provider SDKs; without cached
# bytecode (setup installs with --no-compile, and some machines set PYTHONDONTWRITEBYTECODE)
# each import compiles them again, which nearly doubles the suite's time.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

REPO = Path(__file__).resolve().parents[1]
PROGRAMS = REPO / "tests" / "fixtures" / "programs"


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


def run_cli(*args: str, cwd: Path = REPO, timeout: float = 300) -> Result:
    """Run `medinfra ARGS` as a user would (a new process, real exit code and streams)."""
    proc = subprocess.run(
        [sys.executable, "-m", "medinfra.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**__import__("os").environ, "PYTHONPATH": str(REPO)},
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli():
    return run_cli


@dataclass
class AllStacks:
    """One `medinfra preview --all-stacks` run: its result, the Markdown summary and SARIF it
    wrote, and the directory holding each stack's Inventory (`<stack>.json`)."""

    result: Result
    markdown: str
    sarif: dict | None
    inventories: Path


@pytest.fixture(scope="session")
def all_stacks(tmp_path_factory) -> AllStacks:
    """Every reference stack planned and through the gate once per session (a minute or two),
    exactly as README command 1 runs them: the default semantics, a new stack's first preview."""
    out = tmp_path_factory.mktemp("all-stacks")
    inventories = out / "inventories"
    inventories.mkdir()
    result = run_cli(
        "preview", "--all-stacks", "--format", "json",
        "--markdown", str(out / "summary.md"), "--sarif", str(out / "findings.sarif"),
        "--inventory-dir", str(inventories),
        timeout=900,
    )
    summary, sarif = out / "summary.md", out / "findings.sarif"
    return AllStacks(
        result,
        summary.read_text() if summary.exists() else "",
        json.loads(sarif.read_text()) if sarif.exists() else None,
        inventories,
    )


@pytest.fixture
def platform_copy(tmp_path: Path):
    """A copy of the MedInfra project (program + Pulumi.yaml) with an empty stacks/ dir. Its
    Pulumi.yaml declares the virtualenv `.venv`, so the copy's `.venv` is a link to the
    environment running the tests (MedInfra's own, as the repository's `.venv` is)."""

    def make(stack_files: dict[str, str]) -> Path:
        root = tmp_path / "project"
        root.mkdir()
        shutil.copy(REPO / "Pulumi.yaml", root / "Pulumi.yaml")
        (root / ".venv").symlink_to(sys.prefix, target_is_directory=True)
        shutil.copy(REPO / "__main__.py", root / "__main__.py")
        (root / "stacks").mkdir()
        for name, text in stack_files.items():
            (root / "stacks" / f"Pulumi.{name}.yaml").write_text(text)
        return root

    return make


class Inventory:
    """An Inventory with lookups by type and name."""

    def __init__(self, document: dict):
        self.document = document
        self.resources = document["resources"]
        self.by_urn = {r["urn"]: r for r in self.resources}

    def of_type(self, type_: str) -> list[dict]:
        return [r for r in self.resources if r["type"] == type_]

    def one(self, type_: str, name: str) -> dict:
        (found,) = [r for r in self.of_type(type_) if r["name"] == name]
        return found

    def referenced(self, resource: dict, path: str) -> dict:
        """The plan resource a property of `resource` refers to."""
        return self.by_urn[resource["references"][path]]

    def attributed(self, resource: dict, path: str) -> dict:
        """Like `referenced`, but a value attributed as a whole (transformed from its single
        dependency) counts for every path below it: the closest attribution wins, as in the
        rules' `data.medinfra.lib.referenced`."""
        where = path
        while where not in resource["references"]:
            where = where.rsplit("/", 1)[0]
            assert where, f"{path} of {resource['urn']} comes from no resource of this plan"
        return self.by_urn[resource["references"][where]]


@pytest.fixture(scope="session")
def synthetic_inventories(tmp_path_factory) -> Path:
    """Every reference stack planned once more with synthetic ids and outputs
    (--synthetic-outputs), for the tests that assert the concrete values a resource will have
    once it exists (a new stack's preview leaves them unknown). The per-stack Inventory
    fixtures below read what this run wrote."""
    out = tmp_path_factory.mktemp("synthetic-stacks")
    result = run_cli("preview", "--all-stacks", "--synthetic-outputs", "--direct",
                     "--format", "json", "--inventory-dir", str(out), timeout=900)
    assert result.code == 0, result.stderr
    return out


def _planned(inventories: Path, stack: str) -> Inventory:
    path = inventories / f"{stack}.json"
    assert path.is_file(), f"{stack} was not planned"
    return Inventory(json.loads(path.read_text()))


@pytest.fixture(scope="session")
def prod(synthetic_inventories) -> Inventory:
    return _planned(synthetic_inventories, "aws-prod")


@pytest.fixture(scope="session")
def dev(synthetic_inventories) -> Inventory:
    return _planned(synthetic_inventories, "aws-dev")


@pytest.fixture(scope="session")
def azure_prod(synthetic_inventories) -> Inventory:
    return _planned(synthetic_inventories, "azure-prod")


@pytest.fixture(scope="session")
def azure_dev(synthetic_inventories) -> Inventory:
    return _planned(synthetic_inventories, "azure-dev")


@pytest.fixture(scope="session")
def gcp_prod(synthetic_inventories) -> Inventory:
    return _planned(synthetic_inventories, "gcp-prod")


@pytest.fixture(scope="session")
def gcp_dev(synthetic_inventories) -> Inventory:
    return _planned(synthetic_inventories, "gcp-dev")
