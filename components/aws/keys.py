"""`Keys`: one customer-managed KMS key per purpose, with rotation and an alias each."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from medinfra.components import PACKAGE
from medinfra.components.aws.policies import kms_key_policy
from medinfra.components.validation import raise_if_invalid

#: Purposes and which AWS services must be able to use that key directly.
PURPOSE_SERVICES: dict[str, tuple[str, ...]] = {
    "data": (),  # S3 and ECR encrypt with the caller's permissions
    "secrets": (),  # EKS envelope encryption uses the cluster role's permissions
    "logs": ("logs.{region}.amazonaws.com",),  # CloudWatch Logs encrypts as itself
    "volumes": (),  # EBS via the Auto Scaling service-linked role, see below
}
_AUTOSCALING_ROLE = "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"


@dataclass(frozen=True, kw_only=True)
class KeysArgs:
    """Inputs of `Keys`."""

    prefix: str
    """Alias prefix, e.g. medinfra-aws-prod (aliases become alias/<prefix>-<purpose>)."""
    region: str
    """Region of the keys (service principals are regional)."""
    purposes: tuple[str, ...] = tuple(PURPOSE_SERVICES)
    """One key per purpose: separate keys limit what one grant or one leak exposes."""
    # HIPAA 164.312(a)(2)(iv): a scheduled deletion can be cancelled for 30 days.
    deletion_window_days: int = 30
    """Days a key stays recoverable after deletion is scheduled (7-30)."""
    audit_trail: bool = False
    """CloudTrail Lake encrypts the health stores' data events with the logs key."""


def _validate(args: KeysArgs) -> list[tuple[str, str]]:
    problems = []
    for p in args.purposes:
        if p not in PURPOSE_SERVICES:
            problems.append(("purposes", f"unknown purpose {p!r}; one of {list(PURPOSE_SERVICES)}"))
    if not 7 <= args.deletion_window_days <= 30:
        problems.append(("deletionWindowDays", f"{args.deletion_window_days}: must be 7 to 30"))
    return problems


def _alias(prefix: str, purpose: str) -> str:
    return f"alias/{prefix}-{purpose}"


class Keys(pulumi.ComponentResource):
    """Customer-managed KMS keys (rotation on, deletion window >= 7 days), one per purpose."""

    def __init__(self, name: str, args: KeysArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:aws:Keys", name, _validate(args))
        super().__init__(f"{PACKAGE}:aws:Keys", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))
        self.keys: dict[str, aws.kms.Key] = {}
        for purpose in args.purposes:
            services = [s.format(region=args.region) for s in PURPOSE_SERVICES[purpose]]
            if purpose == "logs" and args.audit_trail:
                services.append("cloudtrail.amazonaws.com")
            policy = pulumi.Output.all(identity.account_id, partition.partition).apply(
                lambda a, services=services, purpose=purpose: json.dumps(
                    kms_key_policy(
                        a[0],
                        a[1],
                        services,
                        [f"arn:{a[1]}:iam::{a[0]}:role/{_AUTOSCALING_ROLE}"]
                        if purpose == "volumes"
                        else [],
                    )
                )
            )
            key = aws.kms.Key(
                f"{name}-{purpose}",
                description=f"{args.prefix}: {purpose} encryption key",
                # HIPAA 164.312(a)(2)(iv) / MED-KEY-001: key material rotates every 90 days
                # (the shortest period KMS offers; the same bound as GCP and Azure keys).
                enable_key_rotation=True,
                rotation_period_in_days=90,
                deletion_window_in_days=args.deletion_window_days,
                key_usage="ENCRYPT_DECRYPT",
                customer_master_key_spec="SYMMETRIC_DEFAULT",
                policy=policy,
                opts=child,
            )
            aws.kms.Alias(
                f"{name}-{purpose}",
                name=_alias(args.prefix, purpose),
                target_key_id=key.key_id,
                opts=child,
            )
            self.keys[purpose] = key
        self._prefix = args.prefix
        self.register_outputs({p: k.arn for p, k in self.keys.items()})

    def alias(self, purpose: str) -> str:
        """Alias of the key for `purpose`: a name, known before the key exists."""
        return _alias(self._prefix, purpose)

    def arn(self, purpose: str) -> pulumi.Output[str]:
        """ARN of the key for `purpose`."""
        return self.keys[purpose].arn
