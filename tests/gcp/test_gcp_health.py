"""The GCP Cloud Healthcare dataset (DICOM and FHIR R4 stores), asserted per resource from the
gcp-prod synthetic Inventory, and its reader grants under in-process mocks."""

from __future__ import annotations

import pulumi
from medinfra.components.gcp.health_store import (
    AUDIT_LOG_TYPES,
    READER_ROLES,
    SERVICE,
    HealthDataset,
    HealthDatasetArgs,
)

from tests.health_config import health_config

DATASET = "gcp:healthcare/dataset:Dataset"
DICOM = "gcp:healthcare/dicomStore:DicomStore"
FHIR = "gcp:healthcare/fhirStore:FhirStore"
TYPES = {"dicom": DICOM, "fhir": FHIR}
GRANTS = {
    "gcp:healthcare/dicomStoreIamMember:DicomStoreIamMember": ("/dicomStoreId", DICOM),
    "gcp:healthcare/fhirStoreIamMember:FhirStoreIamMember": ("/fhirStoreId", FHIR),
}
WIDE_GRANTS = (
    "gcp:healthcare/datasetIamMember:DatasetIamMember",
    "gcp:healthcare/datasetIamBinding:DatasetIamBinding",
    "gcp:healthcare/datasetIamPolicy:DatasetIamPolicy",
    "gcp:projects/iAMMember:IAMMember",
    "gcp:projects/iAMBinding:IAMBinding",
)
REQUIRED_LABELS = {"owner", "cost_center", "environment", "data_classification", "managed-by"}


def _stores(inv) -> list[dict]:
    return inv.of_type(DICOM) + inv.of_type(FHIR)


def _dataset(inv) -> dict:
    (dataset,) = inv.of_type(DATASET)
    return dataset


def test_the_prod_stack_plans_one_dataset_holding_its_configured_stores(gcp_prod):
    expected = health_config("gcp-prod").stores
    dataset = _dataset(gcp_prod)
    assert {s["props"]["name"]: s["type"] for s in _stores(gcp_prod)} == {
        name: TYPES[kind] for name, kind in expected.items()}
    for store in _stores(gcp_prod):
        assert gcp_prod.referenced(store, "/dataset")["urn"] == dataset["urn"]
    for store in gcp_prod.of_type(FHIR):
        props = store["props"]
        assert props["version"] == "R4"
        # Every change keeps the previous version: an audit trail of the clinical record.
        assert props["disableResourceVersioning"] is False
        assert props["enableUpdateCreate"] is False


def test_dataset_is_encrypted_with_the_plans_data_key_which_the_agent_may_use(gcp_prod):
    dataset = _dataset(gcp_prod)
    key = gcp_prod.attributed(dataset, "/encryptionSpec/kmsKeyName")
    assert (key["type"], key["name"]) == ("gcp:kms/cryptoKey:CryptoKey", "keys-data")
    (grant,) = [g for g in gcp_prod.of_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
                if g["name"] == "health-cmk"]
    assert gcp_prod.referenced(grant, "/cryptoKeyId")["urn"] == key["urn"]
    assert grant["props"]["role"] == "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    agent = gcp_prod.referenced(grant, "/member")
    assert agent["type"] == "gcp:projects/serviceIdentity:ServiceIdentity"
    assert agent["props"]["service"] == SERVICE
    assert grant["urn"] in dataset["dependencies"]  # the key is usable before the dataset exists


def test_dataset_and_key_stay_in_the_stacks_region(gcp_prod):
    config = health_config("gcp-prod")
    dataset = _dataset(gcp_prod)
    assert dataset["props"]["location"] == config.region in config.allowed_regions
    key_ring = gcp_prod.attributed(dataset, "/encryptionSpec/kmsKeyName")["props"]["keyRing"]
    assert f"/locations/{config.region}/" in key_ring


def test_data_access_audit_logs_record_every_read_and_write(gcp_prod):
    dataset = _dataset(gcp_prod)
    (audit,) = [a for a in gcp_prod.of_type("gcp:projects/iAMAuditConfig:IAMAuditConfig")
                if a["props"]["service"] == SERVICE]
    assert audit["props"]["project"] == dataset["props"]["project"]
    types = {c["logType"] for c in audit["props"]["auditLogConfigs"]}
    assert {"DATA_READ", "DATA_WRITE"} <= types and types == set(AUDIT_LOG_TYPES)
    assert all(not c.get("exemptedMembers") for c in audit["props"]["auditLogConfigs"])


def test_every_store_is_labelled_with_the_stack_labels(gcp_prod):
    for store in _stores(gcp_prod):
        labels = store["props"]["labels"]
        assert REQUIRED_LABELS <= set(labels), (store["name"], REQUIRED_LABELS - set(labels))
        assert labels["data_classification"] == "phi"


def test_model_reads_exactly_the_stores_its_config_names_with_read_only_roles(gcp_prod):
    config = health_config("gcp-prod")
    got: dict[str, set[str]] = {}
    for type_, (path, store_type) in GRANTS.items():
        for grant in gcp_prod.of_type(type_):
            store = gcp_prod.referenced(grant, path)
            assert store["type"] == store_type
            kind = "dicom" if store_type == DICOM else "fhir"
            assert grant["props"]["role"] == READER_ROLES[kind], grant["name"]
            account = gcp_prod.referenced(grant, "/member")
            assert account["type"] == "gcp:serviceaccount/account:Account"
            assert grant["props"]["member"].startswith("serviceAccount:")
            got.setdefault(account["name"].removeprefix("model-"), set()).add(
                store["props"]["name"])
    assert got == {m: set(s) for m, s in config.reads.items() if s}
    # Never on the dataset or the project.
    for type_ in WIDE_GRANTS:
        for grant in gcp_prod.of_type(type_):
            assert not grant["props"]["role"].startswith("roles/healthcare."), grant["name"]


def test_a_stack_without_health_stores_plans_no_dataset_and_no_grant(gcp_dev):
    assert not health_config("gcp-dev").stores
    assert gcp_dev.of_type(DATASET) == [] and _stores(gcp_dev) == []
    for type_ in GRANTS:
        assert gcp_dev.of_type(type_) == []


def test_grant_reader_binds_the_read_role_on_that_one_store_only(gcp_mocks):
    def build():
        dataset = HealthDataset("health", HealthDatasetArgs(
            project="p-test", location="europe-west4", dataset_name="p-health",
            stores=(("imaging", "dicom"), ("clinical", "fhir")),
            key_id="projects/p-test/locations/europe-west4/keyRings/r/cryptoKeys/data"))
        dataset.grant_reader("model-m-imaging", "imaging", "serviceAccount:m@p-test.iam")

    pulumi.runtime.test(build)()
    grants = [r for r in gcp_mocks.created if "IamMember" in r.typ and r.typ.startswith(
        "gcp:healthcare/")]
    (grant,) = grants
    assert grant.typ == "gcp:healthcare/dicomStoreIamMember:DicomStoreIamMember"
    assert grant.inputs["role"] == READER_ROLES["dicom"]
    assert grant.inputs["member"] == "serviceAccount:m@p-test.iam"
    assert "imaging" in grant.inputs["dicomStoreId"]
