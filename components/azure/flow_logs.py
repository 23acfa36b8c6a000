"""`VnetFlowLog`: the VNet's flow log, written by the subscription's Network Watcher into a
private, customer-key encrypted storage account through a user-assigned identity.

What Azure requires, and where it says so (Microsoft Learn, articles/network-watcher/ and
articles/storage/common/ of MicrosoftDocs/azure-docs):

* `vnet-flow-logs-overview.md`, "Storage account considerations": the log account must be in
  the VNet's region and subscription (or tenant), must be a *standard* account (premium is not
  supported), and with access-key authentication, rotating the keys silently stops the logs.
* `vnet-flow-logs-managed-identity.md`: a VNet flow log can authenticate to its storage
  account with a *user-assigned* managed identity (`identity.userAssignedIdentities` of the
  `Microsoft.Network/networkWatchers/flowLogs` resource) holding *Storage Blob Data
  Contributor*. That is what lets the account keep shared keys off.
* `frequently-asked-questions.md` / `storage-network-security.md`: an account that denies
  network access needs the "trusted Microsoft services" exception (`networkAcls.bypass:
  AzureServices`; Azure Networking is on the trusted list) for Network Watcher to write.
* `network-watcher-create.md`: Azure enables Network Watcher by itself, one per subscription
  and region, as `NetworkWatcher_<region>` in the resource group `NetworkWatcherRG`. A stack
  must not create (or delete) it: the flow log only references it by name.

So the log store is MedInfra's Azure `DataStore` (standard SKU, CMK, shared keys and public
network access off, deny-by-default network rules with the AzureServices bypass, a private
endpoint for our own readers, blob audit logs) with version-level immutability *support* but
no default WORM policy: Network Watcher keeps adding blocks to its hourly block blobs, which an
account-level time-based policy would refuse (its protected appends cover append blobs only);
legal holds and blob-level policies remain possible during an investigation. The
container is the one Network Watcher writes to, created up front so the identity's grant is
scoped to that one container, never to the account.

Open point, to confirm in a real subscription: Azure documents the trusted-service bypass for
"Enabled from selected networks"; whether Network Watcher's trusted access also holds with
`publicNetworkAccess: Disabled` is not stated explicitly in the pages above.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from medinfra.components import PACKAGE
from medinfra.components.azure.common import grant
from medinfra.components.azure.data_store import DataStore, DataStoreArgs
from medinfra.components.validation import raise_if_invalid

#: Where Azure puts the per-region Network Watcher it creates (network-watcher-create.md).
NETWORK_WATCHER_GROUP = "NetworkWatcherRG"
#: The blob container VNet flow logs are written to (vnet-flow-logs-overview.md, log format).
FLOW_LOG_CONTAINER = "insights-logs-flowlogflowevent"


def network_watcher_name(location: str) -> str:
    """The name Azure gives the Network Watcher it creates in `location`."""
    return f"NetworkWatcher_{location}"


@dataclass(frozen=True, kw_only=True)
class VnetFlowLogArgs:
    """Inputs of `VnetFlowLog`."""

    resource_group_name: pulumi.Input[str]
    """Resource group of the log store and the writer identity."""
    location: str
    """Azure region of the VNet (the log store must be in the same region)."""
    name: str
    """Physical name prefix (flow log and identity names)."""
    account_name: str
    """Globally unique name of the log storage account (3-24 lowercase letters and digits)."""
    vnet_id: pulumi.Input[str]
    """ARM id of the virtual network to log."""
    retention_days: int
    """Days Network Watcher keeps the flow log blobs (1-365; 0 means forever in Azure, refused
    here because it also disables the lifecycle)."""
    key_vault_uri: pulumi.Input[str]
    """URI of the vault holding the customer-managed key of the log store."""
    key_name: pulumi.Input[str]
    """Name of that key (versionless)."""
    key_id: pulumi.Input[str]
    """ARM id of that key."""
    endpoint_subnet_id: pulumi.Input[str]
    """Subnet of the log store's blob private endpoint."""
    dns_zone_id: pulumi.Input[str]
    """privatelink.blob.core.windows.net zone."""
    workspace_id: pulumi.Input[str]
    """Log Analytics workspace for the log store's blob audit logs."""
    network_watcher_group: str = NETWORK_WATCHER_GROUP
    """Resource group of the subscription's Network Watcher (referenced, never created)."""
    network_watcher: str | None = None
    """Name of that Network Watcher; default `NetworkWatcher_<location>`."""
    traffic_analytics_workspace: tuple[pulumi.Input[str], pulumi.Input[str]] | None = None
    """(resource id, workspace GUID) of a Log Analytics workspace for traffic analytics;
    None: raw flow logs only (traffic analytics is billed per GB processed)."""
    replication: str = "Standard_ZRS"
    """Standard storage SKU of the log store (premium is not supported for flow logs)."""


