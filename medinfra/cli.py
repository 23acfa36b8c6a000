"""The `medinfra` command.

Exit codes (DESIGN.md): 0 allowed, 1 blocked by policy, 2 invalid input or configuration,
3 the gate could not run (fail closed).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from medinfra import policies_command
from medinfra.errors_log import last_line, log_traceback, where
from medinfra.evidence import cli as evidence_cli
from medinfra.exit_codes import EXIT_GATE, EXIT_INPUT
from medinfra.gate_command import gate as _gate
from medinfra.preview_command import preview

#: The longest --timeout / --gate-timeout accepted (a day): beyond it is a typo, and threads'
#: join() overflows on values like 1e300.
MAX_SECONDS = 86400.0


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
    from medinfra.promote_command import add_parser as add_promote_parser

    add_promote_parser(commands)
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
        "--policy-pack-config",
        type=Path,
        metavar="FILE",
        help="the organisation's policy-pack config (JSON), as `pulumi preview --policy-pack "
        "policies --policy-pack-config FILE` reads it: per-policy enforcement levels and the "
        "medinfra-settings policy's settings; medinfra: stack keys narrow it (README)",
    )
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


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "policies":
        return policies_command.policies(args)
    if args.command == "config-schema":
        return policies_command.config_schema(args)
    if args.command == "inventory-schema":
        return policies_command.inventory_schema(args)
    if args.command == "gate":
        return _gate(args)
    if args.command == "promote":
        from medinfra.promote_command import promote

        return promote(args)
    if args.command in evidence_cli.COMMANDS:
        return evidence_cli.run(args)
    if args.command in ("audit", "preflight"):
        from medinfra.audit.command import run as run_live

        return run_live(args)
    return preview(args)


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
            f"medinfra: cannot start: {last_line(exc)} (at {where(exc)}; full traceback: {log})",
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
            f"{last_line(exc)} (at {where(exc)}; full traceback: {log})",
            file=sys.stderr,
        )
        return EXIT_GATE


if __name__ == "__main__":
    sys.exit(main())
