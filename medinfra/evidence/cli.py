"""The evidence parts of the `medinfra` command: flags for gated runs (`--evidence`, `--oscal`,
`--signing-key`), `medinfra evidence verify|oscal` and `medinfra report`.

Any entry point that gates an Inventory calls `record_run` after the gate and `finish_run` once
at the end; medinfra/cli.py wires them into `preview`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from medinfra.evidence.files import EvidenceError, private_dir, render_json, write_private
from medinfra.evidence.pack import EVIDENCE_ENV

__all__ = ["COMMANDS", "EVIDENCE_ENV", "add_commands", "add_run_flags", "finish_run", "record_run"]
COMMANDS = ("evidence", "report")


def add_run_flags(parser: argparse.ArgumentParser) -> None:
    """--evidence / --oscal / --signing-key on a command that gates (preview, gate)."""
    parser.add_argument(
        "--evidence",
        type=Path,
        metavar="DIR",
        help="write an evidence bundle of the run to DIR (with --all-stacks: DIR/<stack>/); "
        "check it later with `medinfra evidence verify DIR`",
    )
    parser.add_argument(
        "--oscal",
        type=Path,
        metavar="FILE",
        help="also write OSCAL 1.1.3 Assessment Results (JSON) of the run to FILE",
    )
    parser.add_argument(
        "--signing-key",
        type=Path,
        metavar="PEM",
        help="sign each bundle's manifest with this Ed25519 private key "
        "(default: $MEDINFRA_EVIDENCE_SIGNING_KEY, else unsigned)",
    )


def add_commands(commands) -> None:
    """`medinfra evidence verify|oscal` and `medinfra report`."""
    evidence = commands.add_parser("evidence", help="check or convert evidence bundles")
    what = evidence.add_subparsers(dest="evidence_command", required=True, metavar="ACTION")
    verify = what.add_parser(
        "verify",
        help="re-hash a bundle, check its signature, and re-run the gate on its Inventory "
        "(exit 0 verified, 1 tampered or changed, 2 bad input)",
    )
    verify.add_argument("dir", type=Path, metavar="DIR", help="a bundle, or a directory of them")
    verify.add_argument("--public-key", type=Path, metavar="PEM", help="Ed25519 public key")
    oscal = what.add_parser("oscal", help="OSCAL Assessment Results from bundles")
    oscal.add_argument("dir", type=Path, metavar="DIR", help="a bundle, or a directory of them")
    oscal.add_argument("--out", type=Path, metavar="FILE", required=True)
    report = commands.add_parser(
        "report", help="one self-contained HTML page for compliance officers, from evidence"
    )
    report.add_argument(
        "--evidence", type=Path, metavar="DIR", required=True,
        help="a bundle, or a directory of bundles (medinfra preview --evidence)",
    )
    report.add_argument("--out", type=Path, metavar="FILE", required=True)


def check_run_flags(args: argparse.Namespace) -> None:
    """Refuse bad --evidence / --oscal / --signing-key before anything is planned."""
    from medinfra.evidence.signing import signing_key

    args.evidence_runs = []
    args.evidence_provenance = None
    args.evidence_key = signing_key(args.signing_key)
    if args.evidence is not None:
        if args.evidence.exists() and not args.evidence.is_dir():
            raise EvidenceError(f"--evidence {args.evidence}: exists and is not a directory")
        if not args.evidence.parent.is_dir():
            raise EvidenceError(
                f"--evidence {args.evidence}: directory {args.evidence.parent} does not exist"
            )
    if args.oscal is not None and not args.oscal.parent.is_dir():
        raise EvidenceError(f"--oscal {args.oscal}: directory {args.oscal.parent} does not exist")


def record_run(
    args: argparse.Namespace,
    inventory: dict[str, Any],
    gate: Any,
    *,
    project_dir: Path | None,
    config: dict[str, Any] | None = None,
    secret_keys: frozenset[str] = frozenset(),
    entry_point: str = "medinfra preview",
    many: bool = False,
    pack_config: dict[str, Any] | None = None,
) -> None:
    """After the gate: collect the run's evidence; write its bundle if --evidence was given.
    `pack_config`: the reconciled policy-pack config the gate judged with (GateOptions)."""
    if args.evidence is None and args.oscal is None:
        return
    from medinfra.evidence import parts
    from medinfra.evidence.bundle import RunContext, collect, write_documents

    finished = dt.datetime.now(dt.UTC).replace(microsecond=0)
    spent = float(gate.timings.get("gate_s", 0)) + float(gate.timings.get("plan_wall_s", 0))
    if args.evidence_provenance is None:  # once, before any of this run's outputs exist
        args.evidence_provenance = parts.provenance(project_dir, finished)
    context = RunContext(
        entry_point=entry_point,
        config=config,
        secret_keys=secret_keys,
        project_dir=project_dir,
        started_at=finished - dt.timedelta(seconds=round(spent)),
        finished_at=finished,
        provenance=args.evidence_provenance,
        pack_config=pack_config,
    )
    documents = collect(inventory, gate, context)
    if args.evidence is not None:
        target = args.evidence
        if many:
            private_dir(args.evidence)
            target = args.evidence / str(inventory.get("stack") or "stack")
        write_documents(target, documents, args.evidence_key)
    args.evidence_runs.append(documents)


def finish_run(args: argparse.Namespace) -> None:
    """After every stack: the OSCAL document of the whole run."""
    if getattr(args, "oscal", None) is not None and args.evidence_runs:
        from medinfra.evidence.oscal import document

        write_private(args.oscal, render_json(document(args.evidence_runs)))


def load_bundle(directory: Path) -> dict[str, Any]:
    """A bundle's documents, after its digests are checked (EvidenceError if it was altered)."""
    from medinfra.evidence.bundle import BUNDLE_FILES, OPTIONAL_FILES
    from medinfra.evidence.verify import check_files

    verdict = check_files(directory)
    if not verdict.ok:
        name, problem = verdict.problems[0]
        raise TamperedError(f"{directory / name}: {problem}")
    try:
        present = [n for n in OPTIONAL_FILES if (directory / n).is_file()]
        documents = {n: json.loads((directory / n).read_text(encoding="utf-8"))
                     for n in (*BUNDLE_FILES, *present)}
        documents["manifest"] = json.loads((directory / "manifest.json").read_text("utf-8"))
    except ValueError as exc:
        raise TamperedError(f"{directory / 'manifest.json'}: lists files that are not JSON "
                            f"({exc})") from None
    return documents


