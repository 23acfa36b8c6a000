"""AWS fixtures: reference-stack inventories planned once, and in-process recording mocks."""

from __future__ import annotations

import json

import pulumi
import pytest

from scripts.medinfra.mocks import OfflineCloud
from tests.conftest import run_cli


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


def _plan(tmp_path_factory, stack: str) -> Inventory:
    out = tmp_path_factory.mktemp(stack) / "inventory.json"
    result = run_cli("preview", "--stack", stack, "--inventory", str(out))
    assert result.code == 0, result.stderr
    return Inventory(json.loads(out.read_text()))


@pytest.fixture(scope="session")
def prod(tmp_path_factory) -> Inventory:
    return _plan(tmp_path_factory, "aws-prod")


@pytest.fixture(scope="session")
def dev(tmp_path_factory) -> Inventory:
    return _plan(tmp_path_factory, "aws-dev")


class RecordingMocks(pulumi.runtime.Mocks):
    """Records every resource; deterministic outputs; a data source we do not answer raises."""

    def __init__(self):
        self.cloud = OfflineCloud({"aws:region": "us-east-1"})
        self.created: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args):
        self.created.append(args)
        rid, outputs, _ = self.cloud.new_resource(
            args.typ, args.name, args.inputs, f"urn:test::{args.typ}::{args.name}"
        )
        return rid, outputs

    def call(self, args):
        return self.cloud.invoke(args.token, args.args)


@pytest.fixture
def mocks():
    recorder = RecordingMocks()
    pulumi.runtime.set_mocks(recorder, project="medinfra", stack="test", preview=True)
    return recorder
