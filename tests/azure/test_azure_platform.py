"""The Azure reference platform, asserted per resource from the offline plan's Inventory."""

from __future__ import annotations

import re

import pytest
from medinfra.components.azure.common import ROLES
from medinfra.components.azure.gpu_cluster import AUDIT_LOGS, GPU_TAINT, SYSTEM_TAINT
from medinfra.components.config import AZURE_GPU_SIZES

from tests.sdk_schema import input_names

AZ = "azure-native:"
VAULT = AZ + "keyvault:Vault"
KEY = AZ + "keyvault:Key"
UAI = AZ + "managedidentity:UserAssignedIdentity"
FEDERATED = AZ + "managedidentity:FederatedIdentityCredential"
ROLE = AZ + "authorization:RoleAssignment"
ACCOUNT = AZ + "storage:StorageAccount"
BLOB_SERVICE = AZ + "storage:BlobServiceProperties"
CONTAINER = AZ + "storage:BlobContainer"
REGISTRY = AZ + "containerregistry:Registry"
CLUSTER = AZ + "containerservice:ManagedCluster"
POOL = AZ + "containerservice:AgentPool"
DES = AZ + "compute:DiskEncryptionSet"
DIAGNOSTICS = AZ + "monitor:DiagnosticSetting"
WORKSPACE = AZ + "operationalinsights:Workspace"
ENDPOINT = AZ + "network:PrivateEndpoint"
SUBNET = AZ + "network:Subnet"
NSG = AZ + "network:NetworkSecurityGroup"
REQUIRED_TAGS = {"owner", "costCenter", "environment", "dataClassification", "managed-by"}
STACKS = ["azure_prod", "azure_dev"]


@pytest.fixture(params=STACKS)
def inv(request):
    return request.getfixturevalue(request.param)


def _role(assignment: dict) -> str:
    guid = assignment["props"]["roleDefinitionId"].rsplit("/", 1)[1]
    (name,) = [n for n, g in ROLES.items() if g == guid]
    return name


def _grants(inv, role: str) -> list[dict]:
    return [a for a in inv.of_type(ROLE) if _role(a) == role]


def _diagnostics_of(inv, resource: dict) -> dict:
    (found,) = [
        d
        for d in inv.of_type(DIAGNOSTICS)
        if d["references"].get("/resourceUri") == resource["urn"]
    ]
    assert inv.referenced(found, "/workspaceId")["type"] == WORKSPACE
    return found


def _endpoint_of(inv, resource: dict) -> dict:
    path = "/privateLinkServiceConnections/0/privateLinkServiceId"
    (found,) = [e for e in inv.of_type(ENDPOINT) if e["references"].get(path) == resource["urn"]]
    assert inv.referenced(found, "/subnet/id")["props"]["subnetName"] == "endpoints"
    return found


def test_key_vault_is_rbac_purge_protected_and_private(inv):
    (vault,) = inv.of_type(VAULT)
    props = vault["props"]["properties"]
    assert props["enableRbacAuthorization"] is True
    assert props["enablePurgeProtection"] is True
    assert props["enableSoftDelete"] is True and props["softDeleteRetentionInDays"] == 90
    assert props["publicNetworkAccess"] == "Disabled"
    assert props["networkAcls"]["defaultAction"] == "Deny"
    assert "accessPolicies" not in props
    assert _endpoint_of(inv, vault)["props"]["privateLinkServiceConnections"][0]["groupIds"] == [
        "vault"
    ]
    _diagnostics_of(inv, vault)


def test_every_key_is_rsa_3072_or_more_and_rotates(inv):
    keys = inv.of_type(KEY)
    assert {k["props"]["keyName"] for k in keys} == {"data", "secrets", "volumes"}
    for key in keys:
        props = key["props"]["properties"]
        assert props["kty"] in ("RSA", "RSA-HSM") and props["keySize"] >= 3072, key["name"]
        actions = {
            a["action"]["type"]: a["trigger"] for a in props["rotationPolicy"]["lifetimeActions"]
        }
        assert re.fullmatch(r"P\d+[YMD]", actions["rotate"]["timeAfterCreate"]), key["name"]
        assert props["rotationPolicy"]["attributes"]["expiryTime"], key["name"]
        assert inv.referenced(key, "/vaultName")["type"] == VAULT


