"""The `medinfra` command.

Exit codes (DESIGN.md): 0 allowed, 1 blocked by policy, 2 invalid input or configuration,
3 the gate could not run (fail closed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from medinfra import SOURCE_ROOT
from medinfra.planner import PlanError, plan
from medinfra.project import InputError, load_project, load_stack_config
from medinfra.render import report, text

EXIT_ALLOW, EXIT_BLOCK, EXIT_INPUT, EXIT_GATE = 0, 1, 2, 3


def _default_dir() -> Path:
    """The project to plan when --dir is not given: the current directory if it is a Pulumi
    project, else the MedInfra source checkout this command runs from (if any)."""
    cwd = Path.cwd()
    if (cwd / "Pulumi.yaml").is_file() or SOURCE_ROOT is None:
        return cwd
    return SOURCE_ROOT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medinfra",
        description="Plan and gate MedInfra stacks. Exit codes: 0 allowed, 1 blocked by "
        "policy, 2 invalid input or configuration, 3 the gate could not run.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    preview = commands.add_parser(
        "preview",
        help="plan a stack offline under Pulumi's mock runtime (no credentials, no Pulumi CLI)",
        description="Run a Pulumi Python program under Pulumi's mock runtime with a stack's "
        "config and print what it would create. Works for any Pulumi Python project.",
    )
    which = preview.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--stack", help="stack name (its config is <stackConfigDir>/Pulumi.<stack>.yaml)"
    )
    which.add_argument(
        "--all-stacks",
        action="store_true",
        help="every stack that has a config file; exit with the worst code",
    )
    preview.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="Pulumi project directory (default: current directory if it has a Pulumi.yaml, "
        "else the MedInfra repository)",
    )
    preview.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output format on stdout (default: text)",
    )
    preview.add_argument(
        "--inventory",
        type=Path,
        metavar="FILE",
        help="also write the Inventory JSON (DESIGN.md) to FILE",
    )
    preview.add_argument(
        "--inventory-dir",
        type=Path,
        metavar="DIR",
        help="also write each stack's Inventory JSON to DIR/<stack>.json (any number of stacks)",
    )
    preview.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="give up planning after this long (exit 3; default 600)",
    )
    preview.add_argument(
        "--gate-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="give up evaluating rules after this long (exit 3; default 30)",
    )
    preview.add_argument(
        "--opa-url",
        metavar="URL",
        help="evaluate the Rego rules on this OPA server instead of the embedded engine "
        "(default: $OPA_URL if set)",
    )
    preview.add_argument(
        "--direct",
        action="store_true",
        help="run the gate in-process instead of through the policy pack over "
        "the analyzer protocol (same code, faster, less faithful)",
    )
    preview.add_argument(
        "--sarif",
        type=Path,
        metavar="FILE",
        help="also write the findings as SARIF 2.1.0 (code scanning)",
    )
    preview.add_argument(
        "--markdown",
        type=Path,
        metavar="FILE",
        help="also write a Markdown summary (for a pull-request comment)",
    )
    schema = commands.add_parser(
        "config-schema",
        help="print (or write) the JSON Schema of the medinfra:* stack config keys",
    )
    schema.add_argument("--out", type=Path, metavar="FILE", help="write it to FILE")
    policies = commands.add_parser("policies", help="the control catalogue the gate enforces")
    what = policies.add_subparsers(dest="policies_command", required=True, metavar="ACTION")
    listing = what.add_parser("list", help="every rule: id, title, severity, controls, types")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    docs = what.add_parser("docs", help="write the catalogue for compliance officers (Markdown)")
    docs.add_argument("--out", type=Path, metavar="FILE", help="write it to FILE (else stdout)")
    from medinfra.audit.command import add_parsers as add_live_parsers

    add_live_parsers(commands)
    return parser


def _policies(args: argparse.Namespace) -> int:
    from medinfra.policies import catalogue
    from medinfra.policies.rules import RuleError, load_rules

    try:
        rules = load_rules()
    except RuleError as exc:
        raise InputError(str(exc)) from None
    if args.policies_command == "list":
        if args.format == "json":
            print(json.dumps(catalogue.as_json(rules), indent=2))
        else:
            print(catalogue.table(rules))
    elif args.out:
        if not args.out.parent.is_dir():
            raise InputError(f"{args.out}: directory {args.out.parent} does not exist")
        args.out.write_text(catalogue.markdown(rules), encoding="utf-8")
    else:
        print(catalogue.markdown(rules), end="")
    return EXIT_ALLOW


def _config_schema(args: argparse.Namespace) -> int:
    from medinfra.components.config import json_schema

    document = json_schema()
    if args.out:
        _write_json(args.out, document)
    else:
        print(json.dumps(document, indent=2))
    return EXIT_ALLOW


def _write_json(path: Path, document: dict) -> None:
    """Write atomically: a reader never sees half an inventory."""
    if not path.parent.is_dir():
        raise InputError(f"{path}: directory {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh, indent=2)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _preview_one(project, stack: str, args: argparse.Namespace) -> tuple[int, dict | None, str]:
    """Plan one stack: (exit code, JSON report or None, text for people)."""
    try:
        config = load_stack_config(project, stack)
        result = plan(project, config, timeout=args.timeout)
    except InputError as exc:
        return EXIT_INPUT, None, f"medinfra: error: {exc}"
    except PlanError as exc:
        return EXIT_GATE, None, f"medinfra: the gate could not run (blocked, fail closed): {exc}"
    gate = run_gate(result.inventory, args)
    result.timings.update(gate.timings)
    if args.inventory:
        _write_json(args.inventory, result.inventory)
    if args.inventory_dir:
        _write_json(args.inventory_dir / f"{stack}.json", result.inventory)
    findings = [f.to_dict() for f in gate.findings]
    return (
        gate.exit_code,
        report(result, gate.decision, findings),
        text(result, gate.decision, findings),
    )


def run_gate(inventory: dict, args: argparse.Namespace):
    """Judge the planned Inventory (never raises; fails closed).

    By default through the policy pack, launched and driven over the analyzer protocol exactly
    as `pulumi preview --policy-pack policies` does; --direct calls the same gate in-process.
    """
    import time

    from medinfra.policies.engines import EngineError, engine_from_environment
    from medinfra.policies.findings import Finding, gate_error
    from medinfra.policies.gate import GateOptions, GateResult, evaluate

    if args.direct:
        try:
            engine = engine_from_environment(args.opa_url)
        except EngineError as exc:
            return GateResult("block", [gate_error("ENGINE", str(exc), "Fix --opa-url / OPA_URL.")])
        return evaluate(inventory, GateOptions(engine=engine, timeout_s=args.gate_timeout))

    from medinfra.analyzer_client import AnalyzerError, analyze_over_protocol
    from medinfra.policies.analyzer import TIMINGS_ENV

    env = dict(os.environ, MEDINFRA_GATE_TIMEOUT=str(args.gate_timeout))
    if args.opa_url:
        env["OPA_URL"] = args.opa_url
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="medinfra-timings-") as tmp:
        env[TIMINGS_ENV] = str(Path(tmp) / "timings.json")
        try:
            # The pack's own deadline is the gate timeout; on top come its start and Checkov's
            # one-time import (bounded in policies/checkov_bridge/runner.py).
            found = analyze_over_protocol(inventory, timeout=args.gate_timeout + 300, env=env)
        except AnalyzerError as exc:
            found = exc
        pack_timings = _read_timings(Path(env[TIMINGS_ENV]))
    if isinstance(found, AnalyzerError):
        exc = found
        return GateResult(
            "block",
            [
                gate_error(
                    "ANALYZER",
                    f"the policy pack could not be run: {exc}",
                    "Run with --direct to see whether the rules or the pack fail; report it.",
                )
            ],
        )
    findings = [Finding(**f) for f in found]
    decision = "block" if any(f.blocks for f in findings) else "allow"
    timings = {k: v for k, v in pack_timings.items() if k != "gate_s"}
    timings["gate_s"] = round(time.perf_counter() - started, 4)
    return GateResult(decision, findings, timings)


def _read_timings(path: Path) -> dict[str, float]:
    """The numbers the pack reported (policies/analyzer.py _report_timings), if any."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(k): v for k, v in data.items() if isinstance(v, int | float) and not isinstance(v, bool)
    }


