"""`WorkloadIdentity`: a user-assigned identity one Kubernetes service account signs in as
(federated credential on the cluster's OIDC issuer), allowed to read one blob container."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from medinfra.components import PACKAGE
from medinfra.components.azure.common import FEDERATION_AUDIENCE, grant
from medinfra.components.validation import raise_if_invalid

_K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
#: Annotation and pod label the AKS workload identity webhook reads.
CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id"
USE_LABEL = "azure.workload.identity/use"


def subject(namespace: str, service_account: str) -> str:
    """The token subject Kubernetes issues for one service account."""
    return f"system:serviceaccount:{namespace}:{service_account}"


@dataclass(frozen=True, kw_only=True)
class WorkloadIdentityArgs:
    """Inputs of `WorkloadIdentity`."""

    resource_group_name: pulumi.Input[str]
    """Resource group of the identity."""
    location: str
    """Azure region."""
    identity_name: str
    """Name of the user-assigned identity."""
    namespace: str
    """Namespace of the service account."""
    service_account: str
    """The one service account that may sign in as this identity."""
    oidc_issuer_url: pulumi.Input[str]
    """The cluster's OIDC issuer."""
    container_id: pulumi.Input[str]
    """ARM id of the blob container the workload may read (and nothing else)."""


def _validate(args: WorkloadIdentityArgs) -> list[tuple[str, str]]:
    problems = []
    for path, value in (("namespace", args.namespace), ("serviceAccount", args.service_account)):
        if not _K8S_NAME.match(value):
            problems.append((path, f"{value!r} is not a Kubernetes name"))
    return problems


class WorkloadIdentity(pulumi.ComponentResource):
    """Least privilege for a model server: Storage Blob Data Reader on one container, usable
    only by one service account through the cluster's OIDC issuer. No secrets anywhere."""

    def __init__(
        self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None
    ):
        raise_if_invalid(f"{PACKAGE}:azure:WorkloadIdentity", name, _validate(args))
        super().__init__(f"{PACKAGE}:azure:WorkloadIdentity", name, None, opts)
        self.identity = azure.managedidentity.UserAssignedIdentity(
            name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            resource_name_=args.identity_name,
            opts=pulumi.ResourceOptions(parent=self),
        )
        azure.managedidentity.FederatedIdentityCredential(
            name,
            resource_group_name=args.resource_group_name,
            resource_name_=self.identity.name,
            federated_identity_credential_resource_name=args.service_account,
            issuer=args.oidc_issuer_url,
            subject=subject(args.namespace, args.service_account),
            audiences=[FEDERATION_AUDIENCE],
            opts=pulumi.ResourceOptions(parent=self),
        )
        grant(
            f"{name}-reader",
            role="Storage Blob Data Reader",
            principal_id=self.identity.principal_id,
            scope=args.container_id,
            parent=self,
        )
        #: Binds the Kubernetes service account to this identity.
        self.service_account_annotations = {CLIENT_ID_ANNOTATION: self.identity.client_id}
        #: The workload identity webhook injects tokens only into pods with this label.
        self.pod_labels = {USE_LABEL: "true"}
        self.register_outputs(
            {"clientId": self.identity.client_id, "principalId": self.identity.principal_id}
        )
