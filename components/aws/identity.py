"""`WorkloadIdentity`: an IAM role one Kubernetes service account can assume (IRSA)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from medinfra.components import PACKAGE
from medinfra.components.aws.policies import irsa_trust_policy, model_reader_policy
from medinfra.components.validation import raise_if_invalid

_K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


@dataclass(frozen=True, kw_only=True)
class WorkloadIdentityArgs:
    """Inputs of `WorkloadIdentity`."""

    namespace: str
    """Namespace of the service account."""
    service_account: str
    """Name of the one service account that may assume the role."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider."""
    oidc_issuer_url: pulumi.Input[str]
    """The cluster's OIDC issuer URL."""
    bucket_arn: pulumi.Input[str]
    """The model store."""
    prefix: str
    """Object prefix the workload may read."""
    key_arn: pulumi.Input[str]
    """The key the store is encrypted with (decrypt only)."""


def _validate(args: WorkloadIdentityArgs) -> list[tuple[str, str]]:
    problems = []
    for path, value in (("namespace", args.namespace), ("serviceAccount", args.service_account)):
        if not _K8S_NAME.match(value):
            problems.append((path, f"{value!r} is not a Kubernetes name"))
    return problems


class WorkloadIdentity(pulumi.ComponentResource):
    """Least privilege for a model server: read one prefix of one store, decrypt with one key,
    assumable only by one service account through the cluster's OIDC issuer."""

    def __init__(
        self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None
    ):
        raise_if_invalid(f"{PACKAGE}:aws:WorkloadIdentity", name, _validate(args))
        super().__init__(f"{PACKAGE}:aws:WorkloadIdentity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        trust = pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer_url).apply(
            lambda a: json.dumps(
                irsa_trust_policy(a[0], a[1], args.namespace, args.service_account)
            )
        )
        self.role = aws.iam.Role(
            name, assume_role_policy=trust, max_session_duration=3600, opts=child
        )
        aws.iam.RolePolicy(
            name,
            role=self.role.id,
            policy=pulumi.Output.all(args.bucket_arn, args.key_arn).apply(
                lambda a: json.dumps(model_reader_policy(a[0], args.prefix, a[1]))
            ),
            opts=child,
        )
        #: Annotation binding the Kubernetes service account to this role.
        self.service_account_annotations = {"eks.amazonaws.com/role-arn": self.role.arn}
        self.register_outputs({"roleArn": self.role.arn})
