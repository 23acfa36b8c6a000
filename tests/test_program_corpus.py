"""Issue 21: the gate on programs written by hand, without MedInfra's components.

`tests/fixtures/programs/corpus/<program>/` holds a compliant program (stack `compliant`) and
its noncompliant twins (every other `Pulumi.<stack>.yaml`), each differing from `compliant` in
one config setting. `expect.json` names the rule each twin must be blocked by (or
{"rule", "message"}: a finding of that rule whose message contains the text), and the findings
that would block the compliant program although it is compliant (`known_false_blocks`, each
with its cause; empty today): the compliant program must be blocked by exactly those, so fixing
one fails this test until its entry is removed.

Every stack is planned once per session (two planner processes at a time) and judged
in-process (`--direct`, one Checkov worker), with the program's pack config
(`--policy-pack-config`).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from medinfra.policies.strict_yaml import load_file

CORPUS = Path(__file__).resolve().parent / "fixtures" / "programs" / "corpus"
PROGRAMS = sorted(p.name for p in CORPUS.iterdir() if (p / "Pulumi.yaml").is_file())
COMPLIANT = "compliant"


def _expect(program: str) -> dict:
    return json.loads((CORPUS / program / "expect.json").read_text())


def _stacks(program: str) -> list[str]:
    files = (CORPUS / program).glob("Pulumi.*.yaml")
    return sorted(p.name[len("Pulumi."):-len(".yaml")] for p in files)


TWINS = [(program, twin) for program in PROGRAMS for twin in _expect(program)["twins"]]


def _config(program: str, stack: str) -> dict:
    return load_file(CORPUS / program / f"Pulumi.{stack}.yaml")["config"]


def _preview_args(program: str):
    """The `medinfra preview` arguments a platform team would run, parsed by the CLI itself."""
    from medinfra import pack_config_cli
    from medinfra.cli import _parser
    from medinfra.preview_command import _semantics

    argv = ["preview", "--dir", str(CORPUS / program), "--all-stacks", "--direct",
            "--policy-pack-config", str(CORPUS / program / "policy-config.json")]
    args = _parser().parse_args(argv)
    # As `medinfra preview` prepares them (preview_command.run): the config file read and checked.
    args.pack_config_document = pack_config_cli.read(args.policy_pack_config)
    args.semantics = _semantics(args)
    return args


@pytest.fixture(scope="session")
def corpus_reports() -> dict[tuple[str, str], dict]:
    """(program, stack) -> the JSON report `medinfra preview --format json` prints for it."""
    from medinfra.planner import plan
    from medinfra.preview_command import run_gate
    from medinfra.project import load_project, load_stack_config
    from medinfra.render import report

    jobs = []
    for program in PROGRAMS:
        project, args = load_project(CORPUS / program), _preview_args(program)
        jobs += [(program, stack, project, args) for stack in project.stacks()]

    def planned(job):
        program, stack, project, args = job
        return plan(project, load_stack_config(project, stack), semantics=args.semantics)

    with ThreadPoolExecutor(max_workers=2) as pool:  # planning runs in worker processes
        plans = list(pool.map(planned, jobs))
    reports = {}
    for (program, stack, _, args), result in zip(jobs, plans, strict=True):
        gate = run_gate(result.inventory, args)
        findings = [f.to_dict() for f in gate.findings]
        reports[program, stack] = report(result, gate.decision, findings)
    return reports


def _blocking(report: dict) -> set[str]:
    return {f["id"] for f in report["findings"] if f["enforcement"] != "advisory"}


def test_the_corpus_covers_every_cloud_with_twins_and_pack_configs():
    assert len(PROGRAMS) >= 12
    clouds = {program.split("-")[0] for program in PROGRAMS}
    assert clouds == {"aws", "azure", "gcp", "k8s"}
    for program in PROGRAMS:
        folder = CORPUS / program
        assert json.loads((folder / "policy-config.json").read_text())["medinfra-settings"]
        assert "medinfra" not in (folder / "__main__.py").read_text(), program  # raw providers
        twins = _expect(program)["twins"]
        assert twins and set(_stacks(program)) == {COMPLIANT, *twins}, program


@pytest.mark.parametrize(("program", "twin"), TWINS)
def test_each_twin_changes_exactly_one_setting(program, twin):
    compliant, changed = _config(program, COMPLIANT), _config(program, twin)
    assert compliant.keys() == changed.keys()
    differ = [k for k in compliant if compliant[k] != changed[k]]
    assert len(differ) == 1, differ


@pytest.mark.parametrize("program", PROGRAMS)
def test_compliant_program_is_allowed(corpus_reports, program):
    report = corpus_reports[program, COMPLIANT]
    known = set(_expect(program)["known_false_blocks"])
    assert _blocking(report) == known, [
        (f["id"], f["urn"].rsplit("::", 1)[-1], f["message"])
        for f in report["findings"] if f["enforcement"] != "advisory"]
    assert report["decision"] == ("block" if known else "allow")


@pytest.mark.parametrize(("program", "twin"), TWINS)
def test_twin_is_blocked_by_a_finding_the_compliant_program_lacks(corpus_reports, program, twin):
    wanted = _expect(program)["twins"][twin]
    rule, text = (wanted, "") if isinstance(wanted, str) else (wanted["rule"], wanted["message"])
    report = corpus_reports[program, twin]
    assert report["decision"] == "block"
    assert rule in _blocking(report), sorted(_blocking(report))
    assert any(f["id"] == rule and text in f["message"] for f in report["findings"]
               if f["enforcement"] != "advisory"), [f["message"] for f in report["findings"]]
    assert rule not in {f["id"] for f in corpus_reports[program, COMPLIANT]["findings"]}


def _gate_decision(folder: Path, stack: str) -> dict:
    from medinfra.planner import plan
    from medinfra.preview_command import run_gate
    from medinfra.project import load_project, load_stack_config

    args = _preview_args("aws-ecr-repository")
    project = load_project(folder)
    inventory = plan(project, load_stack_config(project, stack),
                     semantics=args.semantics).inventory
    gate = run_gate(inventory, args)
    return {"decision": gate.decision, "blocking": {
        f.id for f in gate.findings if f.enforcement != "advisory"}, "config": inventory["config"]}


def test_the_gate_reads_medinfra_keys_never_the_programs_own(tmp_path):
    """A program's own `allowedRegions` is its business; `medinfra:allowedRegions` in its stack
    file is the gate's per-stack layer (here narrowing the organisation's regions to one the
    program's default provider is not in)."""
    import shutil

    folder = tmp_path / "aws-ecr-repository"
    shutil.copytree(CORPUS / "aws-ecr-repository", folder)
    base = (folder / "Pulumi.compliant.yaml").read_text()
    (folder / "Pulumi.own.yaml").write_text(
        base + "  corpus-aws-ecr-repository:allowedRegions: [us-east-1]\n"
        "  corpus-aws-ecr-repository:dataClassification: public\n")
    (folder / "Pulumi.gate.yaml").write_text(base + "  medinfra:allowedRegions: [us-east-1]\n")
    own = _gate_decision(folder, "own")
    assert own["decision"] == "allow" and own["config"] == {}, own
    narrowed = _gate_decision(folder, "gate")
    assert narrowed["config"] == {"allowedRegions": ["us-east-1"]}
    assert narrowed["decision"] == "block" and "MED-RES-001" in narrowed["blocking"], narrowed
