"""Checkov, the gate's second engine (DESIGN.md "The gate").

The Inventory is converted into what Checkov reads (`tfplan` for aws/gcp, `arm` for
azure-native, `k8s` for kubernetes and the pods an InferenceService becomes), Checkov runs on
those files (`runner`) in its own environment's long-lived worker (`worker`, reached through
`client` / `workers`: docs/checkov-worker.md), and each failed check becomes a finding on the
Pulumi URN it came from (`controls` decides which checks are mandatory and which controls
they serve). MedInfra's own environment never imports Checkov.
"""
