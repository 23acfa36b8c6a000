"""`HealthDataset`: a Cloud Healthcare dataset encrypted with the stack's key (CMEK), holding
DICOM and FHIR R4 stores, with data-access audit logs and store-scoped IAM grants."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from medinfra.components import PACKAGE
from medinfra.components.validation import raise_if_invalid

SERVICE = "healthcare.googleapis.com"
KINDS = ("dicom", "fhir")
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
#: Read-only predefined role a model's service account gets on one store.
READER_ROLES = {
    "dicom": "roles/healthcare.dicomViewer",
    "fhir": "roles/healthcare.fhirResourceReader",
}
#: Cloud Audit Logs types recorded for the Healthcare API: who read or wrote which record.
AUDIT_LOG_TYPES = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")


@dataclass(frozen=True, kw_only=True)
class HealthDatasetArgs:
    """Inputs of `HealthDataset`."""

    project: str
    """Project of the dataset."""
    location: str
    """Region of the dataset and its stores (data residency: one of allowedRegions)."""
    dataset_name: str
    """Dataset id."""
    stores: tuple[tuple[str, str], ...]
    """(store name, kind) of each DICOM or FHIR store."""
    key_id: pulumi.Input[str]
    """The stack's Cloud KMS data key (same location as the dataset)."""


def _validate(args: HealthDatasetArgs) -> list[tuple[str, str]]:
    problems = []
    if not _ID.match(args.dataset_name):
        problems.append(("datasetName", f"{args.dataset_name!r} is not a dataset id"))
    for store, kind in args.stores:
        if kind not in KINDS:
            problems.append(("stores", f"{store}: kind {kind!r}, one of {list(KINDS)}"))
    if not args.stores:
        problems.append(("stores", "at least one DICOM or FHIR store"))
    return problems


class HealthDataset(pulumi.ComponentResource):
    """Healthcare dataset with CMEK, DICOM and FHIR R4 stores, Healthcare API data-access audit
    logs, and read grants on single stores (never on the project)."""

    def __init__(
        self, name: str, args: HealthDatasetArgs, opts: pulumi.ResourceOptions | None = None
    ):
        raise_if_invalid(f"{PACKAGE}:gcp:HealthDataset", name, _validate(args))
        super().__init__(f"{PACKAGE}:gcp:HealthDataset", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        api = gcp.projects.Service(
            f"{name}-api", project=args.project, service=SERVICE,
            disable_on_destroy=False, disable_dependent_services=False, opts=child)
        agent = gcp.projects.ServiceIdentity(
            f"{name}-agent", project=args.project, service=SERVICE,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[api]))
        # The Healthcare service agent wraps the dataset's keys with ours, and only that key.
        key_grant = gcp.kms.CryptoKeyIAMMember(
            f"{name}-cmk", crypto_key_id=args.key_id,
            role="roles/cloudkms.cryptoKeyEncrypterDecrypter", member=agent.member, opts=child)
        self.dataset = gcp.healthcare.Dataset(
            name, project=args.project, name=args.dataset_name, location=args.location,
            # HIPAA 164.312(a)(2)(iv): every store in the dataset is encrypted with our key.
            encryption_spec={"kms_key_name": args.key_id},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[key_grant]))
        # HIPAA 164.312(b): data-access logs of every read and write of the stores.
        gcp.projects.IAMAuditConfig(
            f"{name}-audit", project=args.project, service=SERVICE,
            audit_log_configs=[{"log_type": t} for t in AUDIT_LOG_TYPES], opts=child)
        #: Store name -> (kind, DICOM or FHIR store).
        self.stores: dict[str, tuple[str, pulumi.CustomResource]] = {}
        for store, kind in args.stores:
            if kind == "dicom":
                resource = gcp.healthcare.DicomStore(
                    f"{name}-{store}", dataset=self.dataset.id, name=store, labels={},
                    opts=child)
            else:
                resource = gcp.healthcare.FhirStore(
                    f"{name}-{store}", dataset=self.dataset.id, name=store, version="R4",
                    # Every change keeps the previous version (an audit trail of the record).
                    disable_resource_versioning=False,
                    enable_history_import=False,
                    enable_update_create=False,
                    disable_referential_integrity=False,
                    labels={}, opts=child)
            self.stores[store] = (kind, resource)
        self.register_outputs({"datasetId": self.dataset.id})

    def grant_reader(self, name: str, store: str, member: pulumi.Input[str]) -> None:
        """Read one store (a read-only role on that store, never on the dataset or project)."""
        kind, resource = self.stores[store]
        child = pulumi.ResourceOptions(parent=self)
        if kind == "dicom":
            gcp.healthcare.DicomStoreIamMember(
                name, dicom_store_id=resource.id, role=READER_ROLES[kind], member=member,
                opts=child)
        else:
            gcp.healthcare.FhirStoreIamMember(
                name, fhir_store_id=resource.id, role=READER_ROLES[kind], member=member,
                opts=child)
