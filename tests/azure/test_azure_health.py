"""The Azure Health Data Services workspace (DICOM and FHIR R4 services), asserted per resource
from the azure-prod synthetic Inventory, and its reader grants under in-process mocks."""

from __future__ import annotations

import pulumi
from medinfra.components.azure.health_store import (
    PRIVATE_ZONES,
    READER_ROLES,
    HealthWorkspace,
    HealthWorkspaceArgs,
)

from tests.health_config import REQUIRED_TAGS, health_config

WORKSPACE = "azure-native:healthcareapis:Workspace"
DICOM = "azure-native:healthcareapis:DicomService"
FHIR = "azure-native:healthcareapis:FhirService"
TYPES = {"dicom": DICOM, "fhir": FHIR}
ASSIGNMENT = "azure-native:authorization:RoleAssignment"
SETTING = "azure-native:monitor:DiagnosticSetting"
CRYPTO_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"  # Key Vault Crypto Service Encryption User


def _services(inv) -> list[dict]:
    return inv.of_type(DICOM) + inv.of_type(FHIR)


def _workspace(inv) -> dict:
    (workspace,) = inv.of_type(WORKSPACE)
    return workspace


def test_the_prod_stack_plans_one_workspace_with_its_configured_services(azure_prod):
    expected = health_config("azure-prod").stores
    workspace = _workspace(azure_prod)
    planned = {s["name"].removeprefix("health-"): s["type"] for s in _services(azure_prod)}
    assert planned == {name: TYPES[kind] for name, kind in expected.items()}
    for service in _services(azure_prod):
        assert azure_prod.referenced(service, "/workspaceName")["urn"] == workspace["urn"]
    for service in azure_prod.of_type(FHIR):
        assert service["props"]["kind"] == "fhir-R4"


def test_each_service_is_encrypted_with_the_data_key_through_an_identity_allowed_to_use_it(
    azure_prod,
):
    for service in _services(azure_prod):
        key = azure_prod.attributed(
            service, "/encryption/customerManagedKeyEncryption/keyEncryptionKeyUrl")
        assert (key["type"], key["name"]) == ("azure-native:keyvault:Key", "keys-data")
        assert service["props"]["identity"]["type"] == "UserAssigned"
        identity = azure_prod.referenced(service, "/identity/userAssignedIdentities/0")
        # The identity the service unwraps the key with may do that on that key, and only that.
        (grant,) = [a for a in azure_prod.of_type(ASSIGNMENT)
                    if a["references"].get("/principalId") == identity["urn"]]
        assert grant["props"]["roleDefinitionId"].endswith(CRYPTO_USER)
        assert azure_prod.referenced(grant, "/scope")["urn"] == key["urn"]


def test_fhir_accepts_only_entra_id_tokens_of_the_tenant_for_itself(azure_prod):
    (workspace_name,) = {s["props"]["workspaceName"] for s in _services(azure_prod)}
    for service in azure_prod.of_type(FHIR):
        auth = service["props"]["authenticationConfiguration"]
        assert auth["authority"].startswith("https://login.microsoftonline.com/")
        assert auth["audience"] == (
            f"https://{workspace_name}-{service['props']['fhirServiceName']}"
            ".fhir.azurehealthcareapis.com")
        assert auth["smartProxyEnabled"] is False
    for service in azure_prod.of_type(DICOM):
        # DICOM authenticates with Entra ID only: nothing in the plan configures another way.
        assert "authenticationConfiguration" not in service["props"]


def test_workspace_is_reached_through_a_private_endpoint_with_its_dns_zones(azure_prod):
    workspace = _workspace(azure_prod)
    (endpoint,) = [
        e for e in azure_prod.of_type("azure-native:network:PrivateEndpoint")
        if e["references"].get("/privateLinkServiceConnections/0/privateLinkServiceId")
        == workspace["urn"]
    ]
    (connection,) = endpoint["props"]["privateLinkServiceConnections"]
    assert connection["groupIds"] == ["healthcareworkspace"]
    subnet = azure_prod.referenced(endpoint, "/subnet/id")
    assert subnet["name"] == "network-endpoints"
    (group,) = [g for g in azure_prod.of_type("azure-native:network:PrivateDnsZoneGroup")
                if g["references"].get("/privateEndpointName") == endpoint["urn"]]
    zones = {
        azure_prod.referenced(group, f"/privateDnsZoneConfigs/{i}/privateDnsZoneId")["props"][
            "privateZoneName"]
        for i in range(len(group["props"]["privateDnsZoneConfigs"]))
    }
    assert zones == set(PRIVATE_ZONES.values())
    links = azure_prod.of_type("azure-native:privatedns:VirtualNetworkLink")
    for zone in zones:
        (link,) = [lk for lk in links if lk["props"]["privateZoneName"] == zone
                   or azure_prod.attributed(lk, "/privateZoneName")["props"].get(
                       "privateZoneName") == zone]
        assert azure_prod.attributed(link, "/virtualNetwork/id")["type"] == (
            "azure-native:network:VirtualNetwork")
        assert link["props"]["registrationEnabled"] is False