def test_key_grants_name_exactly_one_key_and_an_identity_of_this_plan(inv):
    grants = _grants(inv, "Key Vault Crypto Service Encryption User") + _grants(
        inv, "Key Vault Crypto User"
    )
    # stores, registry, disks, KMS, and the Health Data Services workspace's identity if any
    health = 1 if inv.of_type("azure-native:healthcareapis:Workspace") else 0
    assert len(grants) == len(inv.of_type(ACCOUNT)) + 3 + health
    for grant in grants:
        assert inv.referenced(grant, "/scope")["type"] == KEY, grant["name"]
        assert "/keys/" in grant["props"]["scope"]
        assert inv.referenced(grant, "/principalId")["type"] == UAI, grant["name"]


def _has_key_grant(inv, identity: dict, key: dict) -> bool:
    return any(
        g["references"].get("/principalId") == identity["urn"]
        and g["references"].get("/scope") == key["urn"]
        for g in _grants(inv, "Key Vault Crypto Service Encryption User")
    )


def test_storage_is_encrypted_with_our_key_through_its_own_identity(inv):
    for account in inv.of_type(ACCOUNT):
        enc = account["props"]["encryption"]
        assert enc["keySource"] == "Microsoft.Keyvault"
        assert enc["requireInfrastructureEncryption"] is True
        assert all(s["keyType"] == "Account" for s in enc["services"].values())
        key = inv.referenced(account, "/encryption/keyVaultProperties/keyName")
        assert key["type"] == KEY and key["props"]["keyName"] == "data"
        vault = inv.referenced(account, "/encryption/keyVaultProperties/keyVaultUri")
        assert vault["type"] == VAULT
        identity = inv.referenced(
            account, "/encryption/encryptionIdentity/encryptionUserAssignedIdentity"
        )
        assert identity["type"] == UAI
        assert inv.referenced(account, "/identity/userAssignedIdentities/0") == identity
        assert _has_key_grant(inv, identity, key), account["name"]


def test_storage_accepts_only_private_tls12_entra_id_traffic(inv):
    for account in inv.of_type(ACCOUNT):
        props = account["props"]
        assert props["kind"] == "StorageV2"
        assert props["minimumTlsVersion"] == "TLS1_2"
        assert props["enableHttpsTrafficOnly"] is True
        assert props["allowBlobPublicAccess"] is False
        assert props["allowSharedKeyAccess"] is False
        assert props["publicNetworkAccess"] == "Disabled"
        assert props["networkRuleSet"]["defaultAction"] == "Deny"
        assert props["allowCrossTenantReplication"] is False
        _endpoint_of(inv, account)


def test_blobs_are_versioned_soft_deleted_logged_and_change_fed(inv):
    accounts = inv.of_type(ACCOUNT)
    services = inv.of_type(BLOB_SERVICE)
    assert len(services) == len(accounts)
    for service in services:
        props = service["props"]
        assert inv.referenced(service, "/accountName")["type"] == ACCOUNT
        assert props["isVersioningEnabled"] is True
        assert props["deleteRetentionPolicy"] == {"enabled": True, "days": 30}
        assert props["containerDeleteRetentionPolicy"]["enabled"] is True
        assert props["changeFeed"]["enabled"] is True
        _diagnostics_of(inv, service)
    for container in inv.of_type(CONTAINER):
        assert container["props"]["publicAccess"] == "None"


def test_phi_stores_are_immutable_for_six_years(azure_prod, azure_dev):
    # The flow-log store: immutability support without a WORM default (Network Watcher adds
    # blocks to its hourly blobs, which a default time-based policy would refuse).
    (logs,) = [a for a in azure_prod.of_type(ACCOUNT) if a["name"] == "flow-log-store"]
    assert logs["props"]["immutableStorageWithVersioning"] == {"enabled": True}
    for account in [a for a in azure_prod.of_type(ACCOUNT) if a["name"] != "flow-log-store"]:
        policy = account["props"]["immutableStorageWithVersioning"]
        assert policy["enabled"] is True
        assert policy["immutabilityPolicy"]["immutabilityPeriodSinceCreationInDays"] == 2190
        assert policy["immutabilityPolicy"]["allowProtectedAppendWrites"] is False
    for account in azure_dev.of_type(ACCOUNT):  # de-identified data: no WORM lock
        if account["name"] != "flow-log-store":
            assert "immutableStorageWithVersioning" not in account["props"]


