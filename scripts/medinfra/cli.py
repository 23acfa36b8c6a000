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

from scripts.medinfra.planner import PlanError, plan
from scripts.medinfra.project import InputError, load_project, load_stack_config
from scripts.medinfra.render import report, text

EXIT_ALLOW, EXIT_BLOCK, EXIT_INPUT, EXIT_GATE = 0, 1, 2, 3
_REPO_ROOT = Path(__file__).resolve().parents[2]


def _default_dir() -> Path:
    """The project to plan when --dir is not given: the current directory if it is a Pulumi
    project, else the MedInfra repository this command was installed from."""
    cwd = Path.cwd()
    return cwd if (cwd / "Pulumi.yaml").is_file() else _REPO_ROOT


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
    preview.add_argument("--stack", required=True, help="stack name (stacks/Pulumi.<stack>.yaml)")
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
        "--timeout",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="give up planning after this long (exit 3; default 600)",
    )
    return parser


def _write_json(path: Path, document: dict) -> None:
    """Write atomically: a reader never sees half an inventory."""
    if not path.parent.is_dir():
        raise InputError(f"--inventory {path}: directory {path.parent} does not exist")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh, indent=2)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _preview(args: argparse.Namespace) -> int:
    if args.timeout <= 0:
        raise InputError(f"--timeout {args.timeout:g}: must be a positive number of seconds")
    project = load_project(args.dir or _default_dir())
    config = load_stack_config(project, args.stack)
    result = plan(project, config, timeout=args.timeout)
    decision, findings = "allow", []
    if args.inventory:
        _write_json(args.inventory, result.inventory)
    if args.format == "json":
        print(json.dumps(report(result, decision, findings), indent=2))
    else:
        print(text(result, decision, findings))
    return EXIT_ALLOW if decision == "allow" else EXIT_BLOCK


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `medinfra` console script."""
    args = _parser().parse_args(argv)
    try:
        return _preview(args)
    except InputError as exc:
        print(f"medinfra: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except PlanError as exc:
        print(f"medinfra: the gate could not run (blocked, fail closed): {exc}", file=sys.stderr)
        return EXIT_GATE


if __name__ == "__main__":
    sys.exit(main())