def _write_reports(args: argparse.Namespace, project, reports: list[dict]) -> None:
    """--sarif / --markdown: written for every stack that was judged."""
    from medinfra.policies.reports import markdown, sarif

    if args.sarif:
        base = Path.cwd()
        artifacts = {}
        for report in reports:
            path = project.stack_file(report["stack"])
            artifacts[report["stack"]] = (
                str(path.relative_to(base)) if path.is_relative_to(base) else path.name
            )
        _write_json(args.sarif, sarif(reports, artifacts))
    if args.markdown:
        if not args.markdown.parent.is_dir():
            raise InputError(f"{args.markdown}: directory {args.markdown.parent} does not exist")
        args.markdown.write_text(markdown(reports), encoding="utf-8")


def _preview(args: argparse.Namespace) -> int:
    for flag, value in (("--timeout", args.timeout), ("--gate-timeout", args.gate_timeout)):
        if value <= 0:
            raise InputError(f"{flag} {value:g}: must be a positive number of seconds")
    if args.all_stacks and args.inventory:
        raise InputError(
            "--inventory names one file; use it with --stack, or --inventory-dir with --all-stacks"
        )
    if args.inventory_dir and not args.inventory_dir.is_dir():
        raise InputError(f"--inventory-dir {args.inventory_dir}: no such directory")
    project = load_project(args.dir or _default_dir())
    stacks = project.stacks() if args.all_stacks else [args.stack]
    if not stacks:
        raise InputError(f"--all-stacks: no Pulumi.<stack>.yaml in {project.stack_config_dir}")
    results = [(stack, *_preview_one(project, stack, args)) for stack in stacks]
    worst = max(code for _, code, _, _ in results)
    _write_reports(args, project, [r for _, _, r, _ in results if r is not None])
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


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `medinfra` console script."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "policies":
            return _policies(args)
        if args.command in ("audit", "preflight"):
            from medinfra.audit.command import run as run_live

            return run_live(args)
        return _config_schema(args) if args.command == "config-schema" else _preview(args)
    except InputError as exc:
        print(f"medinfra: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except PlanError as exc:
        print(f"medinfra: the gate could not run (blocked, fail closed): {exc}", file=sys.stderr)
        return EXIT_GATE


if __name__ == "__main__":
    sys.exit(main())
