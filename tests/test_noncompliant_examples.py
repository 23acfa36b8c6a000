"""examples/noncompliant-<platform>: violating resources, at least one per control family
(each named for its family), each blocked with exactly the expected rule ids on exactly its
URN, through the policy pack as `pulumi preview --policy-pack policies` runs it."""

from __future__ import annotations

import pytest
from medinfra.policies import catalogue

from tests.conftest import REPO

S3 = "aws:s3/bucket:Bucket"
ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
AZ_STORAGE = "azure-native:storage:StorageAccount"
AZ_NSG = "azure-native:network:NetworkSecurityGroup"
GCS = "gcp:storage/bucket:Bucket"

EXPECTED = {
    ("noncompliant-aws", "dev"): {
        ("MED-ENC-001", S3, "enc-unencrypted"),
        ("MED-KEY-001", "aws:kms/key:Key", "key-no-rotation"),
        ("MED-TLS-001", S3, "tls-no-tls-policy"),
        ("MED-NET-004", "aws:ec2/securityGroup:SecurityGroup", "net-ssh-from-anywhere"),
        ("MED-LOG-002", S3, "log-no-access-logs"),
        ("MED-INT-001", S3, "int-unversioned"),
        ("MED-IAM-001", "aws:iam/rolePolicy:RolePolicy", "iam-wildcard"),
        ("MED-IAM-005", "aws:iam/role:Role", "iam-any-service-account"),
        ("MED-HRD-001", "aws:ec2/launchTemplate:LaunchTemplate", "hrd-imdsv1"),
        ("MED-RES-001", "pulumi:providers:aws", "res-us-east-1"),
        ("MED-TAG-001", "aws:kms/key:Key", "tag-missing-cost-center"),
        ("MED-ENC-001", "aws-native:healthlake:FhirDatastore", "enc-fhir-aws-owned-key"),
    },
    ("noncompliant-azure", "dev"): {
        ("MED-ENC-001", AZ_STORAGE, "enc-no-cmk"),
        ("MED-KEY-001", "azure-native:keyvault:Key", "key-no-rotation"),
        ("MED-TLS-001", AZ_STORAGE, "tls-old-tls"),
        ("MED-NET-004", AZ_NSG, "net-rdp-from-internet"),
        ("MED-NET-006", "azure-native:network:Subnet", "net-default-outbound"),
        ("MED-LOG-002", AZ_STORAGE, "log-no-diagnostics"),
        ("MED-INT-001", AZ_STORAGE, "int-no-versioning"),
        ("MED-IAM-001", "azure-native:authorization:RoleAssignment", "iam-subscription-wide"),
        ("MED-IAM-005", "azure-native:managedidentity:FederatedIdentityCredential",
         "iam-foreign-issuer"),
        ("MED-HRD-001", "azure-native:containerservice:ManagedCluster", "hrd-unpatched-nodes"),
        ("MED-RES-001", AZ_NSG, "res-outside-region"),
        ("MED-TAG-001", AZ_NSG, "tag-missing"),
        ("MED-NET-002", "azure-native:healthcareapis:Workspace", "net-hds-no-private-endpoint"),
    },
    ("noncompliant-gcp", "dev"): {
        ("MED-ENC-001", GCS, "enc-no-cmek"),
        ("MED-KEY-001", "gcp:kms/cryptoKey:CryptoKey", "key-yearly-rotation"),
        ("MED-NET-004", "gcp:compute/firewall:Firewall", "net-ssh-from-anywhere"),
        ("MED-NET-006", "gcp:compute/network:Network", "net-auto-mode"),
        ("MED-LOG-002", GCS, "log-no-usage-logs"),
        ("MED-INT-001", GCS, "int-no-versioning"),
        # Not retained either, which a PHI stack also needs (immutability, MED-INT-002).
        ("MED-INT-002", GCS, "int-no-versioning"),
        ("MED-IAM-001", "gcp:projects/iAMMember:IAMMember", "iam-project-editor"),
        ("MED-IAM-005", "gcp:serviceaccount/iAMMember:IAMMember", "iam-namespace-wide"),
        ("MED-HRD-001", "gcp:container/nodePool:NodePool", "hrd-node-metadata-exposed"),
        ("MED-RES-001", GCS, "res-multi-region-us"),
        ("MED-TAG-001", GCS, "tag-no-labels"),
        ("MED-ENC-001", "gcp:healthcare/dataset:Dataset", "enc-dataset-no-cmek"),
    },
    ("noncompliant-kserve", "prod"): {
        ("MED-TLS-002", ISVC, "tls-http-model"),
        # A model fetched over http:// is also not in a store of this plan.
        ("MED-SRV-001", ISVC, "tls-http-model"),
        ("MED-IAM-004", ISVC, "iam-no-identity"),
        ("MED-HRD-002", ISVC, "hrd-privileged"),
        ("MED-SRV-002", ISVC, "srv-canary-in-standard"),
        ("MED-SRV-005", ISVC, "srv-unapproved"),
        ("MED-SRV-006", ISVC, "srv-unapproved"),
        # Approved for version and sha256, but the approval names another image digest.
        ("MED-SRV-006", ISVC, "srv-approved-other-image"),
    },
}

PLATFORM = {"noncompliant-aws": "AWS", "noncompliant-azure": "Azure",
            "noncompliant-gcp": "GCP", "noncompliant-kserve": "KServe"}


@pytest.mark.parametrize(("example", "stack"), sorted(EXPECTED))
def test_each_violation_is_blocked_with_its_rule_on_its_urn(cli, example, stack):
    result = cli("preview", "--dir", str(REPO / "examples" / example), "--stack", stack,
                 "--format", "json")
    assert result.code == 1, result.stderr
    report = result.json()
    assert report["decision"] == "block"
    # The catalogue's findings (Checkov's on the same plan are asserted in tests/test_checkov.py).
    rego = [f for f in report["findings"] if f["source"] == "rego"]
    found = {(f["id"], f["urn"]) for f in rego}
    expected = {(rule, f"urn:pulumi:{stack}::{example}::{type_}::{name}")
                for rule, type_, name in EXPECTED[(example, stack)]}
    assert found == expected
    for finding in rego:
        assert finding["remediation"] and any(finding["controls"].values())
    # Each violating resource is named for its family and caught by a rule of that family.
    for urn in {urn for _, urn in found}:
        name = urn.rsplit("::", 1)[1]
        families = {rule.split("-")[1].lower() for rule, u in found if u == urn}
        assert name.split("-")[0] in families, urn


@pytest.mark.parametrize("example", sorted(PLATFORM))
def test_every_family_that_applies_has_a_blocked_example(example):
    (stack,) = [s for e, s in EXPECTED if e == example]
    families = {rule.split("-")[1] for rule, _, _ in EXPECTED[(example, stack)]}
    from tests.test_catalogue import EXPECTED_FAMILIES

    assert families == EXPECTED_FAMILIES[PLATFORM[example]]
    assert families <= set(catalogue.FAMILIES)