def test_registry_is_premium_private_cmk_encrypted_with_admin_and_anonymous_pull_off(inv):
    (registry,) = inv.of_type(REGISTRY)
    props = registry["props"]
    assert props["sku"] == {"name": "Premium"}
    assert props["adminUserEnabled"] is False
    assert props["anonymousPullEnabled"] is False
    assert props["publicNetworkAccess"] == "Disabled"
    assert props["encryption"]["status"] == "enabled"
    key = inv.referenced(registry, "/encryption/keyVaultProperties/keyIdentifier")
    assert key["type"] == KEY and key["props"]["keyName"] == "data"
    identity = inv.referenced(registry, "/encryption/keyVaultProperties/identity")
    assert identity["type"] == UAI and _has_key_grant(inv, identity, key)
    assert props["policies"]["exportPolicy"] == {"status": "disabled"}
    assert props["policies"]["retentionPolicy"]["status"] == "enabled"
    _endpoint_of(inv, registry)
    _diagnostics_of(inv, registry)


def test_cluster_api_is_private_with_entra_id_rbac_and_no_local_accounts(inv):
    (cluster,) = inv.of_type(CLUSTER)
    props = cluster["props"]
    access = props["apiServerAccessProfile"]
    assert access["enablePrivateCluster"] is True
    assert access["enablePrivateClusterPublicFQDN"] is False
    assert "authorizedIPRanges" not in access
    assert props["aadProfile"]["managed"] is True
    assert props["aadProfile"]["enableAzureRBAC"] is True
    assert props["disableLocalAccounts"] is True
    assert props["enableRBAC"] is True
    assert props["addonProfiles"]["azurepolicy"]["enabled"] is True
    assert props["autoUpgradeProfile"]["upgradeChannel"] in ("patch", "stable")


def test_cluster_encrypts_etcd_with_the_vault_key_and_enables_workload_identity(inv):
    (cluster,) = inv.of_type(CLUSTER)
    security = cluster["props"]["securityProfile"]
    kms = security["azureKeyVaultKms"]
    assert kms["enabled"] is True and kms["keyVaultNetworkAccess"] == "Private"
    key = inv.referenced(cluster, "/securityProfile/azureKeyVaultKms/keyId")
    assert key["type"] == KEY and key["props"]["keyName"] == "secrets"
    assert re.fullmatch(r"https://[^/]+/keys/secrets/[0-9a-f]{32}", kms["keyId"])  # versioned
    vault = inv.referenced(cluster, "/securityProfile/azureKeyVaultKms/keyVaultResourceId")
    assert vault["type"] == VAULT
    control_plane = inv.referenced(cluster, "/identity/userAssignedIdentities/0")
    assert any(
        g["references"]["/principalId"] == control_plane["urn"]
        and g["references"]["/scope"] == key["urn"]
        for g in _grants(inv, "Key Vault Crypto User")
    )
    assert cluster["props"]["oidcIssuerProfile"] == {"enabled": True}
    assert security["workloadIdentity"] == {"enabled": True}
    assert security["defender"]["securityMonitoring"]["enabled"] is True


def test_cluster_disks_use_a_disk_encryption_set_with_the_volumes_key(inv):
    (cluster,) = inv.of_type(CLUSTER)
    des = inv.referenced(cluster, "/diskEncryptionSetID")
    assert des["type"] == DES
    assert des["props"]["encryptionType"] == "EncryptionAtRestWithPlatformAndCustomerKeys"
    key = inv.referenced(des, "/activeKey/keyUrl")
    assert key["type"] == KEY and key["props"]["keyName"] == "volumes"
    identity = inv.referenced(des, "/identity/userAssignedIdentities/0")
    assert _has_key_grant(inv, identity, key)


def test_node_pools_have_no_public_ips_and_encrypt_at_host(inv):
    (cluster,) = inv.of_type(CLUSTER)
    (system,) = cluster["props"]["agentPoolProfiles"]
    assert system["mode"] == "System" and system["nodeTaints"] == [SYSTEM_TAINT]
    for pool in [system] + [p["props"] for p in inv.of_type(POOL)]:
        assert pool["enableNodePublicIP"] is False
        assert pool["enableEncryptionAtHost"] is True
        assert pool["vnetSubnetID"].endswith("/subnets/nodes")


