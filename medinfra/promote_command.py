"""`medinfra promote`: one model promotion step, written into the stack file in place.

The file is rewritten only when the step is allowed *and* the whole stack config still
validates afterwards; then atomically (a temporary file in the same directory, renamed over
it, keeping the file's mode), so an error never loses or half-writes the user's file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from medinfra.exit_codes import EXIT_ALLOW, EXIT_INPUT
from medinfra.project import InputError, load_project
from medinfra.promote import ACTIONS, PromotionError, Step, apply


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The `promote` subcommand."""
    p = commands.add_parser(
        "promote",
        help="move a model version through candidate -> canary -> prod, or roll back",
        description="Edit the stack file in place (comments, order and quoting kept): add a "
        "candidate version; move it to canary with a traffic share (Knative mode only); "
        "promote it to prod with an approval bound to its sha256 and image digest; roll back "
        "to the previous approved prod version. Refused steps exit 2 and leave the file as is.")
    p.add_argument("action", choices=ACTIONS)
    p.add_argument("--stack", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--dir", type=Path, default=None, help="Pulumi project directory")
    p.add_argument("--version", dest="model_version")
    p.add_argument("--storage-uri")
    p.add_argument("--sha256")
    p.add_argument("--image-digest")
    p.add_argument("--percent", type=int, help="canary traffic share, 0-100")
    p.add_argument("--ticket")
    p.add_argument("--approved-by")
    p.add_argument("--approved-on", help="approval date YYYY-MM-DD (default: --today)")
    p.add_argument("--expires", help="last day the approval holds, YYYY-MM-DD")
    p.add_argument("--today", help="the day the step is judged and logged (default: today, UTC)")


def _date(flag: str, text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise InputError(f"{flag}: got {text!r}; expected a date YYYY-MM-DD")


def _validate(path: Path, text: str, stack: str) -> None:
    """The edited file must load as a stack file and validate as a platform config."""
    from medinfra.components.config import load_platform_config
    from medinfra.components.config.problems import ConfigError
    from medinfra.policies.strict_yaml import StrictYamlError, loads

    try:
        data = loads(text, str(path))
    except StrictYamlError as exc:
        raise InputError(f"the promoted file would not load: {exc}") from None
    raw = {k.split(":", 1)[1]: v for k, v in (data.get("config") or {}).items()
           if isinstance(k, str) and k.startswith("medinfra:")}
    import json

    values = {k: v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}
    try:
        load_platform_config(values)
    except ConfigError as exc:
        raise InputError(f"{path} was left unchanged: after this step {exc}") from None


def _write(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def promote(args: argparse.Namespace) -> int:
    """Run one step; 0 when the file was rewritten, 2 (with the key) when the step is refused."""
    from medinfra.preview_command import default_dir

    project = load_project(args.dir or default_dir())
    path = project.stack_file(args.stack)
    if not path.is_file():
        raise InputError(f"--stack {args.stack}: no stack file {path}")
    for flag, value in (("--approved-on", args.approved_on), ("--expires", args.expires)):
        _date(flag, value)
    today = _date("--today", args.today) or dt.datetime.now(dt.UTC).date()
    step = Step(action=args.action, model=args.model, version=args.model_version,
                storage_uri=args.storage_uri, sha256=args.sha256,
                image_digest=args.image_digest, percent=args.percent, ticket=args.ticket,
                approved_by=args.approved_by, approved_on=args.approved_on,
                expires=args.expires, today=today)
    text = path.read_text(encoding="utf-8")
    try:
        new_text, record = apply(text, step)
    except PromotionError as exc:
        print(f"medinfra: error: {path.name}: {exc}", file=sys.stderr)
        return EXIT_INPUT
    _validate(path, new_text, args.stack)
    _write(path, new_text)
    print(f"{path.name}: {args.model} {record['action']} {record['version']} "
          f"(sha256 {record['sha256'][:12]}..., image {record['imageDigest'][:19]}...)")
    return EXIT_ALLOW
