"""`HealthAudit`: a CloudTrail Lake event data store recording every read and write of the
stack's DICOM and FHIR stores (CloudTrail data events), encrypted with the logs key."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from medinfra.components import PACKAGE
from medinfra.components.validation import raise_if_invalid

#: CloudTrail's data-event resource type of each store kind.
#:
#: KNOWN GAP (fhir), to fix together with MED-LOG-002 (store_access_logged.rego), its fixtures
#: and examples/noncompliant-aws: CloudTrail's table of data-event `resources.type` values
#: (AWS CloudTrail User Guide, "Understanding CloudTrail events", Data events) lists
#: `AWS::MedicalImaging::Datastore` and `AWS::MedicalImaging::Imageset` for HealthImaging but
#: no HealthLake type; HealthLake appears only among network-activity event sources.
#: `AWS::HealthLake::FHIRDatastore` is a CloudFormation/Config type, not a data-event type, so
#: CloudTrail refuses this selector. HealthLake records its FHIR REST calls (ReadResource,
#: SearchWithGet, CreateResource, ...) as CloudTrail management events (HealthLake Developer
#: Guide, "Logging HealthLake API calls using AWS CloudTrail"): the fhir selector should be
#: eventCategory = Management with eventSource = healthlake.amazonaws.com. The dicom kind
#: should also select `AWS::MedicalImaging::Imageset` (image-set reads are logged on it).
DATA_EVENT_TYPES = {
    "dicom": "AWS::MedicalImaging::Datastore",
    "fhir": "AWS::HealthLake::FHIRDatastore",
}


@dataclass(frozen=True, kw_only=True)
class HealthAuditArgs:
    """Inputs of `HealthAudit`."""

    name: str
    """Event data store name."""
    kinds: tuple[str, ...]
    """Store kinds whose data events are recorded (dicom, fhir)."""
    key_arn: pulumi.Input[str]
    """The stack's KMS key for logs (its policy lets CloudTrail use it)."""
    retention_days: int = 2190
    """Days events are kept (HIPAA 164.316(b)(2): six years)."""


def data_event_selectors(kinds: tuple[str, ...]) -> list[dict]:
    """One advanced event selector per store kind: every data event on that resource type."""
    return [
        {
            "name": f"{kind}-data-events",
            "field_selectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": [DATA_EVENT_TYPES[kind]]},
            ],
        }
        for kind in sorted(set(kinds))
    ]


def _validate(args: HealthAuditArgs) -> list[tuple[str, str]]:
    problems = []
    for kind in args.kinds:
        if kind not in DATA_EVENT_TYPES:
            problems.append(("kinds", f"{kind!r}: one of {list(DATA_EVENT_TYPES)}"))
    if not args.kinds:
        problems.append(("kinds", "at least one store kind"))
    if not 7 <= args.retention_days <= 3653:
        problems.append(("retentionDays", f"{args.retention_days}: must be 7 to 3653"))
    return problems


class HealthAudit(pulumi.ComponentResource):
    """CloudTrail Lake data events of the DICOM and FHIR stores: who read or wrote which study
    or resource, kept six years, encrypted with the logs key, protected from deletion."""

    def __init__(
        self, name: str, args: HealthAuditArgs, opts: pulumi.ResourceOptions | None = None
    ):
        raise_if_invalid(f"{PACKAGE}:aws:HealthAudit", name, _validate(args))
        super().__init__(f"{PACKAGE}:aws:HealthAudit", name, None, opts)
        # HIPAA 164.312(b): record and keep every access to PHI in the stores.
        self.event_data_store = aws.cloudtrail.EventDataStore(
            name,
            name=args.name,
            advanced_event_selectors=data_event_selectors(args.kinds),
            kms_key_id=args.key_arn,
            multi_region_enabled=False,
            organization_enabled=False,
            retention_period=args.retention_days,
            tags={},  # the stack's tags, from the aws tag transformation
            termination_protection_enabled=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"arn": self.event_data_store.arn})