def test_gpu_pools_are_tainted_labelled_gpu_sizes(azure_prod, azure_dev):
    for inv, names in ((azure_prod, {"t4", "a100"}), (azure_dev, {"t4"})):
        pools = inv.of_type(POOL)
        assert {p["props"]["agentPoolName"] for p in pools} == names
        (cluster,) = inv.of_type(CLUSTER)
        for pool in pools:
            props = pool["props"]
            assert inv.referenced(pool, "/resourceName") == cluster
            assert props["mode"] == "User"
            assert props["nodeTaints"] == [GPU_TAINT]
            assert props["nodeLabels"]["nvidia.com/gpu.present"] == "true"
            assert AZURE_GPU_SIZES.match(props["vmSize"]), props["vmSize"]


def test_cluster_audit_logs_go_to_log_analytics(inv):
    (cluster,) = inv.of_type(CLUSTER)
    setting = _diagnostics_of(inv, cluster)
    assert {entry["category"] for entry in setting["props"]["logs"]} == set(AUDIT_LOGS)
    assert all(entry["enabled"] for entry in setting["props"]["logs"])


def test_federated_credential_trusts_one_service_account_on_the_cluster_issuer(inv):
    (credential,) = inv.of_type(FEDERATED)
    props = credential["props"]
    assert props["subject"] == "system:serviceaccount:models:chest-xray"
    assert props["audiences"] == ["api://AzureADTokenExchange"]
    assert inv.referenced(credential, "/issuer")["type"] == CLUSTER
    assert props["issuer"].startswith("https://") and ".oic.prod-aks.azure.com/" in props["issuer"]
    assert inv.referenced(credential, "/resourceName")["type"] == UAI


def test_model_identity_reads_only_its_container(inv):
    (credential,) = inv.of_type(FEDERATED)
    identity = inv.referenced(credential, "/resourceName")
    grants = [
        g for g in inv.of_type(ROLE) if g["references"].get("/principalId") == identity["urn"]
    ]
    # Its DICOM/FHIR reader grants (stores its config names) are judged in test_azure_health.
    grants = [g for g in grants if not _role(g).startswith(("DICOM", "FHIR"))]
    assert [_role(g) for g in grants] == ["Storage Blob Data Reader"]
    (grant,) = grants
    container = inv.referenced(grant, "/scope")
    assert container["type"] == CONTAINER and container["props"]["containerName"] == "models"
    assert re.search(
        r"/storageAccounts/[a-z0-9]+/blobServices/default/containers/models$",
        grant["props"]["scope"],
    )


def test_no_role_is_granted_on_a_subscription_or_resource_group(inv):
    assignments = inv.of_type(ROLE)
    assert len(assignments) >= 10
    for assignment in assignments:
        scope = assignment["props"]["scope"]
        assert not re.fullmatch(r"/subscriptions/[^/]+(/resourceGroups/[^/]+)?/?", scope)
        assert assignment["references"]["/scope"] in inv.by_urn, assignment["name"]


def test_subnets_deny_internet_inbound_and_nodes_egress_through_nat(inv):
    subnets = {s["props"]["subnetName"]: s for s in inv.of_type(SUBNET)}
    assert set(subnets) == {"nodes", "endpoints"}
    for subnet in subnets.values():
        assert subnet["props"]["defaultOutboundAccess"] is False
        nsg = inv.referenced(subnet, "/networkSecurityGroup/id")
        (rule,) = nsg["props"]["securityRules"]
        assert (rule["direction"], rule["access"], rule["sourceAddressPrefix"]) == (
            "Inbound",
            "Deny",
            "Internet",
        )
    nat = inv.referenced(subnets["nodes"], "/natGateway/id")
    assert nat["type"] == AZ + "network:NatGateway"
    (cluster,) = inv.of_type(CLUSTER)
    assert cluster["props"]["networkProfile"]["outboundType"] == "userAssignedNATGateway"


def test_every_taggable_resource_is_tagged_once_with_the_stack_tags(inv):
    classification = inv.document["config"]["dataClassification"]
    tagged = 0
    for resource in inv.resources:
        if not resource["type"].startswith(AZ) or "tags" not in input_names(resource["type"]):
            continue
        tags = resource["props"].get("tags", {})
        assert REQUIRED_TAGS <= set(tags), resource["urn"]
        assert tags["dataClassification"] == classification, resource["urn"]
        tagged += 1
    assert tagged >= 30


