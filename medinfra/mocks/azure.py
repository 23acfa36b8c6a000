"""Azure part of the offline planner's deterministic cloud (see `medinfra.mocks.OfflineCloud`).

Resource ids have the ARM shape Azure gives them (child resources nest under their parent's
id), so a value such as a role assignment's scope can be read as "this container" and traced
back to the resource that produced it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Callable

PACKAGE = "azure-native"
SUBSCRIPTION_ID = "00000000-0000-0000-0000-000000000000"
TENANT_ID = "00000000-0000-0000-0000-00000000aaaa"
CLIENT_OBJECT_ID = "00000000-0000-0000-0000-0000000000b1"

#: type -> (ARM provider namespace, ((collection, input naming that level) | fixed name, ...)).
#: A level's name is the input's value; a plain string is a fixed child name ("default").
_ARM_PATHS: dict[str, tuple[str, tuple]] = {
    "keyvault:Vault": ("Microsoft.KeyVault", (("vaults", "vaultName"),)),
    "keyvault:Key": ("Microsoft.KeyVault", (("vaults", "vaultName"), ("keys", "keyName"))),
    "managedidentity:UserAssignedIdentity": (
        "Microsoft.ManagedIdentity",
        (("userAssignedIdentities", "resourceName"),),
    ),
    "managedidentity:FederatedIdentityCredential": (
        "Microsoft.ManagedIdentity",
        (
            ("userAssignedIdentities", "resourceName"),
            ("federatedIdentityCredentials", "federatedIdentityCredentialResourceName"),
        ),
    ),
    "storage:StorageAccount": ("Microsoft.Storage", (("storageAccounts", "accountName"),)),
    "storage:BlobServiceProperties": (
        "Microsoft.Storage",
        (("storageAccounts", "accountName"), ("blobServices", "default")),
    ),
    "storage:BlobContainer": (
        "Microsoft.Storage",
        (
            ("storageAccounts", "accountName"),
            ("blobServices", "default"),
            ("containers", "containerName"),
        ),
    ),
    "containerregistry:Registry": (
        "Microsoft.ContainerRegistry",
        (("registries", "registryName"),),
    ),
    "containerservice:ManagedCluster": (
        "Microsoft.ContainerService",
        (("managedClusters", "resourceName"),),
    ),
    "containerservice:AgentPool": (
        "Microsoft.ContainerService",
        (("managedClusters", "resourceName"), ("agentPools", "agentPoolName")),
    ),
    "compute:DiskEncryptionSet": (
        "Microsoft.Compute",
        (("diskEncryptionSets", "diskEncryptionSetName"),),
    ),
    "network:VirtualNetwork": ("Microsoft.Network", (("virtualNetworks", "virtualNetworkName"),)),
    "network:Subnet": (
        "Microsoft.Network",
        (("virtualNetworks", "virtualNetworkName"), ("subnets", "subnetName")),
    ),
    "network:NetworkSecurityGroup": (
        "Microsoft.Network",
        (("networkSecurityGroups", "networkSecurityGroupName"),),
    ),
    "network:NatGateway": ("Microsoft.Network", (("natGateways", "natGatewayName"),)),
    "network:PublicIPAddress": (
        "Microsoft.Network",
        (("publicIPAddresses", "publicIpAddressName"),),
    ),
    "network:PrivateEndpoint": (
        "Microsoft.Network",
        (("privateEndpoints", "privateEndpointName"),),
    ),
    "network:PrivateDnsZoneGroup": (
        "Microsoft.Network",
        (
            ("privateEndpoints", "privateEndpointName"),
            ("privateDnsZoneGroups", "privateDnsZoneGroupName"),
        ),
    ),
    "privatedns:PrivateZone": ("Microsoft.Network", (("privateDnsZones", "privateZoneName"),)),
    "privatedns:VirtualNetworkLink": (
        "Microsoft.Network",
        (("privateDnsZones", "privateZoneName"), ("virtualNetworkLinks", "virtualNetworkLinkName")),
    ),
    "operationalinsights:Workspace": (
        "Microsoft.OperationalInsights",
        (("workspaces", "workspaceName"),),
    ),
}


def _arm_id(type_: str, name: str, inputs: dict, h: str) -> tuple[str, str]:
    """(ARM id, physical name) of a new resource."""
    module, kind = type_.split(":")[1], type_.rsplit(":", 1)[-1]
    rg = inputs.get("resourceGroupName", f"{name}-rg")
    group = f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{rg}"
    if type_ == "azure-native:resources:ResourceGroup":
        physical = inputs.get("resourceGroupName") or f"{name}{h[:6]}"
        return f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/{physical}", physical
    if type_ == "azure-native:authorization:RoleAssignment":
        physical = inputs.get("roleAssignmentName") or str(uuid.UUID(h[:32]))
        scope = inputs.get("scope") or f"/subscriptions/{SUBSCRIPTION_ID}"
        return f"{scope}/providers/Microsoft.Authorization/roleAssignments/{physical}", physical
    if type_ == "azure-native:monitor:DiagnosticSetting":
        physical = inputs.get("name") or f"{name}{h[:6]}"
        uri = inputs.get("resourceUri", group)
        return f"{uri}/providers/Microsoft.Insights/diagnosticSettings/{physical}", physical
    known = _ARM_PATHS.get(f"{module}:{kind}")
    if known is None:
        physical = next(
            (
                v
                for k, v in inputs.items()
                if k.endswith("Name") and k != "resourceGroupName" and isinstance(v, str)
            ),
            f"{name}{h[:6]}",
        )
        collection = kind[0].lower() + kind[1:] + "s"
        return (
            f"{group}/providers/Microsoft.{module.capitalize()}/{collection}/{physical}",
            physical,
        )
    namespace, levels = known
    rid, physical = f"{group}/providers/{namespace}", ""
    for collection, source in levels:
        fixed = source == "default"
        physical = source if fixed else inputs.get(source) or f"{name}{h[:6]}"
        rid += f"/{collection}/{physical}"
    return rid, physical


def _hex(h: str, salt: str) -> str:
    return hashlib.sha256(f"{salt}:{h}".encode()).hexdigest()


def _guid(h: str, salt: str) -> str:
    return str(uuid.UUID(_hex(h, salt)[:32]))


def new_resource(cloud, type_: str, name: str, inputs: dict, h: str) -> tuple[str, dict]:
    """(id, computed outputs) for a new `azure-native:` resource; `h` is the URN's sha256 hex.

    Identifiers the program passes on (client ids, login servers, key URIs, the OIDC issuer)
    are returned as the provider names them. A computed identifier nested in an output object
    (a vault's `properties.vaultUri`) is also returned under its own top-level name, so the
    planner can trace a value copied from it back to this resource.
    """
    rid, physical = _arm_id(type_, name, inputs, h)
    location = inputs.get("location", cloud.azure_location)
    extra: dict = {"name": physical, "id": rid}
    kind = type_.split(":", 1)[1]
    identity = inputs.get("identity")
    if isinstance(identity, dict) and isinstance(identity.get("userAssignedIdentities"), list):
        # Inputs list identity ids; the API answers with a map id -> {principalId, clientId}.
        extra["identity"] = {
            **identity,
            "userAssignedIdentities": {
                i: {"principalId": _guid(i, "principal"), "clientId": _guid(i, "client")}
                for i in identity["userAssignedIdentities"]
                if isinstance(i, str)
            },
        }
    if kind == "managedidentity:UserAssignedIdentity":
        extra |= {
            "clientId": _guid(h, "client"),
            "principalId": _guid(h, "principal"),
            "tenantId": TENANT_ID,
        }
    elif kind == "keyvault:Vault":
        uri = f"https://{physical}.vault.azure.net/"
        extra |= {"properties": {**(inputs.get("properties") or {}), "vaultUri": uri}}
        extra["vaultUri"] = uri
    elif kind == "keyvault:Key":
        uri = f"https://{inputs.get('vaultName', 'vault')}.vault.azure.net/keys/{physical}"
        extra |= {"keyUri": uri, "keyUriWithVersion": f"{uri}/{_hex(h, 'version')[:32]}"}
    elif kind == "containerregistry:Registry":
        extra["loginServer"] = f"{physical}.azurecr.io"
    elif kind == "storage:StorageAccount":
        extra["primaryEndpoints"] = {"blob": f"https://{physical}.blob.core.windows.net/"}
    elif kind == "containerservice:ManagedCluster":
        issuer = f"https://{location}.oic.prod-aks.azure.com/{TENANT_ID}/{_guid(h, 'oidc')}/"
        extra |= {
            "oidcIssuerProfile": {"enabled": True, "issuerURL": issuer},
            "issuerURL": issuer,
            "privateFQDN": f"{physical}-{h[:8]}.privatelink.{location}.azmk8s.io",
            "fqdn": f"{physical}-{h[:8]}.hcp.{location}.azmk8s.io",
        }
    elif kind == "operationalinsights:Workspace":
        extra["customerId"] = _guid(h, "workspace")
    return rid, extra


def kubeconfig(server: str, cluster: str) -> str:
    """An AKS user kubeconfig in `exec` format (kubelogin, Entra ID); no static credentials."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": cluster,
            "clusters": [
                {
                    "name": cluster,
                    "cluster": {
                        "server": f"https://{server}:443",
                        "certificate-authority-data": "b2ZmbGluZS1wbGFjZWhvbGRlci1jYQ==",
                    },
                }
            ],
            "contexts": [{"name": cluster, "context": {"cluster": cluster, "user": "user"}}],
            "users": [
                {
                    "name": "user",
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "kubelogin",
                            "args": [
                                "get-token",
                                "--login",
                                "azurecli",
                                "--server-id",
                                "6dae42f8-4368-4678-94ff-3960e28e3630",
                            ],
                        }
                    },
                }
            ],
        }
    )


def _user_credentials(args: dict) -> dict:
    cluster = args.get("resourceName", "cluster")
    config = kubeconfig(f"{cluster}.privatelink.azmk8s.io", cluster)
    value = base64.b64encode(config.encode()).decode()
    return {"kubeconfigs": [{"name": "clusterUser", "value": value}]}


def invokes(cloud) -> dict[str, Callable[[dict], dict]]:
    """Data sources answered offline: token -> answer(args)."""
    return {
        "azure-native:authorization:getClientConfig": lambda a: {
            "clientId": "00000000-0000-0000-0000-0000000000c1",
            "objectId": CLIENT_OBJECT_ID,
            "subscriptionId": SUBSCRIPTION_ID,
            "tenantId": TENANT_ID,
        },
        "azure-native:containerservice:listManagedClusterUserCredentials": _user_credentials,
    }
