"""`HealthWorkspace`: an Azure Health Data Services workspace with DICOM and FHIR R4 services,
encrypted with the stack's key, reachable only through a private endpoint and Entra ID."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from medinfra.components import PACKAGE
from medinfra.components.azure.common import diagnostics, grant
from medinfra.components.validation import raise_if_invalid

_NAME = re.compile(r"^[a-z0-9]{3,24}$")
KINDS = ("dicom", "fhir")
#: Private DNS zones of a workspace's private link: the workspace and each service kind.
PRIVATE_ZONES = {
    "workspace": "privatelink.workspace.azurehealthcareapis.com",
    "fhir": "privatelink.fhir.azurehealthcareapis.com",
    "dicom": "privatelink.dicom.azurehealthcareapis.com",
}
#: Built-in data-plane roles a model's identity gets on one service (read and search only).
#: Ids as Microsoft's "Azure built-in roles for Integration" page lists them (FHIR Data
#: Reader's dataActions are .../fhir/resources/read only).
READER_ROLES = {
    "dicom": ("DICOM Data Reader", "e89c7a3c-2f64-4fa1-a847-3e4c9ba4283a"),
    "fhir": ("FHIR Data Reader", "4c8d0bbc-75d3-4935-991f-5f3c56d81508"),
}


def service_name(store: str) -> str:
    """A service name (3-24 letters and digits) from a store name."""
    return store.replace("-", "")[:24]


@dataclass(frozen=True, kw_only=True)
class HealthWorkspaceArgs:
    """Inputs of `HealthWorkspace`."""

    resource_group_name: pulumi.Input[str]
    """Resource group of the workspace."""
    location: str
    """Azure region."""
    workspace_name: str
    """Workspace name (3-24 lowercase letters and digits)."""
    stores: tuple[tuple[str, str], ...]
    """(store name, kind) of each DICOM or FHIR service."""
    key_uri: pulumi.Input[str]
    """Versionless URI of the data key (the services follow its rotation)."""
    key_id: pulumi.Input[str]
    """ARM id of the data key (scope of the encryption identity's grant)."""
    vnet_id: pulumi.Input[str]
    """Virtual network the private DNS zones are linked to."""
    endpoint_subnet_id: pulumi.Input[str]
    """Subnet of the workspace's private endpoint."""
    workspace_id: pulumi.Input[str]
    """Log Analytics workspace for the services' audit logs."""


def _validate(args: HealthWorkspaceArgs) -> list[tuple[str, str]]:
    problems = []
    if not _NAME.match(args.workspace_name):
        problems.append(
            ("workspaceName", f"{args.workspace_name!r}: 3-24 lowercase letters/digits"))
    for store, kind in args.stores:
        if kind not in KINDS:
            problems.append(("stores", f"{store}: kind {kind!r}, one of {list(KINDS)}"))
        if not _NAME.match(service_name(store)):
            problems.append(("stores", f"{store}: service name {service_name(store)!r} is not "
                                       "3-24 lowercase letters/digits"))
    if not args.stores:
        problems.append(("stores", "at least one DICOM or FHIR store"))
    return problems


class HealthWorkspace(pulumi.ComponentResource):
    """Health Data Services workspace: DICOM and FHIR R4 services with a customer-managed key
    (through a user-assigned identity), Entra ID only, a private endpoint with its DNS zones,
    and audit logs to Log Analytics."""

    def __init__(
        self, name: str, args: HealthWorkspaceArgs, opts: pulumi.ResourceOptions | None = None
    ):
        raise_if_invalid(f"{PACKAGE}:azure:HealthWorkspace", name, _validate(args))
        super().__init__(f"{PACKAGE}:azure:HealthWorkspace", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        rg, location = args.resource_group_name, args.location
        tenant = azure.authorization.get_client_config_output(
            opts=pulumi.InvokeOutputOptions(parent=self)
        ).tenant_id
        self.workspace = azure.healthcareapis.Workspace(
            name, resource_group_name=rg, location=location,
            workspace_name=args.workspace_name, opts=child,
        )
        self.identity = azure.managedidentity.UserAssignedIdentity(
            f"{name}-cmk", resource_group_name=rg, location=location,
            resource_name_=f"{args.workspace_name}-cmk", opts=child,
        )
        key_grant = grant(
            f"{name}-cmk", role="Key Vault Crypto Service Encryption User",
            principal_id=self.identity.principal_id, scope=args.key_id, parent=self,
        )
        after = pulumi.ResourceOptions(parent=self, depends_on=[key_grant])
        common = {
            "resource_group_name": rg,
            "location": location,
            "workspace_name": self.workspace.name,
            # The identity that unwraps the key; HIPAA 164.312(a)(2)(iv): our key, not Azure's.
            "identity": {"type": "UserAssigned", "user_assigned_identities": [self.identity.id]},
            "encryption": {
                "customer_managed_key_encryption": {"key_encryption_key_url": args.key_uri},
            },
        }
        #: Store name -> (kind, DICOM or FHIR service).
        self.services: dict[str, tuple[str, pulumi.CustomResource]] = {}
        for store, kind in args.stores:
            svc = service_name(store)
            if kind == "dicom":
                # DICOM authenticates with Entra ID only (its authentication is not settable).
                service = azure.healthcareapis.DicomService(
                    f"{name}-{store}", dicom_service_name=svc, **common, opts=after)
            else:
                service = azure.healthcareapis.FhirService(
                    f"{name}-{store}", fhir_service_name=svc, kind="fhir-R4",
                    # HIPAA 164.312(d): Entra ID tokens of this tenant for this service only;
                    # no SMART on FHIR proxy, no other identity provider.
                    authentication_configuration={
                        "authority": pulumi.Output.concat(
                            "https://login.microsoftonline.com/", tenant),
                        "audience": f"https://{args.workspace_name}-{svc}"
                                    ".fhir.azurehealthcareapis.com",
                        "smart_proxy_enabled": False,
                    },
                    **common, opts=after)
            self.services[store] = (kind, service)
            # HIPAA 164.312(b): who read or changed which study or FHIR resource.
            diagnostics(f"{name}-{store}", resource_uri=service.id,
                        workspace_id=args.workspace_id, parent=self, categories=("AuditLogs",))
        self._private_link(name, args)
        self.register_outputs({"workspaceId": self.workspace.id})

    def _private_link(self, name: str, args: HealthWorkspaceArgs) -> None:
        """The one private endpoint of the workspace (it serves every service in it), with the
        workspace, FHIR and DICOM zones. Azure turns public network access off for the
        workspace's services once it has a private link (the SDK does not accept the setting)."""
        child = pulumi.ResourceOptions(parent=self)
        rg = args.resource_group_name
        zones = {}
        for purpose, zone in PRIVATE_ZONES.items():
            zones[purpose] = azure.privatedns.PrivateZone(
                f"{name}-{purpose}", resource_group_name=rg, location="global",
                private_zone_name=zone, opts=child)
            azure.privatedns.VirtualNetworkLink(
                f"{name}-{purpose}", resource_group_name=rg, location="global",
                private_zone_name=zones[purpose].name,
                virtual_network_link_name=args.workspace_name,
                virtual_network={"id": args.vnet_id}, registration_enabled=False, opts=child)
        endpoint = azure.network.PrivateEndpoint(
            name, resource_group_name=rg, location=args.location,
            subnet={"id": args.endpoint_subnet_id},
            private_link_service_connections=[{
                "name": name, "private_link_service_id": self.workspace.id,
                "group_ids": ["healthcareworkspace"]}],
            opts=child)
        azure.network.PrivateDnsZoneGroup(
            name, resource_group_name=rg, private_endpoint_name=endpoint.name,
            private_dns_zone_group_name="default",
            private_dns_zone_configs=[{"name": p, "private_dns_zone_id": z.id}
                                      for p, z in zones.items()],
            opts=child)

    def grant_reader(self, name: str, store: str, principal_id: pulumi.Input[str]) -> None:
        """Read and search one store's service (a built-in data-plane role on that service)."""
        kind, service = self.services[store]
        grant(name, role=READER_ROLES[kind][0], principal_id=principal_id, scope=service.id,
              parent=self)
