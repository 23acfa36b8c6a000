"""The worker's fast loaders (policies/checkov_bridge/fastload.py) build exactly what Checkov's own
line-numbering YAML loaders build from the bridge's one-line JSON files -- same types (DictNode,
StrNode, ...), same keys in the same order, same line marks -- on the six reference stacks and
every equivalence fixture, and Checkov's records (line ranges included) are the same both ways;
anything outside the fast path's proven ground goes to Checkov's loader.

Checkov's side runs in Checkov's interpreter, every case in one call
(tests/checkov_side/loaders.py: each load and scan with Checkov's loaders, then with the fast
ones; `diff` is where the two loaded documents differ -- types, key order, key types, line
marks -- or None); this module writes the files and asserts on what comes back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from medinfra.policies.checkov_bridge import runner
from medinfra.policies.checkov_bridge.arm import to_arm_template
from medinfra.policies.checkov_bridge.k8s import to_manifests
from medinfra.policies.checkov_bridge.tfplan import to_terraform_plan

from tests import checkov_worker
from tests.test_checkov_equivalence import FORMATS, VARIANTS, cases, variant_resources
from tests.test_checkov_partition import STACKS

LOADERS = ("terraform_plan", "kubernetes", "arm")
TRICKY = [
    '{"terraform_version": "1", "planned_values": {"a": 1e-05, "b": 1e+20, "c": 0.5, "d": -0}}',
    '{"terraform_version":"1","planned_values":{"s":"q\\"q \\\\ \\n \\t }{","n":null,"t":true}}',
    '{"terraform_version": "1", "planned_values": {"x": [], "y": {}, "z": [[{"k": "v"}]]}}',
]
ELSEWHERE = [
    '{"terraform_version": "1",\n "planned_values": {"a": 1}}',          # two lines
    '{"terraform_version": "1", "planned_values": {"a": "\\u00e9"}}',     # a \\u escape
    '{"terraform_version": "1", "planned_values": {"a": 1, "a": 2}}',     # duplicate key
    '{"terraform_version": "1", "planned_values": {"a": "\\/"}}',         # an escape PyYAML lacks
]


def _files(resources: list[dict], folder: Path) -> dict[str, list[str]]:
    """The documents the runner writes (one line of json.dumps each), by framework."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[str]] = {"terraform_plan": [], "arm": [], "kubernetes": []}
    plan, template = to_terraform_plan(resources), to_arm_template(resources)
    if plan.urns:
        out["terraform_plan"].append(runner._write(folder / "tfplan.json", plan.document))
    if template.urns:
        out["arm"].append(runner._write(folder / "template.json", template.document))
    for i, document in enumerate(to_manifests(resources).documents):
        out["kubernetes"].append(runner._write(folder / f"k8s-{i:05d}.json", document))
    return out


def _inputs(all_stacks) -> dict[str, list[dict]]:
    found = {s: json.loads((all_stacks.inventories / f"{s}.json").read_text())["resources"]
             for s in STACKS}
    found["equivalence"] = [r for framework in sorted(FORMATS) for c in cases(framework)
                            for v in VARIANTS for r in variant_resources(c, v)]
    return found


def _tricky_body(text: str) -> str:
    return text.replace('"terraform_version"', '"apiVersion": "v1", "kind": "Pod", '
                        '"$schema": "s", "contentVersion": "1", "terraform_version"')


@pytest.fixture(scope="module")
def compared(all_stacks, tmp_path_factory):
    """Checkov's answers for every case of this module (one call to its interpreter): `loads`
    by (framework, path), `records` by input name and framework, `fallback` by text."""
    root = tmp_path_factory.mktemp("fastload")
    files = {name: _files(resources, root / name) for name, resources in
             _inputs(all_stacks).items()}
    loads = [(framework, path) for by_framework in files.values()
             for framework, paths in by_framework.items() for path in paths]
    for i, text in enumerate(TRICKY):
        for framework in LOADERS:
            path = root / f"tricky-{i}" / framework / "plan.json"
            path.parent.mkdir(parents=True)
            path.write_text(_tricky_body(text))
            loads.append((framework, str(path)))
    fallback = []
    for i, text in enumerate(ELSEWHERE):
        path = root / f"elsewhere-{i}" / "plan.json"
        path.parent.mkdir(parents=True)
        path.write_text(text)
        fallback.append(str(path))
    answer = checkov_worker.in_checkov("loaders", "compare", {
        "loads": loads,
        "records": {name: {fw: fs for fw, fs in by_fw.items() if fs}
                    for name, by_fw in files.items()},
        "fallback": fallback,
    })
    assert answer["installed"], "checkov is not 3.3.30 here: the fast path never runs"
    return {
        "files": files,
        "loads": dict(zip(loads, answer["loads"], strict=True)),
        "records": answer["records"],
        "fallback": dict(zip(ELSEWHERE, answer["fallback"], strict=True)),
        "switches": answer["switches"],
        "root": root,
    }


def test_fast_loaders_build_exactly_what_checkovs_loaders_build(compared):
    for name, by_framework in compared["files"].items():
        for framework, files in by_framework.items():
            for path in files:
                found = compared["loads"][(framework, path)]
                assert found["taken"] in ([], [True]), (
                    f"{name} {framework}: the fast path was not taken")
                assert found["original_lines"] == found["fast_lines"] == [
                    (1, Path(path).read_text())]
                assert found["diff"] is None, (name, path, found["diff"])


def test_checkov_records_and_line_ranges_are_the_same_with_the_fast_loaders(compared):
    for name, by_framework in compared["files"].items():
        for framework, files in by_framework.items():
            if files:
                found = compared["records"][name][framework]
                assert found["original"] and found["fast"] == found["original"], (name,
                                                                                  framework)


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_one_line_json_loads_the_same_on_the_fast_path(compared, text):
    i = TRICKY.index(text)
    for framework in LOADERS:
        path = compared["root"] / f"tricky-{i}" / framework / "plan.json"
        assert path.read_text() == _tricky_body(text)
        found = compared["loads"][(framework, str(path))]
        assert found["taken"] in ([], [True]), framework
        assert found["diff"] is None, (framework, found["diff"])


@pytest.mark.parametrize("text", ELSEWHERE)
def test_anything_else_goes_to_checkovs_own_loader(compared, text):
    found = compared["fallback"][text]
    assert found["taken"] == [False]
    assert found["equal"] or found["diff"] is None


def test_the_patch_is_for_checkov_3_3_30_only_and_can_be_turned_off(compared):
    # In Checkov's interpreter (Checkov 3.3.30 there): MEDINFRA_CHECKOV_FAST_LOAD=0, then
    # importlib.metadata reporting checkov 3.3.31.
    assert compared["switches"] == {"env_off": False, "other_version": False}