def _validate(args: VnetFlowLogArgs) -> list[tuple[str, str]]:
    problems = []
    if not 1 <= args.retention_days <= 365:
        problems.append(("retentionDays", f"{args.retention_days}: must be 1 to 365"))
    if not args.replication.startswith("Standard_"):
        problems.append(("replication", f"{args.replication!r}: flow logs need a Standard SKU"))
    return problems


class VnetFlowLog(pulumi.ComponentResource):
    """A VNet flow log (all traffic, JSON v2, retention) into a private, CMK-encrypted log store,
    written through a user-assigned identity with Storage Blob Data Contributor on the one
    container. The Network Watcher is Azure's and is only referenced."""

    def __init__(self, name: str, args: VnetFlowLogArgs,
                 opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:azure:VnetFlowLog", name, _validate(args))
        super().__init__(f"{PACKAGE}:azure:VnetFlowLog", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        rg = args.resource_group_name
        # HIPAA 164.312(b): the log store meets the data-store baseline (CMK, private, no keys).
        self.store = DataStore(
            f"{name}-store",
            DataStoreArgs(
                resource_group_name=rg, location=args.location, account_name=args.account_name,
                container_name=FLOW_LOG_CONTAINER, key_vault_uri=args.key_vault_uri,
                key_name=args.key_name, key_id=args.key_id,
                endpoint_subnet_id=args.endpoint_subnet_id, dns_zone_id=args.dns_zone_id,
                workspace_id=args.workspace_id, retention_days=None,
                immutability_support_only=True, replication=args.replication),
            opts=child)
        # Entra ID instead of account keys: shared keys stay off on the log store.
        self.identity = azure.managedidentity.UserAssignedIdentity(
            f"{name}-writer", resource_group_name=rg, location=args.location,
            resource_name_=f"{args.name}-flowlog-writer", opts=child)
        writer = grant(
            f"{name}-writer", role="Storage Blob Data Contributor",
            principal_id=self.identity.principal_id, scope=self.store.container.id, parent=self)
        analytics = None
        if args.traffic_analytics_workspace is not None:
            resource_id, guid = args.traffic_analytics_workspace
            analytics = {"network_watcher_flow_analytics_configuration": {
                "enabled": True, "traffic_analytics_interval": 60, "workspace_id": guid,
                "workspace_region": args.location, "workspace_resource_id": resource_id}}
        self.flow_log = azure.network.FlowLog(
            name,
            # Azure's own watcher for the region: referenced by name, never created here.
            network_watcher_name=args.network_watcher or network_watcher_name(args.location),
            resource_group_name=args.network_watcher_group,
            flow_log_name=f"{args.name}-vnet",
            location=args.location,
            target_resource_id=args.vnet_id,
            storage_id=self.store.account.id,
            # CIS Azure 6.4: flow logs on, every flow (no filtering criteria), kept on purpose.
            enabled=True,
            format={"type": "JSON", "version": 2},
            retention_policy={"enabled": True, "days": args.retention_days},
            identity={"type": "UserAssigned", "user_assigned_identities": [self.identity.id]},
            flow_analytics_configuration=analytics,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[writer]))
        self.register_outputs({"flowLogId": self.flow_log.id,
                               "storageAccountId": self.store.account.id})
