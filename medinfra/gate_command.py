"""`medinfra gate INVENTORY.json`: gate an Inventory made elsewhere (a preview, the analyzer,
a live audit); refused with exit 2 unless it matches docs/inventory.schema.json."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from medinfra.exit_codes import EXIT_GATE
from medinfra.preview_command import run_gate, write_reports

#: The largest Inventory file `medinfra gate` reads.
MAX_INVENTORY_BYTES = 256 * 1024 * 1024

def _read_inventory(path: Path) -> dict:
    """The Inventory file, refused (InputError, exit 2) unless it is strict JSON that matches
    docs/inventory.schema.json; the message names the file and the line or JSON pointer."""
    from medinfra.policies.gate import checkov_selection_problems
    from medinfra.policies.inventory_schema import inventory_problems
    from medinfra.policies.pack_config import _no_constant, _strict_object
    from medinfra.project import InputError

    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_INVENTORY_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the Inventory: {exc.strerror}") from None
    if len(data) > MAX_INVENTORY_BYTES:
        raise InputError(f"{path}: larger than {MAX_INVENTORY_BYTES} bytes")

    try:
        text = data.decode("utf-8")
        inventory = json.loads(text, object_pairs_hook=_strict_object, parse_constant=_no_constant)
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


def gate(args: argparse.Namespace) -> int:
    from medinfra import pack_config_cli
    from medinfra.render import gate_report, gate_text

    args.pack_config_document = pack_config_cli.read(args.policy_pack_config)
    inventory = _read_inventory(args.inventory_file)
    result = run_gate(inventory, args)
    findings = [f.to_dict() for f in result.findings]
    judged = gate_report(inventory, result.decision, findings, result.timings)
    write_reports(args, None, [judged], artifact=args.inventory_file)
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
