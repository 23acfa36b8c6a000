"""The control catalogue: generated docs are current, the CLI lists every rule, and the coverage
matrix (control family x cloud, and every resource type our components create) is complete."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase

import pytest
from medinfra.policies import catalogue
from medinfra.policies.rules import load_rules

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

#: Planned types no rule names, per cloud: nothing about them is policy-relevant but (at most)
#: where they are, which the residency rule's "aws:*", "azure-native:*" and "gcp:*" judge. Kept
#: as small as honestly possible: a type with a setting that matters needs a rule naming it.
RESIDENCY_ONLY = {
    "aws": {
        # Where a subnet's traffic goes next; exposure is judged on subnets and nodes (MED-NET-005).
        "aws:ec2/route:Route",
        # Binds a subnet to a route table: no setting of its own.
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        # Expires old untagged images; what serves patients is pinned by digest (MED-HRD-003).
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        # A name for a key; the key is judged (MED-KEY-*).
        "aws:kms/alias:Alias",
        # Expiry cannot cut retention short: object lock holds PHI regardless (MED-INT-002).
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        # Who owns objects; public ACLs are already blocked and ignored (MED-NET-002).
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    },
    "azure": {
        # The DNS records of a private endpoint: nothing in it can expose or weaken anything.
        "azure-native:network:PrivateDnsZoneGroup",
    },
    "gcp": {
        # Only holds the Cloud NAT (judged by MED-LOG-003): no BGP peers, just a region.
        "gcp:compute/router:Router",
        # A location for keys, which cannot be deleted and has no settings; its keys are judged.
        "gcp:kms/keyRing:KeyRing",
        # Creates a Google-managed service agent; what it may do is judged on its grants.
        "gcp:projects/serviceIdentity:ServiceIdentity",
        # An identity with no settings: its grants (MED-IAM-001, MED-IAM-005) and keys (MED-IAM-002)
        # are judged.
        "gcp:serviceaccount/account:Account",
    },
}

#: The planned reference stacks (session fixtures of tests/conftest.py).
PLANNED = {
    "aws-prod": "prod",
    "aws-dev": "dev",
    "azure-prod": "azure_prod",
    "azure-dev": "azure_dev",
    "gcp-prod": "gcp_prod",
    "gcp-dev": "gcp_dev",
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


@pytest.mark.parametrize("stack", list(PLANNED))
def test_every_resource_type_a_reference_stack_plans_is_covered(request, stack):
    inventory = request.getfixturevalue(PLANNED[stack])
    planned = {
        r["type"]
        for r in inventory.resources
        if not r["type"].startswith(("medinfra:", "pulumi:pulumi:"))
        # The Kubernetes provider holds only the (secret) kubeconfig: no placement, no setting.
        and r["type"] != "pulumi:providers:kubernetes"
    }
    assert [t for t in sorted(planned) if not _matched(t)] == []
    # Exactly: a type that gains a rule leaves the list, a new unnamed type needs a rule.
    assert {t for t in planned if not _named(t)} == RESIDENCY_ONLY[stack.split("-")[0]]
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
