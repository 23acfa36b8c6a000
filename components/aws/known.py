"""Identifiers a first `pulumi preview` already knows, built from names the program sets.

On a stack that does not exist yet, every output the cloud computes (ids, ARNs, repository
URLs) is unknown, and a policy document that embeds one is wholly unknown: the gate cannot read
it and fails closed. AWS fixes the shape of these identifiers, and the account, partition and
region are answered by data sources the engine reads during a preview, so the components build
them from names instead of waiting for the resources' outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class Account:
    """The account, partition, region and DNS suffix of the stack's AWS provider."""

    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]
    region: pulumi.Output[str]
    dns_suffix: pulumi.Output[str]

    @staticmethod
    def of(parent: pulumi.Resource) -> Account:
        opts = pulumi.InvokeOutputOptions(parent=parent)
        identity = aws.get_caller_identity_output(opts=opts)
        partition = aws.get_partition_output(opts=opts)
        region = aws.get_region_output(opts=opts)
        return Account(
            identity.account_id, partition.partition, region.region, partition.dns_suffix
        )

    def bucket_arn(self, bucket: pulumi.Input[str]) -> pulumi.Output[str]:
        return pulumi.Output.concat("arn:", self.partition, ":s3:::", bucket)

    def log_group_arn(self, name: pulumi.Input[str]) -> pulumi.Output[str]:
        return pulumi.Output.concat(
            "arn:", self.partition, ":logs:", self.region, ":", self.account_id,
            ":log-group:", name,
        )

    def any_key_arn(self) -> pulumi.Output[str]:
        """Every KMS key of this account and region (a key's own id is random)."""
        return pulumi.Output.concat(
            "arn:", self.partition, ":kms:", self.region, ":", self.account_id, ":key/*"
        )

    def ecr_repository_url(self, repository: pulumi.Input[str]) -> pulumi.Output[str]:
        return pulumi.Output.concat(
            self.account_id, ".dkr.ecr.", self.region, ".", self.dns_suffix, "/", repository
        )
