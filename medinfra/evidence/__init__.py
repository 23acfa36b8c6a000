"""Audit-ready evidence of gated runs: a hashed (optionally signed) bundle per run
(`bundle.write_bundle`), its verification (`verify`), OSCAL assessment results (`oscal`) and an
HTML report for compliance officers (`report`). Imported lazily: `medinfra` commands that
write no evidence never load the SBOM or signing libraries."""
