"""`WorkloadIdentity`: an IAM role one Kubernetes service account can assume (EKS Pod
Identity)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from medinfra.components import PACKAGE
from medinfra.components.aws.health_store import health_reader_policy
from medinfra.components.aws.known import Account
from medinfra.components.aws.policies import model_reader_policy, pod_identity_trust_policy
from medinfra.components.validation import raise_if_invalid

POD_IDENTITY_ROLE_ANNOTATION = "medinfra.io/eks-pod-identity-role"
_K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


@dataclass(frozen=True, kw_only=True)
class WorkloadIdentityArgs:
    """Inputs of `WorkloadIdentity`."""

    namespace: str
    """Namespace of the service account."""
    service_account: str
    """Name of the one service account that may assume the role."""
    cluster_name: pulumi.Input[str]
    """The EKS cluster (with the eks-pod-identity-agent add-on) the service account lives in."""
    bucket_arn: pulumi.Input[str]
    """The model store."""
    prefix: str
    """Object prefix the workload may read."""
    key_alias: str
    """Alias (`alias/...`) of the key the store is encrypted with (decrypt only)."""
    health_stores: tuple[tuple[str, str], ...] = ()
    """DICOM/FHIR stores the workload reads: (kind, `medinfra:store` tag) pairs."""


def _validate(args: WorkloadIdentityArgs) -> list[tuple[str, str]]:
    problems = []
    for path, value in (("namespace", args.namespace), ("serviceAccount", args.service_account)):
        if not _K8S_NAME.match(value):
            problems.append((path, f"{value!r} is not a Kubernetes name"))
    if not args.key_alias.startswith("alias/"):
        problems.append(("keyAlias", f"{args.key_alias!r}: must start with alias/"))
    return problems


class WorkloadIdentity(pulumi.ComponentResource):
    """Least privilege for a model server: read one prefix of one store, decrypt with one key,
    assumable only by one service account of one cluster, through EKS Pod Identity.

    Pod Identity rather than IRSA: an IRSA trust names the cluster's OIDC issuer, which does not
    exist before the cluster does, so on a new stack the whole trust policy is unknown and the
    gate cannot judge it. A Pod Identity trust and its association hold only names."""

    def __init__(
        self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None
    ):
        raise_if_invalid(f"{PACKAGE}:aws:WorkloadIdentity", name, _validate(args))
        super().__init__(f"{PACKAGE}:aws:WorkloadIdentity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = Account.of(self)
        trust = pulumi.Output.all(account.account_id, args.cluster_name).apply(
            lambda a: json.dumps(
                pod_identity_trust_policy(a[0], a[1], args.namespace, args.service_account)
            )
        )
        self.role = aws.iam.Role(
            name, assume_role_policy=trust, max_session_duration=3600, opts=child
        )
        aws.iam.RolePolicy(
            name,
            role=self.role.name,
            policy=pulumi.Output.all(args.bucket_arn, account.any_key_arn()).apply(
                lambda a: json.dumps(model_reader_policy(a[0], args.prefix, a[1], args.key_alias))
            ),
            opts=child,
        )
        if args.health_stores:
            aws.iam.RolePolicy(
                f"{name}-health",
                role=self.role.name,
                policy=pulumi.Output.all(
                    account.partition, account.region, account.account_id
                ).apply(
                    lambda a: json.dumps(
                        health_reader_policy(a[0], a[1], a[2], list(args.health_stores))
                    )
                ),
                opts=child,
            )
        # HIPAA 164.312(d): the one service account whose pods get this role's credentials.
        aws.eks.PodIdentityAssociation(
            name,
            cluster_name=args.cluster_name,
            namespace=args.namespace,
            service_account=args.service_account,
            role_arn=self.role.arn,
            opts=child,
        )
        #: Pod Identity needs no service-account annotation; this one only tells operators
        #: which role the pods get (the binding is the association above).
        self.service_account_annotations = {POD_IDENTITY_ROLE_ANNOTATION: self.role.name}
        self.register_outputs({"roleArn": self.role.arn})
