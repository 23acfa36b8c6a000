"""`DiskEncryption`: a disk encryption set that encrypts managed disks with the stack's key."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from medinfra.components import PACKAGE
from medinfra.components.azure.common import grant


@dataclass(frozen=True, kw_only=True)
class DiskEncryptionArgs:
    """Inputs of `DiskEncryption`."""

    resource_group_name: pulumi.Input[str]
    """Resource group of the set."""
    location: str
    """Azure region (disks can only use a set in their own region)."""
    set_name: str
    """Name of the disk encryption set."""
    vault_id: pulumi.Input[str]
    """ARM id of the Key Vault holding the key."""
    key_uri: pulumi.Input[str]
    """Versioned URI of the key (the set then follows its rotation)."""
    key_id: pulumi.Input[str]
    """ARM id of the key (scope of the set identity's grant)."""


class DiskEncryption(pulumi.ComponentResource):
    """Double encryption at rest (platform key plus our key) for node OS disks and persistent
    volumes, through a user-assigned identity that can wrap and unwrap with one key only."""

    def __init__(
        self, name: str, args: DiskEncryptionArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__(f"{PACKAGE}:azure:DiskEncryption", name, None, opts)
        identity = azure.managedidentity.UserAssignedIdentity(
            name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            resource_name_=args.set_name,
            opts=pulumi.ResourceOptions(parent=self),
        )
        key_grant = grant(
            name,
            role="Key Vault Crypto Service Encryption User",
            principal_id=identity.principal_id,
            scope=args.key_id,
            parent=self,
        )
        self.disk_encryption_set = azure.compute.DiskEncryptionSet(
            name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            disk_encryption_set_name=args.set_name,
            # HIPAA 164.312(a)(2)(iv): our key, plus the platform key as a second layer.
            encryption_type="EncryptionAtRestWithPlatformAndCustomerKeys",
            active_key={"key_url": args.key_uri, "source_vault": {"id": args.vault_id}},
            rotation_to_latest_key_version_enabled=True,
            identity={"type": "UserAssigned", "user_assigned_identities": [identity.id]},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[key_grant]),
        )
        self.register_outputs({"diskEncryptionSetId": self.disk_encryption_set.id})
