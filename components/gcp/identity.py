"""`WorkloadIdentity`: a Google service account one Kubernetes service account can act as."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from medinfra.components import PACKAGE
from medinfra.components.validation import raise_if_invalid

_K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_ACCOUNT_ID = re.compile(r"^[a-z]([-a-z0-9]{4,28}[a-z0-9])$")
#: The annotation GKE's metadata server reads to map a Kubernetes SA to a Google SA.
GKE_SA_ANNOTATION = "iam.gke.io/gcp-service-account"


def workload_member(project: str, namespace: str, service_account: str) -> str:
    """The workload identity principal of one Kubernetes service account."""
    return f"serviceAccount:{project}.svc.id.goog[{namespace}/{service_account}]"


@dataclass(frozen=True, kw_only=True)
class WorkloadIdentityArgs:
    """Inputs of `WorkloadIdentity`."""

    project: str
    """Project of the cluster (its workload identity pool is PROJECT.svc.id.goog)."""
    account_id: str
    """Google service account id (6-30 characters)."""
    namespace: str
    """Namespace of the Kubernetes service account."""
    service_account: str
    """The one Kubernetes service account that may act as the Google service account."""
    bucket: pulumi.Input[str]
    """The model store (read-only access to this bucket only)."""
    key_id: pulumi.Input[str]
    """The key the store is encrypted with (decrypt only, this key only)."""


def _validate(args: WorkloadIdentityArgs) -> list[tuple[str, str]]:
    problems = []
    for path, value in (("namespace", args.namespace), ("serviceAccount", args.service_account)):
        if not _K8S_NAME.match(value):
            problems.append((path, f"{value!r} is not a Kubernetes name"))
    if not _ACCOUNT_ID.match(args.account_id):
        problems.append(("accountId", f"{args.account_id!r}: 6-30 of [a-z0-9-], letter first"))
    return problems


class WorkloadIdentity(pulumi.ComponentResource):
    """Least privilege for a model server: object viewer on one bucket, decrypt with one key,
    usable only by one Kubernetes service account through the cluster's workload pool."""

    def __init__(
        self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None
    ):
        raise_if_invalid(f"{PACKAGE}:gcp:WorkloadIdentity", name, _validate(args))
        super().__init__(f"{PACKAGE}:gcp:WorkloadIdentity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.account = gcp.serviceaccount.Account(
            name,
            account_id=args.account_id,
            display_name=f"Model server {args.namespace}/{args.service_account}",
            opts=child,
        )
        gcp.serviceaccount.IAMMember(
            f"{name}-workload",
            service_account_id=self.account.name,
            role="roles/iam.workloadIdentityUser",
            member=workload_member(args.project, args.namespace, args.service_account),
            opts=child,
        )
        gcp.storage.BucketIAMMember(
            f"{name}-read",
            bucket=args.bucket,
            role="roles/storage.objectViewer",
            member=self.account.member,
            opts=child,
        )
        gcp.kms.CryptoKeyIAMMember(
            f"{name}-decrypt",
            crypto_key_id=args.key_id,
            role="roles/cloudkms.cryptoKeyDecrypter",
            member=self.account.member,
            opts=child,
        )
        #: Annotation binding the Kubernetes service account to this Google service account.
        self.service_account_annotations = {GKE_SA_ANNOTATION: self.account.email}
        self.register_outputs({"email": self.account.email})
