"""Helpers the Azure building blocks share: built-in roles, role assignments, private endpoints
and diagnostic settings. Each helper creates its resources under the calling component."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_azure_native as azure

#: Built-in Azure roles MedInfra grants (name -> role definition GUID). Data-plane roles only,
#: each granted on the narrowest scope that works (one key, one container, one registry).
ROLES = {
    # wrap/unwrap with one key: what Storage, ACR and disk encryption sets need for a CMK.
    "Key Vault Crypto Service Encryption User": "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    # encrypt/decrypt with one key: what the AKS KMS plugin needs for etcd encryption.
    "Key Vault Crypto User": "12338af0-0e69-4776-bea7-57ae8d297424",
    # AKS KMS with a private vault manages the vault's private link as the cluster identity.
    "Key Vault Contributor": "f25e0fa2-a7c8-4377-a976-54943a77a395",
    "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    # write blobs to one container: what a VNet flow log's identity needs on its log store.
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    "AcrPull": "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    "Managed Identity Operator": "f1a07417-d97a-45cb-824c-7a7467783830",
    "Network Contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
    "Reader": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    "Azure Kubernetes Service RBAC Cluster Admin": "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    # read and search one DICOM or FHIR service (a model reading the stores its config names).
    "DICOM Data Reader": "e89c7a3c-2f64-4fa1-a847-3e4c9ba4283a",
    "FHIR Data Reader": "4c8d0bbc-75d3-4935-991f-5f3c56d81508",
}

#: Audience Entra ID expects in a federated (workload identity) token.
FEDERATION_AUDIENCE = "api://AzureADTokenExchange"


def role_definition_id(subscription_id: str, role: str) -> str:
    """ARM id of a built-in role definition."""
    return (
        f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/roleDefinitions/"
        f"{ROLES[role]}"
    )


def grant(
    name: str,
    *,
    role: str,
    principal_id: pulumi.Input[str],
    scope: pulumi.Input[str],
    parent: pulumi.Resource,
    principal_type: str | None = "ServicePrincipal",
) -> azure.authorization.RoleAssignment:
    """Assign one built-in role to one principal on exactly `scope`."""
    client = azure.authorization.get_client_config_output(
        opts=pulumi.InvokeOutputOptions(parent=parent)
    )
    return azure.authorization.RoleAssignment(
        name,
        principal_id=principal_id,
        principal_type=principal_type,
        role_definition_id=client.subscription_id.apply(lambda s: role_definition_id(s, role)),
        scope=scope,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def private_endpoint(
    name: str,
    *,
    resource_group_name: pulumi.Input[str],
    location: str,
    subnet_id: pulumi.Input[str],
    target_id: pulumi.Input[str],
    group_id: str,
    dns_zone_id: pulumi.Input[str],
    parent: pulumi.Resource,
) -> azure.network.PrivateEndpoint:
    """A private endpoint for one sub-resource of `target_id`, registered in its private zone."""
    endpoint = azure.network.PrivateEndpoint(
        name,
        resource_group_name=resource_group_name,
        location=location,
        subnet={"id": subnet_id},
        private_link_service_connections=[
            {"name": name, "private_link_service_id": target_id, "group_ids": [group_id]}
        ],
        opts=pulumi.ResourceOptions(parent=parent),
    )
    azure.network.PrivateDnsZoneGroup(
        name,
        resource_group_name=resource_group_name,
        private_endpoint_name=endpoint.name,
        private_dns_zone_group_name="default",
        private_dns_zone_configs=[{"name": group_id, "private_dns_zone_id": dns_zone_id}],
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return endpoint


def diagnostics(
    name: str,
    *,
    resource_uri: pulumi.Input[str],
    workspace_id: pulumi.Input[str],
    parent: pulumi.Resource,
    categories: Sequence[str] = (),
    category_groups: Sequence[str] = ("allLogs",),
    metrics: bool = False,
) -> azure.monitor.DiagnosticSetting:
    """Send a resource's logs (named categories, or category groups) to Log Analytics."""
    logs = [{"category": c, "enabled": True} for c in categories]
    logs += [] if categories else [{"category_group": g, "enabled": True} for g in category_groups]
    return azure.monitor.DiagnosticSetting(
        name,
        name=f"{name}-to-log-analytics",
        resource_uri=resource_uri,
        workspace_id=workspace_id,
        logs=logs,
        metrics=[{"category": "AllMetrics", "enabled": True}] if metrics else None,
        opts=pulumi.ResourceOptions(parent=parent),
    )
