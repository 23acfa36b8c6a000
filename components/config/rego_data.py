"""The constants the gate's Rego reads, generated into `policies/rego/lib/constants.rego`.

Rego cannot import Python, so the values are written out as a library module of package
`medinfra.lib`; a test fails when the committed file differs from what this generates.
Regenerate with:
    python -m medinfra.components.config.rego_data --out policies/rego/lib/constants.rego
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from medinfra.components.config import constants

#: Rego name -> value, as the rules read them (data.medinfra.lib.<name>).
REGO_CONSTANTS = {
    "phi_classification": constants.PHI,
    "default_classification": constants.DEFAULT_CLASSIFICATION,
    "min_log_retention_days": constants.MIN_LOG_RETENTION_DAYS,
    "model_sha_annotation": constants.MODEL_SHA_ANNOTATION,
    "model_version_annotation": constants.MODEL_VERSION_ANNOTATION,
    "model_digest_annotation": constants.MODEL_DIGEST_ANNOTATION,
    "deployment_mode_annotation": constants.DEPLOYMENT_MODE_ANNOTATION,
    "gpu_resource": constants.GPU_RESOURCE,
}

def rego_module() -> str:
    """The text of `policies/rego/lib/constants.rego`."""
    lines = [
        "# Generated from components/config/constants.py; do not edit. Regenerate with:",
        "#   python -m medinfra.components.config.rego_data --out policies/rego/lib/constants.rego",
        "package medinfra.lib",
        "",
        "import rego.v1",
        "",
    ]
    lines += [f"{name} := {json.dumps(value)}" for name, value in REGO_CONSTANTS.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args(argv)
    if args.out is None:
        sys.stdout.write(rego_module())
    else:
        args.out.write_text(rego_module(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