def test_everything_is_placed_in_the_stack_region(inv):
    (provider,) = [
        r for r in inv.of_type("pulumi:providers:azure-native") if r["name"] == "azure-native"
    ]
    region = provider["props"]["location"]
    assert region == "westeurope"
    for resource in inv.resources:
        location = resource["props"].get("location") if resource["type"].startswith(AZ) else None
        if location is not None:
            assert location in (region, "global"), resource["urn"]


def test_model_server_uses_workload_identity_and_reads_from_this_stack(inv):
    (account,) = [a for a in inv.of_type(ACCOUNT) if a["props"]["accountName"].endswith("models")]
    (sa,) = inv.of_type("kubernetes:core/v1:ServiceAccount")
    path = "/metadata/annotations/azure.workload.identity~1client-id"
    (credential,) = inv.of_type(FEDERATED)
    assert inv.referenced(sa, path) == inv.referenced(credential, "/resourceName")
    assert sa["props"]["metadata"]["name"] == "chest-xray"
    (isvc,) = inv.of_type("kubernetes:serving.kserve.io/v1beta1:InferenceService")
    predictor = isvc["props"]["spec"]["predictor"]
    assert predictor["labels"] == {"azure.workload.identity/use": "true"}
    assert predictor["serviceAccountName"] == "chest-xray"
    blob = f"https://{account['props']['accountName']}.blob.core.windows.net/models/"
    assert predictor["model"]["storageUri"].startswith(blob)
    assert inv.referenced(isvc, "/spec")["type"] == REGISTRY
    (registry,) = inv.of_type(REGISTRY)
    login = f"{registry['props']['registryName']}.azurecr.io/models@sha256:"
    assert predictor["model"]["image"].startswith(login)
    assert predictor["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    key = GPU_TAINT.split("=")[0]
    assert {"key": key, "operator": "Exists", "effect": "NoSchedule"} in predictor["tolerations"]


def test_kubeconfig_is_secret_and_uses_entra_id_not_static_credentials(inv):
    (provider,) = [
        r for r in inv.of_type("pulumi:providers:kubernetes") if r["name"] == "cluster-k8s"
    ]
    assert "/kubeconfig" in provider["secrets"]
    assert provider["props"]["kubeconfig"] == "[secret]"


def test_storage_initializer_is_pinned_by_digest_in_this_plans_acr(azure_prod):
    from tests.k8s.test_serving import storage_initializer

    image, source = storage_initializer(azure_prod)
    assert re.fullmatch(r"[a-z0-9]+\.azurecr\.io/[a-z0-9/-]+:v[\d.]+@sha256:[0-9a-f]{64}", image)
    assert source["type"] == "azure-native:containerregistry:Registry"


def test_vnet_flow_log_writes_every_flow_through_azures_own_watcher_to_a_private_store(inv):
    (log,) = inv.of_type(AZ + "network:FlowLog")
    props = log["props"]
    # Azure's per-region watcher, referenced by name: no stack creates a Network Watcher.
    assert inv.of_type(AZ + "network:NetworkWatcher") == []
    assert props["networkWatcherName"] == "NetworkWatcher_westeurope"
    assert props["resourceGroupName"] == "NetworkWatcherRG"
    assert props["enabled"] is True and "enabledFilteringCriteria" not in props
    assert props["retentionPolicy"] == {"enabled": True, "days": 365}
    assert props["format"] == {"type": "JSON", "version": 2}
    assert inv.referenced(log, "/targetResourceId")["type"] == AZ + "network:VirtualNetwork"
    store = inv.referenced(log, "/storageId")
    assert store["type"] == ACCOUNT and store["props"]["sku"]["name"].startswith("Standard_")
    # Shared keys off on the store, so Network Watcher writes as the flow log's identity, which
    # holds Storage Blob Data Contributor on the one container flow logs go to, nothing wider.
    assert store["props"]["allowSharedKeyAccess"] is False
    assert store["props"]["networkRuleSet"]["bypass"] == "AzureServices"
    identity = inv.referenced(log, "/identity/userAssignedIdentities/0")
    assert identity["type"] == UAI and props["identity"]["type"] == "UserAssigned"
    grants = [g for g in inv.of_type(ROLE)
              if g["references"].get("/principalId") == identity["urn"]]
    assert [_role(g) for g in grants] == ["Storage Blob Data Contributor"]
    container = inv.referenced(grants[0], "/scope")
    assert container["props"]["containerName"] == "insights-logs-flowlogflowevent"
    assert inv.referenced(container, "/accountName") == store
