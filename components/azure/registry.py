"""`Registry`: a private ACR Premium registry encrypted with the stack's key."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from medinfra.components import PACKAGE
from medinfra.components.azure.common import diagnostics, grant, private_endpoint
from medinfra.components.validation import raise_if_invalid

_NAME = re.compile(r"^[a-zA-Z0-9]{5,50}$")


@dataclass(frozen=True, kw_only=True)
class RegistryArgs:
    """Inputs of `Registry`."""

    resource_group_name: pulumi.Input[str]
    """Resource group of the registry."""
    location: str
    """Azure region."""
    registry_name: str
    """Globally unique registry name (5-50 letters and digits)."""
    key_uri: pulumi.Input[str]
    """Versionless key URI (ACR follows the key's rotation)."""
    key_id: pulumi.Input[str]
    """ARM id of the key (scope of the encryption identity's grant)."""
    endpoint_subnet_id: pulumi.Input[str]
    """Subnet of the registry's private endpoint."""
    dns_zone_id: pulumi.Input[str]
    """privatelink.azurecr.io zone."""
    workspace_id: pulumi.Input[str]
    """Log Analytics workspace for registry audit logs."""
    untagged_retention_days: int = 30
    """Days untagged manifests are kept before ACR deletes them (0-365)."""
    zone_redundant: bool = True
    """Spread the registry over availability zones."""
    # Images run by digest from this registry; quarantine needs a scanner pipeline that
    # releases images, so it is off unless the stack has one.
    quarantine: bool = False
    """Hold pushed images in quarantine until a scanner releases them."""


def _validate(args: RegistryArgs) -> list[tuple[str, str]]:
    problems = []
    if not _NAME.match(args.registry_name):
        problems.append(("registryName", f"{args.registry_name!r}: 5-50 letters and digits"))
    if not 0 <= args.untagged_retention_days <= 365:
        problems.append(("untaggedRetentionDays", "must be 0 to 365"))
    return problems


class Registry(pulumi.ComponentResource):
    """ACR Premium: customer-managed key through a user-assigned identity, admin user and
    anonymous pull off, private endpoint only, no export, retention of untagged manifests,
    audit logs."""

    def __init__(self, name: str, args: RegistryArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:azure:Registry", name, _validate(args))
        super().__init__(f"{PACKAGE}:azure:Registry", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.identity = azure.managedidentity.UserAssignedIdentity(
            f"{name}-cmk",
            resource_group_name=args.resource_group_name,
            location=args.location,
            resource_name_=f"{args.registry_name}-cmk",
            opts=child,
        )
        key_grant = grant(
            f"{name}-cmk",
            role="Key Vault Crypto Service Encryption User",
            principal_id=self.identity.principal_id,
            scope=args.key_id,
            parent=self,
        )
        status = "enabled"
        self.registry = azure.containerregistry.Registry(
            name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            registry_name=args.registry_name,
            # Premium: the only tier with CMK, private endpoints and retention policies.
            sku={"name": "Premium"},
            # This API version keys user-assigned identities by id (a map, not a list).
            identity=self.identity.id.apply(
                lambda i: {"type": "UserAssigned", "user_assigned_identities": {i: {}}}
            ),
            # HIPAA 164.312(a)(2)(iv): images and artifacts encrypted with our key.
            encryption={
                "status": status,
                "key_vault_properties": {
                    "identity": self.identity.client_id,
                    "key_identifier": args.key_uri,
                },
            },
            # Entra ID identities only: no shared admin password, no anonymous pulls.
            admin_user_enabled=False,
            anonymous_pull_enabled=False,
            public_network_access="Disabled",
            network_rule_bypass_options="AzureServices",
            data_endpoint_enabled=True,
            zone_redundancy="Enabled" if args.zone_redundant else "Disabled",
            policies={
                "retention_policy": {
                    "status": status,
                    "days": args.untagged_retention_days,
                },
                "quarantine_policy": {"status": status if args.quarantine else "disabled"},
                # Images cannot be exported out of the private registry.
                "export_policy": {"status": "disabled"},
                # Registry tokens must be scoped to ACR, not reusable ARM tokens. (No trustPolicy:
                # Docker Content Trust is being retired on ACR; pods run images by digest.)
                "azure_ad_authentication_as_arm_policy": {"status": "disabled"},
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[key_grant]),
        )
        private_endpoint(
            f"{name}-registry",
            resource_group_name=args.resource_group_name,
            location=args.location,
            subnet_id=args.endpoint_subnet_id,
            target_id=self.registry.id,
            group_id="registry",
            dns_zone_id=args.dns_zone_id,
            parent=self,
        )
        diagnostics(
            f"{name}-registry",
            resource_uri=self.registry.id,
            workspace_id=args.workspace_id,
            parent=self,
        )
        #: `<name>.azurecr.io`, as Azure forms it: known in a first preview (unlike the
        #: registry's `loginServer` output), so images pinned in it can be judged then.
        self.login_server = self.registry.urn.apply(lambda _: f"{args.registry_name}.azurecr.io")
        self.register_outputs({"loginServer": self.login_server})
