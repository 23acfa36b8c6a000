"""`HealthAudit`: a CloudTrail Lake event data store recording every read and write of the
stack's DICOM and FHIR stores, encrypted with the logs key.

What CloudTrail records, and so what each store kind's advanced event selectors select:

- dicom (AWS HealthImaging): data events. CloudTrail's table of data-event `resources.type`
  values (AWS CloudTrail User Guide, "Understanding CloudTrail events", Data events,
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-events.html) lists
  `AWS::MedicalImaging::Datastore` (API activity on data stores) and
  `AWS::MedicalImaging::Imageset` (image-set API activity, e.g. GetImageFrame), one selector
  each (AdvancedFieldSelector: one resources.type field per selector; another resource type
  takes another selector).
- fhir (AWS HealthLake): management events. That table has no HealthLake type
  (`AWS::HealthLake::FHIRDatastore` is a CloudFormation/Config type; CloudTrail refuses it as
  a data-event type). HealthLake logs every action, the FHIR REST calls too (ReadResource,
  SearchWithGet, SearchWithPost, CreateResource, UpdateResource, DeleteResource, ...), as
  events of eventSource healthlake.amazonaws.com with eventCategory Management (AWS HealthLake
  Developer Guide, "Logging HealthLake API calls using AWS CloudTrail",
  https://docs.aws.amazon.com/healthlake/latest/devguide/logging-using-cloudtrail.html).
  An event data store's management selector may narrow to one event source with any operator
  (trails may only exclude KMS or RDS Data API events; AWS CloudTrail API Reference,
  AdvancedFieldSelector, eventSource,
  https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html),
  so the selector is eventCategory = Management with eventSource = healthlake.amazonaws.com,
  not every management event of the account.

No selector sets readOnly, eventName or resources.ARN: reads and writes are both recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from medinfra.components import PACKAGE
from medinfra.components.validation import raise_if_invalid

#: What records each store kind's reads and writes: (selector name suffix, eventCategory,
#: field, value) per advanced event selector. Policy MED-LOG-002 (store_access_logged.rego,
#: `required_selectors`) requires the same selectors.
EVENT_SELECTION: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "dicom": (
        ("datastore", "Data", "resources.type", "AWS::MedicalImaging::Datastore"),
        ("imageset", "Data", "resources.type", "AWS::MedicalImaging::Imageset"),
    ),
    "fhir": (
        ("api", "Management", "eventSource", "healthlake.amazonaws.com"),
    ),
}


@dataclass(frozen=True, kw_only=True)
class HealthAuditArgs:
    """Inputs of `HealthAudit`."""

    name: str
    """Event data store name."""
    kinds: tuple[str, ...]
    """Store kinds whose reads and writes are recorded (dicom, fhir)."""
    key_arn: pulumi.Input[str]
    """The stack's KMS key for logs (its policy lets CloudTrail use it)."""
    retention_days: int = 2190
    """Days events are kept (HIPAA 164.316(b)(2): six years)."""


def event_selectors(kinds: tuple[str, ...]) -> list[dict]:
    """The advanced event selectors recording every read and write of the given store kinds:
    one per (kind, resource type or event source) of `EVENT_SELECTION`."""
    return [
        {
            "name": f"{kind}-{suffix}-events",
            "field_selectors": [
                {"field": "eventCategory", "equals": [category]},
                {"field": field, "equals": [value]},
            ],
        }
        for kind in sorted(set(kinds))
        for suffix, category, field, value in EVENT_SELECTION[kind]
    ]


def _validate(args: HealthAuditArgs) -> list[tuple[str, str]]:
    problems = []
    for kind in args.kinds:
        if kind not in EVENT_SELECTION:
            problems.append(("kinds", f"{kind!r}: one of {list(EVENT_SELECTION)}"))
    if not args.kinds:
        problems.append(("kinds", "at least one store kind"))
    if not 7 <= args.retention_days <= 3653:
        problems.append(("retentionDays", f"{args.retention_days}: must be 7 to 3653"))
    return problems


class HealthAudit(pulumi.ComponentResource):
    """CloudTrail Lake events of the DICOM and FHIR stores (HealthImaging data events,
    HealthLake management events): who read or wrote which study or resource, kept six years,
    encrypted with the logs key, protected from deletion."""

    def __init__(
        self, name: str, args: HealthAuditArgs, opts: pulumi.ResourceOptions | None = None
    ):
        raise_if_invalid(f"{PACKAGE}:aws:HealthAudit", name, _validate(args))
        super().__init__(f"{PACKAGE}:aws:HealthAudit", name, None, opts)
        # HIPAA 164.312(b): record and keep every access to PHI in the stores.
        self.event_data_store = aws.cloudtrail.EventDataStore(
            name,
            name=args.name,
            advanced_event_selectors=event_selectors(args.kinds),
            kms_key_id=args.key_arn,
            multi_region_enabled=False,
            organization_enabled=False,
            retention_period=args.retention_days,
            tags={},  # the stack's tags, from the aws tag transformation
            termination_protection_enabled=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"arn": self.event_data_store.arn})
