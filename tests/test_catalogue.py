"""The control catalogue: generated docs are current, the CLI lists every rule, and the coverage
matrix (control family x cloud, and every resource type our components create) is complete."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase

import pytest

from policies import catalogue
from policies.rules import load_rules
from tests.conftest import REPO

RULES = load_rules()

#: Families each platform must have at least one rule in. GCP has no TLS rule: Cloud Storage and
#: Artifact Registry accept only HTTPS, so no setting can break encryption in transit there.
#: Model serving is KServe's own family; KServe resources are judged for the families that
#: apply to a workload (transport, identity, hardening, serving).
EXPECTED_FAMILIES = {
    "AWS": set(catalogue.FAMILIES) - {"SRV"},
    "Azure": set(catalogue.FAMILIES) - {"SRV"},
    "GCP": set(catalogue.FAMILIES) - {"SRV", "TLS"},
    "KServe": {"TLS", "IAM", "HRD", "SRV"},
}

#: What the Azure and GCP components create (DESIGN.md's building blocks). Their planned
#: inventories join the check below once those components land.
AZURE_TYPES = {
    "azure-native:keyvault:Vault",
    "azure-native:keyvault:Key",
    "azure-native:storage:StorageAccount",
    "azure-native:storage:BlobServiceProperties",
    "azure-native:containerregistry:Registry",
    "azure-native:containerservice:ManagedCluster",
    "azure-native:containerservice:AgentPool",
    "azure-native:authorization:RoleAssignment",
    "azure-native:network:NetworkSecurityGroup",
    "azure-native:network:VirtualNetwork",
    "azure-native:network:FlowLog",
    "azure-native:monitor:DiagnosticSetting",
    "azure-native:operationalinsights:Workspace",
    "azure-native:compute:DiskEncryptionSet",
}
GCP_TYPES = {
    "gcp:kms/cryptoKey:CryptoKey",
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    "gcp:storage/bucket:Bucket",
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    "gcp:artifactregistry/repository:Repository",
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    "gcp:container/cluster:Cluster",
    "gcp:container/nodePool:NodePool",
    "gcp:compute/subnetwork:Subnetwork",
    "gcp:compute/firewall:Firewall",
    "gcp:projects/iAMMember:IAMMember",
    "gcp:logging/projectBucketConfig:ProjectBucketConfig",
}

#: Planned AWS types whose only policy-relevant property is where they are (judged by the
#: residency rule's "aws:*"). A new type outside this list needs a rule that names it.
RESIDENCY_ONLY = {
    "aws:ec2/eip:Eip",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/route:Route",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:eks/addon:Addon",
    "aws:kms/alias:Alias",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
}


def _named(type_: str) -> list[str]:
    return [r.id for r in RULES if type_ in r.resource_types]


def _matched(type_: str) -> list[str]:
    return [r.id for r in RULES if any(fnmatchcase(type_, p) for p in r.resource_types)]


def test_committed_catalogue_is_current():
    committed = (REPO / "docs" / "controls.md").read_text()
    assert committed == catalogue.markdown(RULES), (
        "run: medinfra policies docs --out docs/controls.md"
    )


def test_catalogue_maps_every_regulation_control_to_its_rules_plain_language_first():
    text = catalogue.markdown(RULES)
    assert text.index("## Rules by regulation") < text.index("## The rules")
    for rule in RULES:
        section = text.split(f"### {rule.id}\n", 1)[1].split("\n### ", 1)[0]
        assert rule.description in section and "**How to fix.**" in section
        assert section.index(rule.description) < section.index("Rego:")
        rows = text.splitlines()
        for control in rule.controls["hipaa"]:
            row = next(line for line in rows if line.startswith(f"| HIPAA {control} |"))
            assert f"[{rule.id}]" in row


def test_every_family_has_a_rule_on_every_platform_it_applies_to():
    for platform, families in EXPECTED_FAMILIES.items():
        have = {catalogue.family(r) for r in RULES if platform in catalogue.clouds(r)}
        assert families <= have, f"{platform} lacks {sorted(families - have)}"
    assert {catalogue.family(r) for r in RULES} == set(catalogue.FAMILIES)


@pytest.mark.parametrize("types", [AZURE_TYPES, GCP_TYPES], ids=["azure", "gcp"])
def test_every_azure_and_gcp_building_block_type_is_named_by_a_rule(types):
    assert [t for t in sorted(types) if not _named(t)] == []


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_every_resource_type_the_aws_platform_plans_is_covered(request, stack):
    inventory = request.getfixturevalue(stack)
    planned = {
        r["type"]
        for r in inventory.resources
        if not r["type"].startswith(("medinfra:", "pulumi:pulumi:"))
        # The Kubernetes provider holds only the (secret) kubeconfig: no placement, no setting.
        and r["type"] != "pulumi:providers:kubernetes"
    }
    assert [t for t in sorted(planned) if not _matched(t)] == []
    assert {t for t in planned if not _named(t)} <= RESIDENCY_ONLY
    assert "kubernetes:serving.kserve.io/v1beta1:InferenceService" in planned


def test_policies_list_prints_every_rule(cli):
    table = cli("policies", "list")
    assert table.code == 0, table.stderr
    for rule in RULES:
        assert f"{rule.id}  {rule.severity}" in table.stdout and rule.title in table.stdout
    listed = cli("policies", "list", "--format", "json").json()
    assert [r["id"] for r in listed] == [r.id for r in RULES]
    enc = next(r for r in listed if r["id"] == "MED-ENC-001")
    assert enc["clouds"] == ["AWS", "Azure", "GCP"] and enc["controls"]["hipaa"]
    assert "azure-native:storage:StorageAccount" in enc["resource_types"]


def test_policies_docs_writes_the_catalogue(cli, tmp_path):
    out = tmp_path / "controls.md"
    result = cli("policies", "docs", "--out", str(out))
    assert result.code == 0, result.stderr
    assert out.read_text() == (REPO / "docs" / "controls.md").read_text()
    missing = cli("policies", "docs", "--out", str(tmp_path / "nope" / "c.md"))
    assert missing.code == 2 and "does not exist" in missing.stderr


def test_json_listing_names_each_rules_rego_file():
    for entry in catalogue.as_json(RULES):
        assert (REPO / entry["rego"]).is_file()
        assert json.dumps(entry)
