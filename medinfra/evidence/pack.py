"""Evidence from the policy pack under the real Pulumi CLI: when $MEDINFRA_EVIDENCE_DIR names a
directory, each new gate result is written there as a bundle (`pulumi preview --policy-pack
policies` has no flag of ours to carry it). `medinfra preview` removes the variable from the
pack's environment and writes its own bundle."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

EVIDENCE_ENV = "MEDINFRA_EVIDENCE_DIR"


def write_pack_evidence(inventory: dict[str, Any], result: Any, options: Any) -> None:
    """Write the bundle if asked. Requested evidence that cannot be written blocks (fail
    closed): a MED-GATE-EVIDENCE finding is added to `result`."""
    directory = os.environ.get(EVIDENCE_ENV)
    if not directory:
        return
    from medinfra.evidence.bundle import RunContext, write_bundle
    from medinfra.evidence.files import EvidenceError
    from medinfra.evidence.signing import signing_key
    from medinfra.policies.findings import gate_error

    try:
        context = RunContext(
            entry_point="policy pack",
            rules_dir=options.rules_dir,
            waivers_file=options.waivers_file,
            gate_date=options.today,
            project_dir=Path.cwd(),
            pack_config=options.pack_config,
        )
        write_bundle(Path(directory), inventory, result, context, signing_key(None))
    except (EvidenceError, OSError) as exc:
        result.findings.append(
            gate_error(
                "EVIDENCE",
                f"the evidence bundle requested by {EVIDENCE_ENV} was not written: {exc}",
                f"Point {EVIDENCE_ENV} at a writable, empty or evidence-only directory.",
            )
        )
        result.decision = "block"
