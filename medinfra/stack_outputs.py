"""`medinfra preview --stack-outputs NAME=FILE`: the outputs of a stack the program references.

In a real `pulumi preview` the engine answers a `pulumi.StackReference` by reading the
referenced stack's outputs from the backend (the builtin provider's Read, which runs during
previews too); secret outputs stay secret and are listed in `secretOutputNames`. Offline there is
no backend, so the user hands those outputs in, in one of the two forms the Pulumi CLI prints:

* `pulumi stack output --json` (a JSON object of outputs). Secret outputs print as "[secret]";
  the program receives them as secret values holding that placeholder, as it receives
  `secure:` config offline. (`--show-secrets` prints them in plaintext and nothing in the file
  says which were secret: use the export form then.)
* `pulumi stack export [--show-secrets]`: the outputs of its root `pulumi:pulumi:Stack`
  resource; values carrying Pulumi's secret signature stay secret (plaintext if shown,
  "[secret]" if encrypted).

A referenced stack with no file has unknown outputs: every value read from it is unknown at
preview and judged as the gate judges unknowns (fail closed where a rule needs it).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pulumi.runtime import rpc

from medinfra.components.config.constants import SECRET_MARK
from medinfra.json_files import read_json
from medinfra.project import InputError

FLAG = "--stack-outputs"
#: Pulumi's wire signature of a secret value (pulumi.runtime.rpc), also used in stack exports.
SIG_KEY = rpc._special_sig_key
SECRET_SIG = rpc._special_secret_sig


def _secret(value: Any) -> dict[str, Any]:
    return {SIG_KEY: SECRET_SIG, "value": value}


def _from_export_value(value: Any) -> Any:
    """A value of a stack export with its secrets in wire form (plaintext kept, else a mark)."""
    if isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG:
        if "plaintext" in value:
            try:
                return _secret(json.loads(value["plaintext"]))
            except (TypeError, ValueError):
                return _secret(value["plaintext"])
        return _secret(SECRET_MARK)
    if isinstance(value, dict):
        return {k: _from_export_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_export_value(v) for v in value]
    return value


def _from_output_value(value: Any) -> Any:
    """A value of `pulumi stack output --json`: "[secret]" is where a secret was."""
    if value == SECRET_MARK:
        return _secret(SECRET_MARK)
    if isinstance(value, dict):
        return {k: _from_output_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_output_value(v) for v in value]
    return value


def _export_outputs(document: dict, where: str) -> dict[str, Any]:
    resources = (document.get("deployment") or {}).get("resources")
    if not isinstance(resources, list):
        raise InputError(f"{where}: a stack export needs deployment.resources (a list)")
    roots = [r for r in resources if isinstance(r, dict) and r.get("type") == "pulumi:pulumi:Stack"]
    if len(roots) != 1:
        raise InputError(
            f"{where}: expected one pulumi:pulumi:Stack resource in the export, found {len(roots)}"
        )
    outputs = roots[0].get("outputs", {})
    if not isinstance(outputs, dict):
        raise InputError(f"{where}: the stack resource's outputs are not an object")
    return {k: _from_export_value(v) for k, v in outputs.items()}


def load_outputs(path: Path, where: str) -> dict[str, Any]:
    """The outputs in `path` (either CLI form), secret ones in Pulumi's wire form."""
    document = read_json(path, where, InputError)
    if not isinstance(document, dict):
        raise InputError(
            f"{where}: got {type(document).__name__}; expected the JSON object that "
            "`pulumi stack output --json` prints, or a `pulumi stack export` file"
        )
    if "deployment" in document and "version" in document:
        return _export_outputs(document, where)
    return {k: _from_output_value(v) for k, v in document.items()}


def parse(values: list[str] | None) -> dict[str, dict[str, Any]]:
    """NAME=FILE items -> {stack reference name: its outputs}; exit 2 on a bad item."""
    stacks: dict[str, dict[str, Any]] = {}
    for item in values or []:
        name, eq, file = item.partition("=")
        name = name.strip()
        if not eq or not name or not file:
            raise InputError(
                f"{FLAG} {item!r}: expected NAME=FILE, e.g. "
                f"{FLAG} org/platform/prod=platform-outputs.json (NAME as the program passes it "
                "to pulumi.StackReference)"
            )
        if name in stacks:
            raise InputError(f"{FLAG} {name}: given twice")
        stacks[name] = load_outputs(Path(file), f"{FLAG} {name}={file}")
    return stacks
