"""`medinfra preview`: plan each stack with the engine's preview semantics, then gate it."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from medinfra import SOURCE_ROOT, pack_config_cli
from medinfra.errors_log import last_line, log_traceback, where
from medinfra.evidence import cli as evidence_cli
from medinfra.exit_codes import EXIT_ALLOW, EXIT_BLOCK, EXIT_GATE, EXIT_INPUT
from medinfra.report_files import write_json, write_text


def default_dir() -> Path:
    """The project to plan when --dir is not given: the current directory if it is a Pulumi
    project, else the MedInfra source checkout this command runs from (if any)."""
    cwd = Path.cwd()
    if (cwd / "Pulumi.yaml").is_file() or SOURCE_ROOT is None:
        return cwd
    return SOURCE_ROOT


def _preview_one(project, stack: str, args: argparse.Namespace) -> tuple[int, dict | None, str]:
    """Plan one stack: (exit code, JSON report or None, text for people)."""
    from medinfra.early_pack import EarlyPack
    from medinfra.program_python import resolve
    from medinfra.project import InputError, load_stack_config

    try:
        config = load_stack_config(project, stack)
        python = resolve(project)
    except InputError as exc:
        return EXIT_INPUT, None, f"medinfra: error: {exc}"
    # The pack starts first (docs/startup.md): it imports, loads its rules and Checkov while
    # the program is planned. (Not gRPC's import in a thread here: pulumi's import needs the
    # main thread's event loop.)
    early = None if args.direct else EarlyPack.start(project, config, args)
    try:
        from medinfra.planner import PlanError, plan
        from medinfra.policies.gate import checkov_selection_problems

        refused = checkov_selection_problems(config.gate_values())
        if refused:
            raise InputError(f"{project.stack_file(stack)}: " + "; ".join(refused))
        result = plan(
            project, config, timeout=args.timeout, semantics=args.semantics, python=python
        )
    except BaseException as exc:
        if early is not None:
            early.close()
        if isinstance(exc, InputError):
            return EXIT_INPUT, None, f"medinfra: error: {exc}"
        from medinfra.planner import PlanError

        if isinstance(exc, PlanError):
            return (EXIT_GATE, None,
                    f"medinfra: the gate could not run (blocked, fail closed): {exc}")
        raise
    from medinfra.policies.inventory import decode_config_value
    from medinfra.render import report, text

    gate = run_gate(result.inventory, args, early)
    result.timings.update(gate.timings)
    gate.timings.update(result.timings)
    evidence_cli.record_run(
        args, result.inventory, gate, project_dir=project.dir,
        config={k: decode_config_value(v) for k, v in config.values.items()},
        secret_keys=config.secret_keys, many=args.all_stacks,
        pack_config=pack_config_cli.reconciled(getattr(args, "pack_config_document", None)),
    )
    if args.inventory:
        write_json(args.inventory, result.inventory)
    if args.inventory_dir:
        write_json(args.inventory_dir / f"{stack}.json", result.inventory)
    findings = [f.to_dict() for f in gate.findings]
    return (
        gate.exit_code,
        report(result, gate.decision, findings),
        text(result, gate.decision, findings),
    )


def run_gate(inventory: dict, args: argparse.Namespace, early=None):
    """Judge an Inventory (never raises; fails closed) within --gate-timeout, wall clock.

    By default through the policy pack, launched and driven over the analyzer protocol exactly
    as `pulumi preview --policy-pack policies` does; --direct calls the same gate in-process.
    `early`: the pack `EarlyPack.start` launched while planning (medinfra.early_pack).
    """
    from medinfra.policies.findings import Finding, gate_error
    from medinfra.policies.gate import GateOptions, GateResult, evaluate

    started = time.perf_counter()

    def failed(code: str, message: str, fix: str) -> GateResult:
        timings = {"gate_s": round(time.perf_counter() - started, 4)}
        return GateResult("block", [gate_error(code, message, fix)], timings)

    if args.direct:
        from medinfra.policies.engines import EngineError, engine_from_environment

        try:
            engine = engine_from_environment(args.opa_url)
        except EngineError as exc:
            return failed("ENGINE", str(exc), "Fix --opa-url / OPA_URL.")
        return evaluate(inventory, GateOptions(
            engine=engine, timeout_s=args.gate_timeout,
            pack_config=pack_config_cli.reconciled(getattr(args, "pack_config_document", None)),
        ))

    try:
        from medinfra import analyzer_client
        from medinfra.early_pack import EarlyPack
    except Exception as exc:  # noqa: BLE001 - a pack that cannot load blocks, with its reason
        if early is not None:
            early.close()
        log = log_traceback(exc, "pack")
        return failed(
            "ANALYZER",
            f"the policy pack cannot be loaded: {last_line(exc)} (at {where(exc)}; "
            f"full traceback: {log})",
            "Fix the error shown (or run with --direct to see whether the rules fail).",
        )

    pack_timings: dict[str, float] = {}
    try:
        if early is not None and not early.serves(inventory):
            early.close()  # launched for other config than the plan's: never judge with it
            early = None
        pack = early or EarlyPack.launch(inventory, args)
        try:
            found = pack.judge(inventory, args.gate_timeout)
        finally:
            pack_timings = pack.timings()
            pack.close()
    except analyzer_client.AnalyzerError as exc:
        found = exc
    if isinstance(found, analyzer_client.AnalyzerError):
        return failed(
            "ANALYZER",
            f"the policy pack could not be run: {found}",
            "Run with --direct to see whether the rules or the pack fail; report it.",
        )
    findings = [Finding(**f) for f in found]
    decision = "block" if any(f.blocks for f in findings) else "allow"
    timings = {k: v for k, v in pack_timings.items() if k != "gate_s"}
    timings["gate_s"] = round(time.perf_counter() - started, 4)
    return GateResult(decision, findings, timings)


def write_reports(
    args: argparse.Namespace, project, reports: list[dict], artifact: Path | None = None
) -> None:
    """--sarif / --markdown: written for every stack that was judged (mode 0600)."""
    from medinfra.policies.reports import markdown, sarif

    if args.sarif:
        base = Path.cwd()
        artifacts = {}
        for report in reports:
            path = artifact.resolve() if artifact else project.stack_file(report["stack"])
            artifacts[report["stack"]] = (
                str(path.relative_to(base)) if path.is_relative_to(base) else path.name
            )
        write_json(args.sarif, sarif(reports, artifacts))
    if args.markdown:
        write_text(args.markdown, markdown(reports))


def _data_sources(path: Path) -> dict[str, dict]:
    """--data-sources FILE: a mapping of data-source tokens to answers (exit 2 otherwise)."""
    from medinfra.policies.strict_yaml import StrictYamlError, load_file
    from medinfra.project import InputError

    try:
        document = load_file(path)
    except StrictYamlError as exc:
        raise InputError(f"--data-sources {exc}") from None
    except OSError as exc:
        raise InputError(f"--data-sources {path}: cannot be read ({exc.strerror})") from None
    if not isinstance(document, dict):
        raise InputError(f"--data-sources {path}: expected a mapping of data-source tokens "
                         "(e.g. aws:ec2/getAmi:getAmi) to their answers")
    for token, answer in document.items():
        if not isinstance(token, str) or token.count(":") != 2:
            raise InputError(f"--data-sources {path}: key {str(token)[:80]!r} is not a "
                             "data-source token (package:module:function)")
        if not isinstance(answer, dict):
            raise InputError(f"--data-sources {path}: {token}: got {type(answer).__name__}; "
                             "expected an object of the result's fields")
    return document


def _semantics(args: argparse.Namespace) -> dict:
    """What the engine answers for registered resources (medinfra.mocks.preview)."""
    from medinfra import stack_outputs
    from medinfra.mocks.modes import EXISTING_STACK, NEW_STACK, SYNTHETIC
    from medinfra.project import InputError

    answers = {"data_sources": _data_sources(args.data_sources)} if args.data_sources else {}
    referenced = stack_outputs.parse(getattr(args, "stack_outputs", None))
    if referenced:
        answers["stack_outputs"] = referenced
    if args.state is None:
        return {"mode": SYNTHETIC if args.synthetic_outputs else NEW_STACK, **answers}
    if args.all_stacks:
        raise InputError("--state holds one stack's export; use it with --stack, not --all-stacks")
    from medinfra.mocks.preview import StateError, load_state

    try:
        return {"mode": EXISTING_STACK, "state": load_state(args.state), **answers}
    except StateError as exc:
        raise InputError(str(exc)) from None


def preview(args: argparse.Namespace) -> int:
    from medinfra.project import InputError, load_project

    if args.all_stacks and args.inventory:
        raise InputError(
            "--inventory names one file; use it with --stack, or --inventory-dir with --all-stacks"
        )
    args.pack_config_document = pack_config_cli.read(args.policy_pack_config)
    args.semantics = _semantics(args)
    if args.inventory_dir and not args.inventory_dir.is_dir():
        raise InputError(f"--inventory-dir {args.inventory_dir}: no such directory")
    evidence_cli.check_run_flags(args)
    project = load_project(args.dir or default_dir())
    stacks = project.stacks() if args.all_stacks else [args.stack]
    if not stacks:
        raise InputError(f"--all-stacks: no Pulumi.<stack>.yaml in {project.stack_config_dir}")
    from medinfra.policies.checkov_bridge.workers import shared_worker

    # One Checkov worker for every stack, started now: its import overlaps the planning.
    with shared_worker():
        results = [(stack, *_preview_one(project, stack, args)) for stack in stacks]
    worst = max(code for _, code, _, _ in results)
    write_reports(args, project, [r for _, _, r, _ in results if r is not None])
    evidence_cli.finish_run(args)
    for stack, code, judged, message in results:
        prefix = f"[{stack}] " if args.all_stacks else ""
        if judged is None:  # no plan: the message is the error
            print(prefix + message, file=sys.stderr)
        elif code == EXIT_GATE:  # planned, but the gate could not decide: the report says why
            reasons = "; ".join(
                f["message"] for f in judged["findings"] if f["id"].startswith("MED-GATE-")
            )
            print(
                f"{prefix}medinfra: the gate could not run (blocked, fail closed): {reasons}",
                file=sys.stderr,
            )
    if args.format == "json":
        reports = [r for _, _, r, _ in results if r is not None]
        if not args.all_stacks:
            if reports:
                print(json.dumps(reports[0], indent=2))
        else:
            decision = "allow" if worst == EXIT_ALLOW else "block"
            print(json.dumps({"decision": decision, "stacks": reports}, indent=2))
    else:
        texts = [t for _, _, report, t in results if report is not None]
        if texts:
            print("\n\n".join(texts))
        if args.all_stacks:
            print("\nStacks:")
            names = {
                EXIT_ALLOW: "allowed",
                EXIT_BLOCK: "blocked",
                EXIT_INPUT: "invalid input",
                EXIT_GATE: "gate could not run",
            }
            for stack, code, _, _ in results:
                print(f"  {stack}: {names[code]} (exit {code})")
    return worst