def test_each_service_sends_its_audit_logs_to_the_plans_workspace(azure_prod):
    for service in _services(azure_prod):
        (setting,) = [s for s in azure_prod.of_type(SETTING)
                      if s["references"].get("/resourceUri") == service["urn"]]
        assert {"category": "AuditLogs", "enabled": True} in setting["props"]["logs"]
        destination = azure_prod.referenced(setting, "/workspaceId")
        assert destination["type"] == "azure-native:operationalinsights:Workspace"


def test_workspace_and_services_stay_in_the_stacks_region_and_are_tagged(azure_prod):
    config = health_config("azure-prod")
    for resource in [_workspace(azure_prod), *_services(azure_prod)]:
        assert resource["props"]["location"] == config.region in config.allowed_regions
        tags = resource["props"]["tags"]
        assert REQUIRED_TAGS <= set(tags), (resource["name"], REQUIRED_TAGS - set(tags))
        assert tags["dataClassification"] == "phi"


def test_model_identity_reads_exactly_the_services_its_config_names(azure_prod):
    config = health_config("azure-prod")
    reader_ids = {guid for _, guid in READER_ROLES.values()}
    grants = [a for a in azure_prod.of_type(ASSIGNMENT)
              if a["props"]["roleDefinitionId"].rsplit("/", 1)[-1] in reader_ids]
    got: dict[str, set[str]] = {}
    for grant in grants:
        identity = azure_prod.referenced(grant, "/principalId")
        service = azure_prod.referenced(grant, "/scope")
        # Scoped to one DICOM or FHIR service: never the workspace, group or subscription.
        assert service["type"] in (DICOM, FHIR), grant["name"]
        kind = "dicom" if service["type"] == DICOM else "fhir"
        assert grant["props"]["roleDefinitionId"].endswith(READER_ROLES[kind][1])
        got.setdefault(identity["name"].removeprefix("model-"), set()).add(
            service["name"].removeprefix("health-"))
    assert got == {m: set(s) for m, s in config.reads.items() if s}
    # Nobody gets a data-plane role on the workspace itself.
    workspace = _workspace(azure_prod)
    assert not [a for a in azure_prod.of_type(ASSIGNMENT)
                if a["references"].get("/scope") == workspace["urn"]]


def test_a_stack_without_health_stores_plans_no_workspace_and_no_grant(azure_dev):
    assert not health_config("azure-dev").stores
    assert azure_dev.of_type(WORKSPACE) == [] and _services(azure_dev) == []
    reader_ids = {guid for _, guid in READER_ROLES.values()}
    assert not [a for a in azure_dev.of_type(ASSIGNMENT)
                if a["props"]["roleDefinitionId"].rsplit("/", 1)[-1] in reader_ids]


def test_grant_reader_assigns_the_read_role_on_that_one_service_only(azure_mocks):
    def build():
        workspace = HealthWorkspace("health", HealthWorkspaceArgs(
            resource_group_name="rg", location="westeurope", workspace_name="phds",
            stores=(("imaging", "dicom"), ("clinical", "fhir")),
            key_uri="https://kv.vault.azure.net/keys/data",
            key_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/keys/data",
            vnet_id="/vnet", endpoint_subnet_id="/subnet", workspace_id="/law"))
        workspace.grant_reader("model-m-clinical", "clinical", "principal-m")

    pulumi.runtime.test(build)()
    readers = [r for r in azure_mocks.created
               if r.typ == ASSIGNMENT and r.name.startswith("model-")]
    (grant,) = readers
    assert grant.inputs["roleDefinitionId"].endswith(READER_ROLES["fhir"][1])
    assert grant.inputs["principalId"] == "principal-m"
    scope = "/providers/Microsoft.Healthcareapis/fhirServices/clinical"
    assert grant.inputs["scope"].endswith(scope)
