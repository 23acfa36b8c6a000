"""`HealthStore`: a managed DICOM store (AWS HealthImaging) or FHIR R4 store (Amazon HealthLake)
encrypted with the stack's key, tagged, reachable only through IAM (SigV4)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws_native as aws_native
from medinfra.components import PACKAGE
from medinfra.components.validation import raise_if_invalid

#: The tag naming a store (`<prefix>/<store>`): model roles may read only stores carrying
#: their store's value (the stores' ids, and so their ARNs, are random until created).
STORE_TAG = "medinfra:store"
KINDS = ("dicom", "fhir")
DICOM_TYPE = "aws-native:healthimaging:Datastore"
FHIR_TYPE = "aws-native:healthlake:FhirDatastore"


@dataclass(frozen=True, kw_only=True)
class HealthStoreArgs:
    """Inputs of `HealthStore`."""

    kind: str
    """dicom (HealthImaging datastore) or fhir (HealthLake FHIR R4 datastore)."""
    store_name: str
    """Physical datastore name."""
    store_tag: str
    """Value of the `medinfra:store` tag (`<prefix>/<store>`)."""
    key_arn: pulumi.Input[str]
    """The stack's KMS key for data."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags of the stack (aws-native is not covered by the aws tag transformation)."""


def _validate(args: HealthStoreArgs) -> list[tuple[str, str]]:
    problems = []
    if args.kind not in KINDS:
        problems.append(("kind", f"{args.kind!r}: one of {list(KINDS)}"))
    if not 1 <= len(args.store_name) <= 256:
        problems.append(("storeName", f"{args.store_name!r}: must be 1 to 256 characters"))
    return problems


class HealthStore(pulumi.ComponentResource):
    """HealthImaging or HealthLake datastore with the stack's customer-managed key and tags."""

    def __init__(
        self, name: str, args: HealthStoreArgs, opts: pulumi.ResourceOptions | None = None
    ):
        raise_if_invalid(f"{PACKAGE}:aws:HealthStore", name, _validate(args))
        super().__init__(f"{PACKAGE}:aws:HealthStore", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = {**args.tags, STORE_TAG: args.store_tag}
        self.kind = args.kind
        if args.kind == "dicom":
            self.datastore = aws_native.healthimaging.Datastore(
                name,
                datastore_name=args.store_name,
                # HIPAA 164.312(a)(2)(iv): image sets encrypted with the stack's key, not AWS's.
                kms_key_arn=args.key_arn,
                tags=tags,
                opts=child,
            )
            self.arn = self.datastore.datastore_arn
        else:
            self.datastore = aws_native.healthlake.FhirDatastore(
                name,
                datastore_name=args.store_name,
                datastore_type_version="R4",
                # HIPAA 164.312(a)(2)(iv): FHIR resources encrypted with the stack's key.
                sse_configuration={
                    "kms_encryption_config": {
                        "cmk_type": "CUSTOMER_MANAGED_KMS_KEY",
                        "kms_key_id": args.key_arn,
                    }
                },
                # HIPAA 164.312(d): SigV4 with IAM only; no SMART on FHIR identity provider.
                identity_provider_configuration={"authorization_strategy": "AWS_AUTH"},
                tags=[aws_native.TagArgs(key=k, value=v) for k, v in sorted(tags.items())],
                opts=child,
            )
            self.arn = self.datastore.datastore_arn
        self.register_outputs({"arn": self.arn})


#: Read-only actions of each store kind, and the ARN pattern of its datastores (and what is
#: inside them: image sets, FHIR resources).
READ_ACTIONS = {
    "dicom": (
        "medical-imaging",
        "datastore/*",
        [
            "medical-imaging:GetImageFrame",
            "medical-imaging:GetImageSet",
            "medical-imaging:GetImageSetMetadata",
            "medical-imaging:SearchImageSets",
        ],
    ),
    "fhir": (
        "healthlake",
        "datastore/fhir/*",
        [
            "healthlake:GetCapabilities",
            "healthlake:ReadResource",
            "healthlake:SearchWithGet",
            "healthlake:SearchWithPost",
        ],
    ),
}


#: HealthImaging actions that also name an image set (`datastore/<id>/imageset/<id>`): an image
#: set's `aws:ResourceTag` is its own tags, which imports do not set.
IMAGE_SET_ACTIONS = [
    "medical-imaging:GetImageFrame",
    "medical-imaging:GetImageSet",
    "medical-imaging:GetImageSetMetadata",
]


def health_reader_policy(
    partition: str, region: str, account_id: str, stores: list[tuple[str, str]]
) -> dict:
    """Read (never write) the named DICOM/FHIR stores: `stores` is (kind, store tag) pairs.

    A datastore's id is random until it exists, so the statement names this account's
    datastores of the kind and narrows them to the stores by their `medinfra:store` tag (both
    services list `aws:ResourceTag/${TagKey}` on their datastore resource type: IAM Service
    Authorization Reference, list_awshealthimaging / list_awshealthlake).

    HealthImaging authorizes the image-set reads against two resources, the datastore and the
    image set, and IAM must allow each (ABAC support is "Partial" for HealthImaging). The tag
    condition holds for the datastore; the image sets are allowed by a second statement without
    it, which grants nothing alone: the datastore must still be one of the tagged ones."""
    statements = []
    for kind in sorted({k for k, _ in stores}):
        service, resource, actions = READ_ACTIONS[kind]
        tags = sorted(t for k, t in stores if k == kind)
        arn = f"arn:{partition}:{service}:{region}:{account_id}:{resource}"
        statements.append(
            {
                "Sid": f"Read{kind.upper()}Stores",
                "Effect": "Allow",
                "Action": actions,
                "Resource": arn,
                "Condition": {"StringEquals": {f"aws:ResourceTag/{STORE_TAG}": tags}},
            }
        )
        if kind == "dicom":
            statements.append(
                {
                    "Sid": "ReadDICOMImageSetsOfThoseStores",
                    "Effect": "Allow",
                    "Action": IMAGE_SET_ACTIONS,
                    "Resource": f"{arn}/imageset/*",
                }
            )
    return {"Version": "2012-10-17", "Statement": statements}
