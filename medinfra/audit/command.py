"""`medinfra audit` and `medinfra preflight`: argument parsing and the run, for medinfra.cli."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from medinfra.audit.base import EXIT_INCOMPLETE, EXIT_INPUT, AuditError
from medinfra.project import InputError

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--stack", required=True, help="stack name")
    parser.add_argument("--dir", type=Path, default=None,
                        help="Pulumi project directory (default: as for preview)")
    parser.add_argument("--plan", type=Path, metavar="FILE",
                        help="the stack's planned Inventory (`medinfra preview --inventory "
                        "FILE`); default: plan the stack now, offline")
    parser.add_argument("--region", help="AWS region (default: the stack's medinfra:region)")
    parser.add_argument("--endpoint-url", metavar="URL",
                        help="send every AWS call to this endpoint (an emulator, a VPC endpoint)")
    parser.add_argument("--max-attempts", type=int, default=5, metavar="N",
                        help="attempts per API call on throttling or 5xx, with backoff "
                        "(default 5)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="output format on stdout (default: text)")


def add_parsers(commands: Any) -> None:
    """Add the `audit` and `preflight` subcommands to medinfra's parser."""
    audit = commands.add_parser(
        "audit",
        help="judge the deployed stack (AWS) with the same gate, and report drift from its plan",
        description="Read the stack's deployed resources (read-only), build an Inventory of the "
        "planned shape, run the gate on it and compare it with the plan. Exit codes: 0 "
        "compliant and no drift, 1 live policy violation, 2 invalid input, 3 the audit could "
        "not complete, 4 drift without a violation.",
    )
    _common(audit)
    audit.add_argument("--sarif", type=Path, metavar="FILE",
                       help="also write the live findings as SARIF 2.1.0")
    audit.add_argument("--inventory", type=Path, metavar="FILE",
                       help="also write the live Inventory JSON to FILE")
    audit.add_argument("--gate-timeout", type=float, default=30.0, metavar="SECONDS",
                       help="give up evaluating rules after this long (exit 3; default 30)")
    audit.add_argument("--policy-pack-config", type=Path, metavar="FILE",
                       help="the organisation's policy-pack config (JSON), as for `medinfra "
                       "preview`: the live stack is judged with the same settings and levels")
    preflight = commands.add_parser(
        "preflight",
        help="check GPU capacity before deploying (AWS): offerings per zone, vCPU quotas",
        description="For every GPU pool: the instance type is offered in every zone of its "
        "subnets and the account's vCPU quota for its family covers maxSize x vCPUs across "
        "pools; the region is allowed and offers the services the stack needs. Exit codes: 0 "
        "every check passed, 1 a check failed, 2 invalid input, 3 could not check.",
    )
    _common(preflight)


def _planned(args: argparse.Namespace) -> dict:
    if args.plan is not None:
        try:
            document = json.loads(args.plan.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"--plan {args.plan}: cannot read it ({exc.strerror})") from None
        except ValueError as exc:
            raise InputError(f"--plan {args.plan}: not JSON ({exc})") from None
        if not isinstance(document, dict) or not isinstance(document.get("resources"), list):
            raise InputError(f"--plan {args.plan}: not an Inventory (expected an object with a "
                             "'resources' list, as `medinfra preview --inventory` writes)")
        if document.get("stack") != args.stack:
            raise InputError(f"--plan {args.plan}: holds stack {document.get('stack')!r}, "
                             f"not --stack {args.stack!r}")
        return document
    from medinfra.planner import PlanError, plan
    from medinfra.preview_command import default_dir as _default_dir
    from medinfra.project import load_project, load_stack_config

    project = load_project(args.dir or _default_dir())
    config = load_stack_config(project, args.stack)
    try:
        return plan(project, config).inventory
    except PlanError as exc:
        raise AuditError("plan", f"the stack could not be planned: {exc}") from None


def _setup(args: argparse.Namespace):
    from medinfra.audit.aws_client import AwsClients

    if args.max_attempts < 1 or args.max_attempts > 20:
        raise InputError(f"--max-attempts {args.max_attempts}: must be between 1 and 20")
    if args.endpoint_url is not None and not _URL.match(args.endpoint_url):
        raise InputError(f"--endpoint-url {args.endpoint_url!r}: expected an http(s) URL, "
                         "e.g. http://127.0.0.1:5000")
    planned = _planned(args)
    config = planned.get("config") or {}
    cloud = config.get("cloud", "aws")
    if cloud != "aws":
        raise InputError(f"medinfra:cloud: got {cloud!r}; {args.command} reads 'aws' stacks "
                         "only (Azure and GCP readers are not built yet)")
    region = args.region or config.get("region")
    if not isinstance(region, str) or not _REGION.match(region):
        raise InputError(f"--region {region!r}: expected an AWS region such as us-east-1")
    return planned, region, AwsClients(region, args.endpoint_url, args.max_attempts)


def run(args: argparse.Namespace) -> int:
    """Run `audit` or `preflight`; InputError propagates to medinfra.cli (exit 2)."""
    try:
        if args.command == "audit" and args.gate_timeout <= 0:
            raise InputError(f"--gate-timeout {args.gate_timeout:g}: must be a positive "
                             "number of seconds")
        if args.command == "audit":
            from medinfra import pack_config_cli

            # Checked before anything is read or planned: exit 2 naming the key.
            args.pack_config_document = pack_config_cli.read(args.policy_pack_config)
        planned, region, clients = _setup(args)
        if args.command == "preflight":
            return _preflight(args, planned, region, clients)
        return _audit(args, planned, clients)
    except AuditError as exc:
        print(f"medinfra: {args.command} could not complete (fail closed): {exc}",
              file=sys.stderr)
        return EXIT_INCOMPLETE


def _preflight(args, planned, region, clients) -> int:
    from medinfra.preflight import preflight, table

    checks = preflight(planned, region, clients)
    code = 0 if all(c.passed for c in checks) else 1
    if args.format == "json":
        print(json.dumps({"stack": args.stack, "region": region, "exit_code": code,
                          "checks": [c.to_dict() for c in checks]}, indent=2))
    else:
        print(table(checks))
        print(f"\nPreflight {'passed' if code == 0 else 'FAILED'} (exit {code})")
    return code


def _audit(args, planned, clients) -> int:
    from medinfra.audit import audit
    from medinfra.audit.aws import AwsReader
    from medinfra.policies.engines import EngineError, engine_from_environment
    from medinfra.policies.gate import GateOptions
    from medinfra.report_files import write_json as _write_json

    try:
        engine = engine_from_environment(None)
    except EngineError as exc:
        raise InputError(f"OPA_URL: {exc}") from None
    from medinfra import pack_config_cli

    configured = pack_config_cli.reconciled(args.pack_config_document)
    result = audit(planned, AwsReader(clients), GateOptions(
        engine=engine, timeout_s=args.gate_timeout, pack_config=configured))
    report = result.report()
    if args.inventory:
        _write_json(args.inventory, result.live.inventory)
    if args.sarif:
        from medinfra.policies.reports import sarif

        _write_json(args.sarif, sarif([report], {args.stack: f"Pulumi.{args.stack}.yaml"}))
    if result.gate_failed:
        reasons = "; ".join(f["message"] for f in result.findings
                            if f["id"].startswith("MED-GATE-"))
        print(f"medinfra: the gate could not run (blocked, fail closed): {reasons}",
              file=sys.stderr)
    print(json.dumps(report, indent=2) if args.format == "json" else result.text())
    return result.exit_code


__all__ = ["EXIT_INPUT", "add_parsers", "run"]
