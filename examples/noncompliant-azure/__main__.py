"""Deliberately noncompliant Azure resources, at least one per control family (named
`<family>-...`), next to compliant ones. `medinfra preview --dir examples/noncompliant-azure
--stack dev` exits 1; tests/test_noncompliant_examples.py asserts the exact findings."""

import pulumi_azure_native as azure

RG = "medinfra-example"
LOCATION = "westeurope"
tags = {"owner": "ml-platform", "costCenter": "cc-1", "environment": "dev",
        "dataClassification": "phi"}

vault = azure.keyvault.Vault(
    "vault", resource_group_name=RG, location=LOCATION, tags=tags,
    properties={"tenant_id": "00000000-0000-0000-0000-00000000aaaa",
                "sku": {"family": "A", "name": "premium"}, "enable_rbac_authorization": True,
                "enable_purge_protection": True, "enable_soft_delete": True,
                "public_network_access": "Disabled"})


def key(name: str, rotate: bool = True) -> azure.keyvault.Key:
    rotation = {"lifetime_actions": [{"action": {"type": "rotate"},
                                      "trigger": {"time_after_create": "P90D"}}]}
    return azure.keyvault.Key(
        name, resource_group_name=RG, vault_name=vault.name, tags=tags,
        properties={"kty": "RSA-HSM", "key_size": 3072,
                    **({"rotation_policy": rotation} if rotate else {})})


data_key = key("data")
workspace = azure.operationalinsights.Workspace(
    "logs", resource_group_name=RG, location=LOCATION, retention_in_days=730,
    sku={"name": "PerGB2018"}, tags=tags)


def storage(name: str, *, cmk=True, tls="TLS1_2", versioned=True, logged=True,
            location=LOCATION) -> azure.storage.StorageAccount:
    """A storage account that follows every rule except those switched off."""
    encryption = ({"key_source": "Microsoft.Keyvault",
                   "key_vault_properties": {"key_name": data_key.name,
                                            "key_vault_uri": "https://vault.vault.azure.net"}}
                  if cmk else {"key_source": "Microsoft.Storage"})
    account = azure.storage.StorageAccount(
        name, account_name=name.replace("-", ""), resource_group_name=RG, location=location,
        kind="StorageV2", sku={"name": "Standard_ZRS"}, allow_blob_public_access=False,
        allow_shared_key_access=False, enable_https_traffic_only=True, minimum_tls_version=tls,
        public_network_access="Disabled", encryption=encryption,
        immutable_storage_with_versioning={"enabled": True}, tags=tags)
    if versioned:
        azure.storage.BlobServiceProperties(
            name, account_name=account.name, resource_group_name=RG, blob_services_name="default",
            is_versioning_enabled=True, delete_retention_policy={"enabled": True, "days": 30})
    if logged:
        azure.monitor.DiagnosticSetting(
            name, resource_uri=account.id, workspace_id=workspace.id,
            logs=[{"category_group": "audit", "enabled": True}])
    return account


storage("models")
storage("enc-no-cmk", cmk=False)
storage("tls-old-tls", tls="TLS1_0")
storage("log-no-diagnostics", logged=False)
storage("int-no-versioning", versioned=False)
key("key-no-rotation", rotate=False)
azure.network.NetworkSecurityGroup(
    "net-rdp-from-internet", resource_group_name=RG, location=LOCATION, tags=tags,
    security_rules=[{"name": "rdp", "priority": 100, "direction": "Inbound", "access": "Allow",
                     "protocol": "Tcp", "source_address_prefix": "Internet",
                     "source_port_range": "*", "destination_address_prefix": "*",
                     "destination_port_range": "3389"}])
nodes_nsg = azure.network.NetworkSecurityGroup("nodes", resource_group_name=RG,
                                               location=LOCATION, tags=tags)
azure.network.Subnet(
    "net-default-outbound", resource_group_name=RG, virtual_network_name="medinfra",
    subnet_name="nodes", address_prefix="10.0.0.0/17", network_security_group={"id": nodes_nsg.id},
    default_outbound_access=True)
azure.authorization.RoleAssignment(
    "iam-subscription-wide", principal_id="00000000-0000-0000-0000-0000000000b1",
    principal_type="ServicePrincipal", scope="/subscriptions/00000000-0000-0000-0000-000000000000",
    role_definition_id="/providers/Microsoft.Authorization/roleDefinitions/"
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1")
model = azure.managedidentity.UserAssignedIdentity(
    "model", resource_group_name=RG, location=LOCATION, resource_name_="model", tags=tags)
# A model identity that trusts tokens from outside the plan's clusters.
azure.managedidentity.FederatedIdentityCredential(
    "iam-foreign-issuer", resource_group_name=RG, resource_name_=model.name,
    federated_identity_credential_resource_name="chest-xray",
    issuer="https://oidc.example.org/", subject="system:serviceaccount:models:chest-xray",
    audiences=["api://AzureADTokenExchange"])
azure.network.NetworkSecurityGroup("res-outside-region", resource_group_name=RG,
                                   location="eastus", tags=tags)
azure.network.NetworkSecurityGroup("tag-missing", resource_group_name=RG, location=LOCATION,
                                   tags={"owner": "ml-platform"})

des = azure.compute.DiskEncryptionSet(
    "volumes", resource_group_name=RG, location=LOCATION, tags=tags,
    encryption_type="EncryptionAtRestWithCustomerKey", identity={"type": "SystemAssigned"},
    active_key={"key_url": key("volumes").key_uri_with_version})
cluster = azure.containerservice.ManagedCluster(
    "hrd-unpatched-nodes", resource_group_name=RG, location=LOCATION, dns_prefix="medinfra",
    enable_rbac=True, disable_local_accounts=True,
    aad_profile={"managed": True, "enable_azure_rbac": True},
    api_server_access_profile={"enable_private_cluster": True},
    oidc_issuer_profile={"enabled": True},
    security_profile={"workload_identity": {"enabled": True},
                      "azure_key_vault_kms": {"enabled": True,
                                              "key_id": key("secrets").key_uri_with_version,
                                              "key_vault_network_access": "Private"}},
    disk_encryption_set_id=des.id,
    auto_upgrade_profile={"node_os_upgrade_channel": "None", "upgrade_channel": "patch"},
    agent_pool_profiles=[{"name": "system", "mode": "System", "vm_size": "Standard_D4s_v5",
                          "count": 3, "enable_node_public_ip": False}],
    tags=tags)
azure.monitor.DiagnosticSetting(
    "aks", resource_uri=cluster.id, workspace_id=workspace.id,
    logs=[{"category": "kube-audit", "enabled": True}])
# A Health Data Services workspace without a private endpoint: its DICOM and FHIR services
# would answer on public networks.
azure.healthcareapis.Workspace(
    "net-hds-no-private-endpoint", resource_group_name=RG, location=LOCATION,
    workspace_name="medinfrahds", tags=tags)
