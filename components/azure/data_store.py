"""`DataStore`: a private StorageV2 account and container encrypted with the stack's key."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from medinfra.components import PACKAGE
from medinfra.components.azure.common import diagnostics, grant, private_endpoint
from medinfra.components.validation import raise_if_invalid

_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")
_CONTAINER = re.compile(r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")


@dataclass(frozen=True, kw_only=True)
class DataStoreArgs:
    """Inputs of `DataStore`."""

    resource_group_name: pulumi.Input[str]
    """Resource group of the account."""
    location: str
    """Azure region."""
    account_name: str
    """Globally unique storage account name (3-24 lowercase letters and digits)."""
    container_name: str
    """The store's blob container."""
    key_vault_uri: pulumi.Input[str]
    """URI of the vault holding the customer-managed key."""
    key_name: pulumi.Input[str]
    """Name of the key (versionless: Storage follows its rotation)."""
    key_id: pulumi.Input[str]
    """ARM id of the key (scope of the encryption identity's grant)."""
    endpoint_subnet_id: pulumi.Input[str]
    """Subnet of the account's blob private endpoint."""
    dns_zone_id: pulumi.Input[str]
    """privatelink.blob.core.windows.net zone."""
    workspace_id: pulumi.Input[str]
    """Log Analytics workspace for blob access logs."""
    retention_days: int | None = None
    """Immutability (WORM) period for new blob versions; None: no immutability policy."""
    soft_delete_days: int = 30
    """Days deleted blobs and containers stay recoverable (1-365)."""
    replication: str = "Standard_ZRS"
    """Storage SKU (zone-redundant by default)."""
    immutability_support_only: bool = False
    """With no retention_days: still turn on version-level immutability support, without a
    default policy, for a store a service keeps appending to (a WORM default would refuse its
    writes); legal holds and blob-level policies stay possible, e.g. during an investigation."""


def _validate(args: DataStoreArgs) -> list[tuple[str, str]]:
    problems = []
    if not _ACCOUNT.match(args.account_name):
        problems.append(("accountName", f"{args.account_name!r}: 3-24 lowercase letters/digits"))
    if not _CONTAINER.match(args.container_name):
        problems.append(("containerName", f"{args.container_name!r} is not a container name"))
    if not 1 <= args.soft_delete_days <= 365:
        problems.append(("softDeleteDays", "must be 1 to 365"))
    if args.retention_days is not None and not 1 <= args.retention_days <= 146000:
        problems.append(("retentionDays", "must be 1 to 146000"))
    return problems


class DataStore(pulumi.ComponentResource):
    """StorageV2 with a customer-managed key (through a user-assigned identity), infrastructure
    encryption, HTTPS and TLS 1.2 only, no public blobs, no shared keys, private endpoint only,
    versioning, soft delete, change feed, optional immutability and audit logs."""

    def __init__(self, name: str, args: DataStoreArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:azure:DataStore", name, _validate(args))
        super().__init__(f"{PACKAGE}:azure:DataStore", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        rg = args.resource_group_name
        self.identity = azure.managedidentity.UserAssignedIdentity(
            f"{name}-cmk",
            resource_group_name=rg,
            location=args.location,
            resource_name_=f"{args.account_name}-cmk",
            opts=child,
        )
        key_grant = grant(
            f"{name}-cmk",
            role="Key Vault Crypto Service Encryption User",
            principal_id=self.identity.principal_id,
            scope=args.key_id,
            parent=self,
        )
        immutability = None
        if args.retention_days is not None:
            # HIPAA 164.316(b)(2): versions cannot be changed or deleted during retention. Created
            # unlocked (Azure requires it); locking is a deliberate, irreversible operator step.
            immutability = {
                "enabled": True,
                "immutability_policy": {
                    "immutability_period_since_creation_in_days": args.retention_days,
                    "state": "Unlocked",
                    "allow_protected_append_writes": False,
                },
            }
        elif args.immutability_support_only:
            immutability = {"enabled": True}
        self.account = azure.storage.StorageAccount(
            name,
            resource_group_name=rg,
            location=args.location,
            account_name=args.account_name,
            kind="StorageV2",
            sku={"name": args.replication},
            access_tier="Hot",
            identity={"type": "UserAssigned", "user_assigned_identities": [self.identity.id]},
            # HIPAA 164.312(a)(2)(iv): our key, plus a second (infrastructure) encryption layer.
            encryption={
                "key_source": "Microsoft.Keyvault",
                "key_vault_properties": {
                    "key_name": args.key_name,
                    "key_vault_uri": args.key_vault_uri,
                },
                "encryption_identity": {"encryption_user_assigned_identity": self.identity.id},
                "require_infrastructure_encryption": True,
                "services": {
                    s: {"enabled": True, "key_type": "Account"}
                    for s in ("blob", "file", "queue", "table")
                },
            },
            # HIPAA 164.312(e)(1): encrypted transport only, TLS 1.2 or newer.
            enable_https_traffic_only=True,
            minimum_tls_version="TLS1_2",
            allow_blob_public_access=False,
            # Entra ID only: no account keys, no account SAS, no local (SFTP) users.
            allow_shared_key_access=False,
            default_to_o_auth_authentication=True,
            is_local_user_enabled=False,
            is_sftp_enabled=False,
            allow_cross_tenant_replication=False,
            allowed_copy_scope="PrivateLink",
            public_network_access="Disabled",
            network_rule_set={"default_action": "Deny", "bypass": "AzureServices"},
            immutable_storage_with_versioning=immutability,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[key_grant]),
        )
        self.blob_service = azure.storage.BlobServiceProperties(
            name,
            resource_group_name=rg,
            account_name=self.account.name,
            blob_services_name="default",
            is_versioning_enabled=True,
            delete_retention_policy={"enabled": True, "days": args.soft_delete_days},
            container_delete_retention_policy={"enabled": True, "days": args.soft_delete_days},
            change_feed={"enabled": True},
            opts=child,
        )
        self.container = azure.storage.BlobContainer(
            name,
            resource_group_name=rg,
            account_name=self.account.name,
            container_name=args.container_name,
            public_access="None",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.blob_service]),
        )
        private_endpoint(
            f"{name}-blob",
            resource_group_name=rg,
            location=args.location,
            subnet_id=args.endpoint_subnet_id,
            target_id=self.account.id,
            group_id="blob",
            dns_zone_id=args.dns_zone_id,
            parent=self,
        )
        # HIPAA 164.312(b): every read, write and delete of the store is logged.
        diagnostics(
            f"{name}-blob",
            resource_uri=self.blob_service.id,
            workspace_id=args.workspace_id,
            parent=self,
        )
        self.register_outputs({"accountId": self.account.id, "containerId": self.container.id})