class TamperedError(Exception):
    """A bundle does not verify (exit code 1)."""


def run(args: argparse.Namespace) -> int:
    """`medinfra evidence ...` / `medinfra report`: 0 done/verified, 1 tampered, 2 bad input."""
    from medinfra.evidence.verify import bundles_in, verify

    try:
        if args.command == "report":
            from medinfra.evidence.report import render

            bundles = [load_bundle(d) for d in bundles_in(args.evidence)]
            _check_out(args.out)
            try:
                page = render(bundles)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise TamperedError(f"{args.evidence}: not valid evidence ({exc!r})") from None
            write_private(args.out, page.encode())
            print(f"medinfra: report of {len(bundles)} bundle(s) written to {args.out}")
            return 0
        if args.evidence_command == "oscal":
            from medinfra.evidence.oscal import document

            bundles = [load_bundle(d) for d in bundles_in(args.dir)]
            _check_out(args.out)
            try:
                results = document(bundles)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise TamperedError(f"{args.dir}: not valid evidence ({exc!r})") from None
            write_private(args.out, render_json(results))
            print(f"medinfra: OSCAL assessment results of {len(bundles)} run(s) in {args.out}")
            return 0
        from medinfra.evidence.signing import public_key

        key = public_key(args.public_key) if args.public_key else None
        worst = 0
        for directory in bundles_in(args.dir):
            verdict = verify(directory, key)
            for name, problem in verdict.problems:
                print(f"medinfra: TAMPERED {directory / name}: {problem}", file=sys.stderr)
            if verdict.ok:
                print(f"medinfra: verified {directory}: " + "; ".join(verdict.notes))
            else:
                worst = 1
        return worst
    except TamperedError as exc:
        print(f"medinfra: TAMPERED {exc}", file=sys.stderr)
        return 1


def _check_out(path: Path) -> None:
    if not path.parent.is_dir():
        raise EvidenceError(f"--out {path}: directory {path.parent} does not exist")
