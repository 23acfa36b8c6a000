"""The `medinfra` command.

Exit codes (DESIGN.md): 0 allowed, 1 blocked by policy, 2 invalid input or configuration,
3 the gate could not run (fail closed).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from medinfra import SOURCE_ROOT
from medinfra.evidence import cli as evidence_cli

EXIT_ALLOW, EXIT_BLOCK, EXIT_INPUT, EXIT_GATE = 0, 1, 2, 3
#: The longest --timeout / --gate-timeout accepted (a day): beyond it is a typo, and threads'
#: join() overflows on values like 1e300.
MAX_SECONDS = 86400.0
#: The largest Inventory file `medinfra gate` reads.
MAX_INVENTORY_BYTES = 256 * 1024 * 1024


def _seconds(flag: str):
    """argparse type for a duration flag: a finite number of seconds in (0, MAX_SECONDS]."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and 0 < value <= MAX_SECONDS):
            raise argparse.ArgumentTypeError(
                f"{text[:40]!r} is not allowed: expected seconds, a number > 0 and "
                f"<= {MAX_SECONDS:g}"
            )
        return value

    parse.__name__ = flag  # argparse names the flag in its message
    return parse


def log_traceback(exc: BaseException, what: str) -> str:
    """Write `exc`'s full traceback to a private log file; return its path (the only place a
    traceback goes: nothing we print shows one)."""
    fd, path = tempfile.mkstemp(prefix=f"medinfra-{what}-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("".join(traceback.format_exception(exc)))
    return path


def _where(exc: BaseException) -> str:
    """`file:line` of the innermost frame, relative to the source checkout when inside it."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    path = Path(frames[-1].filename)
    root = SOURCE_ROOT or Path.cwd()
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    return f"{shown}:{frames[-1].lineno}"


def _last_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[-1][:200]}" if text else type(exc).__name__


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
        "--data-sources",
        type=Path,
        metavar="FILE",
        help="YAML or JSON: data-source token -> its answer (an object), for data sources "
        "whose values cannot be known offline (the others are unknown, or known by convention)",
    )
    preview.add_argument(
        "--inventory-dir",
        type=Path,
        metavar="DIR",
        help="also write each stack's Inventory JSON to DIR/<stack>.json (any number of stacks)",
    )
    modes = preview.add_mutually_exclusive_group()
    modes.add_argument(
        "--new-stack",
        action="store_true",
        help="(the default) judge the plan as the first preview of a stack that does not exist "
        "yet, as the Pulumi engine answers it: ids and computed outputs unknown",
    )
    modes.add_argument(
        "--synthetic-outputs",
        action="store_true",
        help="for tests: answer every id and computed output with a deterministic synthetic "
        "value, as if every resource already existed (knows more than the engine would)",
    )
    modes.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="a `pulumi stack export` file: resources in it keep their recorded ids and outputs, "
        "as in a preview of an existing stack; the others are new (with --stack only)",
    )
    preview.add_argument(
        "--timeout",
        type=_seconds("--timeout"),
        default=600.0,
        metavar="SECONDS",
        help="give up planning after this long (exit 3; default 600)",
    )
    _gate_flags(preview)
    evidence_cli.add_run_flags(preview)
    gate = commands.add_parser(
        "gate",
        help="gate an Inventory produced elsewhere (a preview, the analyzer, a live audit)",
        description="Judge an Inventory JSON file (docs/inventory.schema.json) with the same "
        "gate as preview. A file that does not match the schema exits 2.",
    )
    gate.add_argument("inventory_file", type=Path, metavar="INVENTORY.json")
    gate.add_argument("--format", choices=("text", "json"), default="text")
    _gate_flags(gate)
    inventory_schema = commands.add_parser(
        "inventory-schema",
        help="print (or write) the JSON Schema of the Inventory (docs/inventory.schema.json)",
    )
    inventory_schema.add_argument("--out", type=Path, metavar="FILE", help="write it to FILE")
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
    manifest = what.add_parser(
        "manifest",
        help="write the pack's manifest (rule file and lock digests) to policies/manifest.json",
    )
    manifest.add_argument("--out", type=Path, metavar="FILE", help="write it to FILE instead")
    manifest.add_argument(
        "--source-commit", metavar="SHA",
        help="release only: record this commit (refused unless every recorded file is as it)",
    )
    verify = what.add_parser(
        "verify", help="check the rule files this installation runs against the pack's manifest "
        "(exit 1 naming each file that differs)",
    )
    verify.add_argument("--manifest", type=Path, metavar="FILE", help="(default: the pack's own)")
    evidence_cli.add_commands(commands)
    from medinfra.audit.command import add_parsers as add_live_parsers

    add_live_parsers(commands)
    return parser


def _gate_flags(command: argparse.ArgumentParser) -> None:
    """The flags every gating command shares."""
    command.add_argument(
        "--gate-timeout",
        type=_seconds("--gate-timeout"),
        default=120.0,
        metavar="SECONDS",
        help="wall-clock bound of the whole gate: policy pack start-up, every engine, every "
        "OPA round trip; what overruns is killed (exit 3; default 120)",
    )
    command.add_argument(
        "--opa-url",
        metavar="URL",
        help="evaluate the Rego rules on this OPA server instead of the embedded engine "
        "(default: $OPA_URL if set)",
    )
    command.add_argument(
        "--direct",
        action="store_true",
        help="run the gate in-process instead of through the policy pack over "
        "the analyzer protocol (same code, faster, less faithful)",
    )
    command.add_argument(
        "--sarif",
        type=Path,
        metavar="FILE",
        help="also write the findings as SARIF 2.1.0 (code scanning; file mode 0600)",
    )
    command.add_argument(
        "--markdown",
        type=Path,
        metavar="FILE",
        help="also write a Markdown summary (for a pull-request comment; file mode 0600)",
    )


def _policy_manifest(args: argparse.Namespace) -> int:
    """`policies manifest` / `policies verify` (policies/manifest.py)."""
    from medinfra.policies import manifest as pack
    from medinfra.project import InputError

    try:
        if args.policies_command == "verify":
            recorded = pack.load(args.manifest or pack.MANIFEST_FILE)
            problems = pack.verify(recorded, source_root=SOURCE_ROOT)
            for problem in problems:
                print(f"medinfra: policies verify: {problem}", file=sys.stderr)
            if problems:
                return EXIT_BLOCK
            commit = recorded["source"].get("commit") or "not recorded (unreleased)"
            print(f"policies verified: {recorded['pack']['name']} {recorded['pack']['version']}, "
                  f"{recorded['bundle']['files']} rule files, bundle sha256 "
                  f"{recorded['bundle']['sha256']}, source commit {commit}")
            return EXIT_ALLOW
        if args.out is None and SOURCE_ROOT is None:
            raise InputError("policies manifest: not a source checkout; give --out FILE")
        out = args.out or pack.MANIFEST_FILE
        if not out.parent.is_dir():
            raise InputError(f"{out}: directory {out.parent} does not exist")
        document = pack.build(source_root=SOURCE_ROOT, commit=args.source_commit)
        if args.source_commit:
            if SOURCE_ROOT is None:
                raise InputError("--source-commit: only from a source checkout")
            pack.check_commit(args.source_commit, document, SOURCE_ROOT)
        pack.write(out, document)
    except pack.ManifestError as exc:
        raise InputError(str(exc)) from None
    except OSError as exc:
        raise InputError(f"policies manifest: {exc}") from None
    return EXIT_ALLOW


def _policies(args: argparse.Namespace) -> int:
    from medinfra.policies import catalogue
    from medinfra.policies.rules import RuleError, load_rules
    from medinfra.project import InputError

    if args.policies_command in ("manifest", "verify"):
        return _policy_manifest(args)
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
        args.out.write_text(catalogue.markdown(rules), encoding="utf-8")  # a published doc
    else:
        print(catalogue.markdown(rules), end="")
    return EXIT_ALLOW


def _inventory_schema(args: argparse.Namespace) -> int:
    from medinfra.policies.inventory_schema import INVENTORY_SCHEMA

    if args.out:
        _write_json(args.out, INVENTORY_SCHEMA)
        args.out.chmod(0o644)  # a published document, not a report
    else:
        print(json.dumps(INVENTORY_SCHEMA, indent=2))
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
    """Write atomically and privately (0600): a reader never sees half an inventory."""
    _write_text(path, json.dumps(document, indent=2) + "\n")


def _write_text(path: Path, text: str) -> None:
    """Every report file: written atomically, mode 0600 (mkstemp's), whatever the umask."""
    from medinfra.project import InputError

    if not path.parent.is_dir():
        raise InputError(f"{path}: directory {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _preview_one(project, stack: str, args: argparse.Namespace) -> tuple[int, dict | None, str]:
    """Plan one stack: (exit code, JSON report or None, text for people)."""
    from medinfra.planner import PlanError, plan
    from medinfra.policies.gate import checkov_selection_problems
    from medinfra.policies.inventory import decode_config_value
    from medinfra.project import InputError, load_stack_config
    from medinfra.render import report, text

    try:
        config = load_stack_config(project, stack)
        refused = checkov_selection_problems(config.project_values(project.name))
        if refused:
            raise InputError(f"{project.stack_file(stack)}: " + "; ".join(refused))
        result = plan(project, config, timeout=args.timeout, semantics=args.semantics)
    except InputError as exc:
        return EXIT_INPUT, None, f"medinfra: error: {exc}"
    except PlanError as exc:
        return EXIT_GATE, None, f"medinfra: the gate could not run (blocked, fail closed): {exc}"
    gate = run_gate(result.inventory, args)
    result.timings.update(gate.timings)
    gate.timings.update(result.timings)
    evidence_cli.record_run(
        args, result.inventory, gate, project_dir=project.dir,
        config={k: decode_config_value(v) for k, v in config.values.items()},
        secret_keys=config.secret_keys, many=args.all_stacks,
    )
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
    """Judge an Inventory (never raises; fails closed) within --gate-timeout, wall clock.

    By default through the policy pack, launched and driven over the analyzer protocol exactly
    as `pulumi preview --policy-pack policies` does; --direct calls the same gate in-process.
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
        return evaluate(inventory, GateOptions(engine=engine, timeout_s=args.gate_timeout))

    try:
        from medinfra import analyzer_client
        from medinfra.policies.pack import TIMINGS_ENV
    except Exception as exc:  # noqa: BLE001 - a pack that cannot load blocks, with its reason
        log = log_traceback(exc, "pack")
        return failed(
            "ANALYZER",
            f"the policy pack cannot be loaded: {_last_line(exc)} (at {_where(exc)}; "
            f"full traceback: {log})",
            "Fix the error shown (or run with --direct to see whether the rules fail).",
        )

    # The pack's own gate ends a little before ours, so it can still say what overran; what
    # overruns ours (a pack that hangs on start-up, an engine that never answers) is killed.
    env = dict(
        os.environ,
        MEDINFRA_GATE_TIMEOUT=str(args.gate_timeout),
        MEDINFRA_GATE_DEADLINE=repr(time.time() + args.gate_timeout * 0.9),
    )
    env.pop(evidence_cli.EVIDENCE_ENV, None)  # this command writes the evidence, not the pack
    if args.opa_url:
        env["OPA_URL"] = args.opa_url
    with tempfile.TemporaryDirectory(prefix="medinfra-timings-") as tmp:
        env[TIMINGS_ENV] = str(Path(tmp) / "timings.json")
        try:
            found = analyzer_client.analyze_over_protocol(
                inventory, analyzer_client.PACK_DIR, timeout=args.gate_timeout, env=env
            )
        except analyzer_client.AnalyzerError as exc:
            found = exc
        pack_timings = _read_timings(Path(env[TIMINGS_ENV]))
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


def _read_timings(path: Path) -> dict[str, float]:
    """The numbers the pack reported (policies/pack.py _report_timings), if any."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(k): v for k, v in data.items() if isinstance(v, int | float) and not isinstance(v, bool)
    }


def _write_reports(
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
        _write_json(args.sarif, sarif(reports, artifacts))
    if args.markdown:
        _write_text(args.markdown, markdown(reports))


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
    from medinfra.mocks.modes import EXISTING_STACK, NEW_STACK, SYNTHETIC
    from medinfra.project import InputError

    answers = {"data_sources": _data_sources(args.data_sources)} if args.data_sources else {}
    if args.state is None:
        return {"mode": SYNTHETIC if args.synthetic_outputs else NEW_STACK, **answers}
    if args.all_stacks:
        raise InputError("--state holds one stack's export; use it with --stack, not --all-stacks")
    from medinfra.mocks.preview import StateError, load_state

    try:
        return {"mode": EXISTING_STACK, "state": load_state(args.state), **answers}
    except StateError as exc:
        raise InputError(str(exc)) from None


def _preview(args: argparse.Namespace) -> int:
    from medinfra.project import InputError, load_project

    if args.all_stacks and args.inventory:
        raise InputError(
            "--inventory names one file; use it with --stack, or --inventory-dir with --all-stacks"
        )
    args.semantics = _semantics(args)
    if args.inventory_dir and not args.inventory_dir.is_dir():
        raise InputError(f"--inventory-dir {args.inventory_dir}: no such directory")
    evidence_cli.check_run_flags(args)
    project = load_project(args.dir or _default_dir())
    stacks = project.stacks() if args.all_stacks else [args.stack]
    if not stacks:
        raise InputError(f"--all-stacks: no Pulumi.<stack>.yaml in {project.stack_config_dir}")
    results = [(stack, *_preview_one(project, stack, args)) for stack in stacks]
    worst = max(code for _, code, _, _ in results)
    _write_reports(args, project, [r for _, _, r, _ in results if r is not None])
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


def _read_inventory(path: Path) -> dict:
    """The Inventory file, refused (InputError, exit 2) unless it is strict JSON that matches
    docs/inventory.schema.json; the message names the file and the line or JSON pointer."""
    from medinfra.policies.gate import checkov_selection_problems
    from medinfra.policies.inventory_schema import inventory_problems
    from medinfra.project import InputError

    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_INVENTORY_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the Inventory: {exc.strerror}") from None
    if len(data) > MAX_INVENTORY_BYTES:
        raise InputError(f"{path}: larger than {MAX_INVENTORY_BYTES} bytes")

    def no_duplicates(pairs: list) -> dict:
        found: dict = {}
        for key, value in pairs:
            if key in found:
                raise ValueError(f"duplicate key {key[:60]!r}")
            found[key] = value
        return found

    def no_constant(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    try:
        text = data.decode("utf-8")
        inventory = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constant)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}, line {line}: not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}, line {exc.lineno}: not JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to be an Inventory") from None
    except ValueError as exc:
        raise InputError(f"{path}: not an Inventory: {str(exc)[:120]}") from None
    problems = inventory_problems(inventory, limit=3)
    if problems:
        raise InputError(
            f"{path}: does not match docs/inventory.schema.json: " + "; ".join(problems)
        )
    refused = checkov_selection_problems(inventory.get("config"))
    if refused:
        raise InputError(f"{path}: " + "; ".join(refused))
    return inventory


def _gate(args: argparse.Namespace) -> int:
    from medinfra.render import gate_report, gate_text

    inventory = _read_inventory(args.inventory_file)
    result = run_gate(inventory, args)
    findings = [f.to_dict() for f in result.findings]
    judged = gate_report(inventory, result.decision, findings, result.timings)
    _write_reports(args, None, [judged], artifact=args.inventory_file)
    if result.exit_code == EXIT_GATE:
        reasons = "; ".join(f["message"] for f in findings if f["id"].startswith("MED-GATE-"))
        print(
            f"medinfra: the gate could not run (blocked, fail closed): {reasons}", file=sys.stderr
        )
    if args.format == "json":
        print(json.dumps(judged, indent=2))
    else:
        print(gate_text(inventory, result.decision, findings, result.timings))
    return result.exit_code


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "policies":
        return _policies(args)
    if args.command == "config-schema":
        return _config_schema(args)
    if args.command == "inventory-schema":
        return _inventory_schema(args)
    if args.command == "gate":
        return _gate(args)
    if args.command in evidence_cli.COMMANDS:
        return evidence_cli.run(args)
    if args.command in ("audit", "preflight"):
        from medinfra.audit.command import run as run_live

        return run_live(args)
    return _preview(args)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `medinfra` console script. Never shows a Python traceback: an
    unexpected error is one line naming it and where, the traceback goes to a log file."""
    args = _parser().parse_args(argv)
    try:
        from medinfra.evidence.files import EvidenceError
        from medinfra.planner import PlanError
        from medinfra.project import InputError
    except Exception as exc:  # noqa: BLE001
        log = log_traceback(exc, "error")
        print(
            f"medinfra: cannot start: {_last_line(exc)} (at {_where(exc)}; full traceback: {log})",
            file=sys.stderr,
        )
        return EXIT_GATE
    try:
        return _dispatch(args)
    except (InputError, EvidenceError) as exc:
        print(f"medinfra: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except PlanError as exc:
        print(f"medinfra: the gate could not run (blocked, fail closed): {exc}", file=sys.stderr)
        return EXIT_GATE
    except KeyboardInterrupt:
        print("medinfra: interrupted; nothing was allowed (exit 3)", file=sys.stderr)
        return EXIT_GATE
    except Exception as exc:  # noqa: BLE001 - fail closed, one line, traceback to a file
        log = log_traceback(exc, "error")
        print(
            f"medinfra: internal error, the gate could not run (blocked, fail closed): "
            f"{_last_line(exc)} (at {_where(exc)}; full traceback: {log})",
            file=sys.stderr,
        )
        return EXIT_GATE


if __name__ == "__main__":
    sys.exit(main())
