"""The worker's fast loaders (policies/checkov_bridge/fastload.py) build exactly what Checkov's own
line-numbering YAML loaders build from the bridge's one-line JSON files -- same types (DictNode,
StrNode, ...), same keys in the same order, same line marks -- on the six reference stacks and
every equivalence fixture, and Checkov's records (line ranges included) are the same both ways;
anything outside the fast path's proven ground goes to Checkov's loader."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest
from medinfra.policies.checkov_bridge import fastload, runner
from medinfra.policies.checkov_bridge.arm import to_arm_template
from medinfra.policies.checkov_bridge.k8s import to_manifests
from medinfra.policies.checkov_bridge.tfplan import to_terraform_plan

from tests.test_checkov_equivalence import FORMATS, VARIANTS, cases, variant_resources
from tests.test_checkov_partition import STACKS


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


@pytest.fixture(scope="module")
def both(monkeypatch_module):
    """`(original, fast)` of a callable run with Checkov's loaders, then with the fast ones."""
    runner.load_checkov()
    assert fastload.install(), "checkov is not 3.3.30 here: the fast path never runs"
    taken = []
    real = fastload._fast_tfplan

    def counted(filename, content_type):
        found = real(filename, content_type)
        taken.append(found is not None)
        return found

    monkeypatch_module.setattr(fastload, "_fast_tfplan", counted)

    def run(work):
        fastload.uninstall()
        try:
            original = work()
        finally:
            fastload.install()
        taken.clear()
        fast = work()
        return original, fast, list(taken)

    yield run
    fastload.install()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


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


def _inputs(all_stacks) -> dict[str, list[dict]]:
    found = {s: json.loads((all_stacks.inventories / f"{s}.json").read_text())["resources"]
             for s in STACKS}
    found["equivalence"] = [r for framework in sorted(FORMATS) for c in cases(framework)
                            for v in VARIANTS for r in variant_resources(c, v)]
    return found


def test_fast_loaders_build_exactly_what_checkovs_loaders_build(all_stacks, both, tmp_path):
    loaders = _loaders()
    for name, resources in _inputs(all_stacks).items():
        for framework, files in _files(resources, tmp_path / name).items():
            for path in files:
                original, fast, taken = both(lambda p=path, f=framework: loaders[f](p))
                assert taken in ([], [True]), f"{name} {framework}: the fast path was not taken"
                assert original[1] == fast[1] == [(1, Path(path).read_text())]
                assert _same(original[0], fast[0]) is None, (name, path, _same(*original[:1],
                                                                                 fast[0]))


def test_checkov_records_and_line_ranges_are_the_same_with_the_fast_loaders(all_stacks, both,
                                                                             tmp_path):
    for name, resources in _inputs(all_stacks).items():
        for framework, files in _files(resources, tmp_path / name).items():
            if files:
                original, fast, _ = both(lambda fw=framework, fs=files: _records(fw, fs))
                assert original and fast == original, (name, framework)


@pytest.mark.parametrize("text", [
    '{"terraform_version": "1", "planned_values": {"a": 1e-05, "b": 1e+20, "c": 0.5, "d": -0}}',
    '{"terraform_version":"1","planned_values":{"s":"q\\"q \\\\ \\n \\t }{","n":null,"t":true}}',
    '{"terraform_version": "1", "planned_values": {"x": [], "y": {}, "z": [[{"k": "v"}]]}}',
])
def test_tricky_one_line_json_loads_the_same_on_the_fast_path(both, tmp_path, text):
    path = tmp_path / "plan.json"
    path.write_text(text)
    for framework, load in _loaders().items():
        body = text.replace('"terraform_version"', '"apiVersion": "v1", "kind": "Pod", '
                            '"$schema": "s", "contentVersion": "1", "terraform_version"')
        path.write_text(body)
        original, fast, taken = both(lambda f=load: f(str(path)))
        assert taken in ([], [True]), framework
        assert _same(original[0], fast[0]) is None, (framework, _same(original[0], fast[0]))


@pytest.mark.parametrize("text", [
    '{"terraform_version": "1",\n "planned_values": {"a": 1}}',          # two lines
    '{"terraform_version": "1", "planned_values": {"a": "\\u00e9"}}',     # a \\u escape
    '{"terraform_version": "1", "planned_values": {"a": 1, "a": 2}}',     # duplicate key
    '{"terraform_version": "1", "planned_values": {"a": "\\/"}}',         # an escape PyYAML lacks
])
def test_anything_else_goes_to_checkovs_own_loader(both, tmp_path, text):
    path = tmp_path / "plan.json"
    path.write_text(text)
    load = _loaders()["terraform_plan"]

    def attempt():
        try:
            return load(str(path))
        except Exception as exc:  # noqa: BLE001 - Checkov's own error, compared both ways
            return type(exc).__name__

    original, fast, taken = both(attempt)
    assert taken == [False]
    assert original == fast or _same(original[0], fast[0]) is None


def test_the_patch_is_for_checkov_3_3_30_only_and_can_be_turned_off(monkeypatch):
    monkeypatch.setenv(fastload.ENV, "0")
    assert fastload.install() is False
    monkeypatch.delenv(fastload.ENV)
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "3.3.31" if name == "checkov" else real(name))
    assert fastload.install() is False
