"""`Keys`: a private Key Vault (RBAC, purge protection) with one rotating RSA key per purpose."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from medinfra.components import PACKAGE
from medinfra.components.azure.common import diagnostics, private_endpoint
from medinfra.components.validation import raise_if_invalid

#: Purposes: storage and registry CMK, Kubernetes secrets (KMS), node and volume disks.
PURPOSES = ("data", "secrets", "volumes")
RSA_SIZES = (3072, 4096)


@dataclass(frozen=True, kw_only=True)
class KeysArgs:
    """Inputs of `Keys`."""

    resource_group_name: pulumi.Input[str]
    """Resource group of the vault."""
    location: str
    """Azure region."""
    vault_name: str
    """Globally unique vault name (3-24 characters)."""
    endpoint_subnet_id: pulumi.Input[str]
    """Subnet of the vault's private endpoint."""
    dns_zone_id: pulumi.Input[str]
    """privatelink.vaultcore.azure.net zone the endpoint registers in."""
    workspace_id: pulumi.Input[str]
    """Log Analytics workspace for the vault's audit logs."""
    purposes: tuple[str, ...] = PURPOSES
    """One key per purpose: separate keys limit what one grant or one leak exposes."""
    key_size: int = 3072
    """RSA key size (3072 or 4096; NIST SP 800-57 beyond 2030)."""
    # HSM-protected keys (FIPS 140-3 level 3) need the premium vault SKU.
    hsm_backed: bool = True
    """RSA-HSM keys in a premium vault (false: software keys, standard vault)."""
    # HIPAA 164.312(a)(2)(iv): deleted keys stay recoverable for the longest period Azure offers.
    soft_delete_retention_days: int = 90
    """Days a deleted vault or key stays recoverable (7-90)."""
    rotate_after: str = "P90D"
    """ISO 8601 duration after which Key Vault rotates each key."""
    expire_after: str = "P180D"
    """ISO 8601 duration after which a key version expires (longer than rotate_after)."""


def _validate(args: KeysArgs) -> list[tuple[str, str]]:
    problems = []
    for p in args.purposes:
        if p not in PURPOSES:
            problems.append(("purposes", f"unknown purpose {p!r}; one of {list(PURPOSES)}"))
    if args.key_size not in RSA_SIZES:
        problems.append(("keySize", f"{args.key_size}: must be one of {list(RSA_SIZES)}"))
    if not 7 <= args.soft_delete_retention_days <= 90:
        problems.append(("softDeleteRetentionDays", "must be 7 to 90"))
    if not 3 <= len(args.vault_name) <= 24:
        problems.append(("vaultName", f"{args.vault_name!r}: must be 3 to 24 characters"))
    return problems


# Key Vault's DNS suffix in Azure's public cloud (sovereign clouds use their own).
VAULT_DNS_SUFFIX = "vault.azure.net"


def vault_uri(vault_name: str) -> str:
    """`https://<vault>.vault.azure.net/`, the form Azure gives every vault's URI."""
    return f"https://{vault_name}.{VAULT_DNS_SUFFIX}/"


def rotation_policy(rotate_after: str, expire_after: str) -> dict:
    """Rotate automatically; notify 30 days before a version would expire."""
    return {
        "attributes": {"expiry_time": expire_after},
        "lifetime_actions": [
            {"trigger": {"time_after_create": rotate_after}, "action": {"type": "rotate"}},
            {"trigger": {"time_before_expiry": "P30D"}, "action": {"type": "notify"}},
        ],
    }


class Keys(pulumi.ComponentResource):
    """Key Vault with RBAC authorization, purge protection, 90-day soft delete, no public
    network access (private endpoint only), audit logs; one rotating RSA key per purpose."""

    def __init__(self, name: str, args: KeysArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:azure:Keys", name, _validate(args))
        super().__init__(f"{PACKAGE}:azure:Keys", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        client = azure.authorization.get_client_config_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        )
        self.vault = azure.keyvault.Vault(
            name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            vault_name=args.vault_name,
            properties={
                "tenant_id": client.tenant_id,
                "sku": {"family": "A", "name": "premium" if args.hsm_backed else "standard"},
                # Azure RBAC, not access policies: grants are per key and show up in IAM audits.
                "enable_rbac_authorization": True,
                "enable_soft_delete": True,
                "soft_delete_retention_in_days": args.soft_delete_retention_days,
                # A deleted vault or key cannot be purged before its retention ends.
                "enable_purge_protection": True,
                # Reachable through the private endpoint only; trusted Azure services (Storage,
                # ACR, disk encryption) still reach it for CMK operations.
                "public_network_access": "Disabled",
                "network_acls": {"default_action": "Deny", "bypass": "AzureServices"},
                "enabled_for_deployment": False,
                "enabled_for_template_deployment": False,
                "enabled_for_disk_encryption": False,
            },
            opts=child,
        )
        #: The vault's URI (Storage reads its key through it), from the vault's name: Azure
        #: fixes its form, so it is known in a first preview (the `vaultUri` output is not).
        self._vault_name = args.vault_name
        self.vault_uri = self.vault.urn.apply(lambda _: vault_uri(args.vault_name))
        self.keys: dict[str, azure.keyvault.Key] = {}
        for purpose in args.purposes:
            self.keys[purpose] = azure.keyvault.Key(
                f"{name}-{purpose}",
                resource_group_name=args.resource_group_name,
                # The name the program gave the vault (its `name` output is unknown until then).
                vault_name=self.vault.urn.apply(lambda _: args.vault_name),
                key_name=purpose,
                properties={
                    "kty": "RSA-HSM" if args.hsm_backed else "RSA",
                    "key_size": args.key_size,
                    "attributes": {"enabled": True},
                    # CIS Azure 8.x: keys rotate automatically and have an expiry.
                    "rotation_policy": rotation_policy(args.rotate_after, args.expire_after),
                },
                opts=child,
            )
        private_endpoint(
            f"{name}-vault",
            resource_group_name=args.resource_group_name,
            location=args.location,
            subnet_id=args.endpoint_subnet_id,
            target_id=self.vault.id,
            group_id="vault",
            dns_zone_id=args.dns_zone_id,
            parent=self,
        )
        # HIPAA 164.312(b): every key operation is audited.
        diagnostics(
            f"{name}-vault",
            resource_uri=self.vault.id,
            workspace_id=args.workspace_id,
            parent=self,
        )
        self.register_outputs(
            {"vaultId": self.vault.id, "keyIds": {p: k.id for p, k in self.keys.items()}}
        )

    def key(self, purpose: str) -> azure.keyvault.Key:
        """The key for `purpose`."""
        return self.keys[purpose]

    def key_name(self, purpose: str) -> pulumi.Output[str]:
        """The name of the key for `purpose`, tied to the key (its `name` output is not known
        before the key exists; the name the program gave it is)."""
        return self.keys[purpose].urn.apply(lambda _: purpose)

    def key_uri(self, purpose: str) -> pulumi.Output[str]:
        """The versionless URI of the key for `purpose`: services that accept it follow the
        key's rotation, and it is known before the key exists (unlike a versioned URI)."""
        return self.keys[purpose].urn.apply(
            lambda _: f"{vault_uri(self._vault_name)}keys/{purpose}"
        )
