"""Shared fixtures: run the real `medinfra` command, locate the repo's programs, and the six
reference stacks' planned Inventories (each planned once per session, shared by every
pytest-xdist worker: tests/reference_plans.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reference_plans import ALL_STACKS, SYNTHETIC, Plans, shared_root

# The suite starts hundreds of Python processes that import the provider SDKs; without cached
# bytecode (setup installs with --no-compile, and some machines set PYTHONDONTWRITEBYTECODE)
# each import compiles them again, which nearly doubles the suite's time.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

REPO = Path(__file__).resolve().parents[1]
PROGRAMS = REPO / "tests" / "fixtures" / "programs"


# pytest-xdist runs the suite on every core (`-n auto --dist loadgroup` in pyproject.toml). Each
# worker is its own process, so what a file computes once (a module fixture, a cached engine or
# matrix) is computed once only if the file runs on one worker: a file is a group. The audit and
# evidence folders share session fixtures (a moto deployment, signed bundles): a folder each.
_FOLDER_GROUPS = ("audit", "evidence")


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        where = item.path.relative_to(REPO / "tests")
        group = where.parts[0] if where.parts[0] in _FOLDER_GROUPS else where.as_posix()
        item.add_marker(pytest.mark.xdist_group(group))


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


# Session fixtures that must change this process's environment (the audit folder's moto server
# sets fake AWS credentials for boto3) record here what each variable was before, so that the
# `medinfra` commands other tests run on the same pytest-xdist worker see the user's environment,
# not the fixture's: provider defaults come from it (aws-native reads AWS_SHARED_CREDENTIALS_FILE).
ENV_BEFORE_SESSION_FIXTURES: dict[str, str | None] = {}


def user_environment() -> dict[str, str]:
    """os.environ without what session fixtures changed (test-scoped monkeypatching stays)."""
    env = dict(os.environ)
    for key, value in ENV_BEFORE_SESSION_FIXTURES.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_cli(*args: str, cwd: Path = REPO, timeout: float = 300) -> Result:
    """Run `medinfra ARGS` as a user would (a new process, real exit code and streams)."""
    proc = subprocess.run(
        [sys.executable, "-m", "medinfra.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**user_environment(), "PYTHONPATH": str(REPO)},
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


@pytest.fixture(scope="session", autouse=True)
def session_plans(request, tmp_path_factory) -> Plans:
    """Starts the reference stacks' plans this session's tests need, in the background, once
    for all pytest-xdist workers (tests/reference_plans.py)."""
    plans = Plans(shared_root(tmp_path_factory))
    plans.start_needed(request.session.items)
    yield plans
    plans.finish(stopping=bool(request.session.shouldstop or request.session.shouldfail))


@pytest.fixture(scope="session")
def all_stacks(session_plans) -> AllStacks:
    """Every reference stack planned and through the gate once per session (a minute or two),
    exactly as README command 1 runs them: the default semantics, a new stack's first preview."""
    run = session_plans.result(ALL_STACKS)
    summary, sarif = run.out / "summary.md", run.out / "findings.sarif"
    return AllStacks(
        Result(run.code, run.stdout, run.stderr),
        summary.read_text() if summary.exists() else "",
        json.loads(sarif.read_text()) if sarif.exists() else None,
        run.out / "inventories",
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
def synthetic_inventories(session_plans) -> Path:
    """Every reference stack planned once more with synthetic ids and outputs
    (--synthetic-outputs --direct), for the tests that assert the concrete values a resource
    will have once it exists (a new stack's preview leaves them unknown). The per-stack
    Inventory fixtures below read what this run wrote."""
    run = session_plans.result(SYNTHETIC)
    assert run.code == 0, run.stderr
    return run.out


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
