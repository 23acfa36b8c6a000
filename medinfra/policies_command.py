"""`medinfra policies list|docs|manifest|verify`, `inventory-schema` and `config-schema`."""

from __future__ import annotations

import argparse
import json
import sys

from medinfra import SOURCE_ROOT
from medinfra.exit_codes import EXIT_ALLOW, EXIT_BLOCK
from medinfra.report_files import write_json


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


def policies(args: argparse.Namespace) -> int:
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


def inventory_schema(args: argparse.Namespace) -> int:
    from medinfra.policies.inventory_schema import INVENTORY_SCHEMA

    if args.out:
        write_json(args.out, INVENTORY_SCHEMA)
        args.out.chmod(0o644)  # a published document, not a report
    else:
        print(json.dumps(INVENTORY_SCHEMA, indent=2))
    return EXIT_ALLOW


def config_schema(args: argparse.Namespace) -> int:
    from medinfra.components.config import json_schema

    document = json_schema()
    if args.out:
        write_json(args.out, document)
    else:
        print(json.dumps(document, indent=2))
    return EXIT_ALLOW
