"""`Registry`: an ECR repository with immutable tags, scan on push and KMS encryption."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from medinfra.components import PACKAGE
from medinfra.components.aws.known import Account
from medinfra.components.aws.policies import ecr_lifecycle_policy, ecr_repository_policy
from medinfra.components.validation import raise_if_invalid


@dataclass(frozen=True, kw_only=True)
class RegistryArgs:
    """Inputs of `Registry`."""

    repository_name: str
    """ECR repository name."""
    key_arn: pulumi.Input[str]
    """The stack's KMS key for data."""
    keep_images: int = 30
    """Images the lifecycle policy keeps."""


def _validate(args: RegistryArgs) -> list[tuple[str, str]]:
    if not 1 <= args.keep_images <= 1000:
        return [("keepImages", f"{args.keep_images}: must be 1 to 1000")]
    return []


class Registry(pulumi.ComponentResource):
    """Container and model images: immutable tags, scanned on push, encrypted with the
    stack's key, readable only by this account."""

    def __init__(self, name: str, args: RegistryArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:aws:Registry", name, _validate(args))
        super().__init__(f"{PACKAGE}:aws:Registry", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = Account.of(self)
        self.repository = aws.ecr.Repository(
            name,
            name=args.repository_name,
            # A tag, once pushed, always names the same image (what was validated is what runs).
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration={"scan_on_push": True},
            encryption_configurations=[{"encryption_type": "KMS", "kms_key": args.key_arn}],
            force_delete=False,
            opts=child,
        )
        aws.ecr.LifecyclePolicy(
            name,
            repository=self.repository.name,
            policy=json.dumps(ecr_lifecycle_policy(args.keep_images)),
            opts=child,
        )
        aws.ecr.RepositoryPolicy(
            name,
            repository=self.repository.name,
            policy=pulumi.Output.all(account.account_id, account.partition).apply(
                lambda a: json.dumps(ecr_repository_policy(a[0], a[1]))
            ),
            opts=child,
        )
        #: `<account>.dkr.ecr.<region>.<suffix>/<name>`, as ECR forms it: known in a first
        #: preview, so images pinned in it can be judged before the repository exists.
        self.repository_url = account.ecr_repository_url(self.repository.name)
        self.register_outputs({"repositoryUrl": self.repository_url})
