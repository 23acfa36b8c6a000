"""A platform stack: the cluster, registry, keys and stores model stacks deploy onto.

MedInfra's `Platform` builds them from the `medinfra:` config (no models: each model lives in
its own model stack, examples/model-stack). For every model named in
`platform:modelIdentities` this stack also owns the model's cloud identity: an IAM role that
EKS Pod Identity hands only to the `models/<model>` service account of this cluster, allowed to
read its prefix of the model store and decrypt with the data key. The model stack binds its
service account to that role with a PodIdentityAssociation.

The outputs are what model stacks read with `pulumi.StackReference("<org>/medinfra/aws-prod")`.
"""

import json

import pulumi
import pulumi_aws as aws
from medinfra.components.aws.known import Account
from medinfra.components.aws.policies import model_reader_policy, pod_identity_trust_policy
from medinfra.components.config import MODELS_NAMESPACE, from_pulumi
from medinfra.components.platform import Platform

platform = Platform("medinfra", from_pulumi())
aws_platform = platform.cloud
cluster = aws_platform.cluster.cluster
store = aws_platform.stores["models"]
account = Account.of(platform)

roles = {}
for model in pulumi.Config("platform").get_object("modelIdentities") or []:
    # HIPAA 164.312(d): only this model's service account of this cluster gets the role.
    role = aws.iam.Role(
        model,
        name=f"{platform.prefix}-{model}",
        assume_role_policy=pulumi.Output.all(account.account_id, cluster.name).apply(
            lambda a, m=model: json.dumps(
                pod_identity_trust_policy(a[0], a[1], MODELS_NAMESPACE, m)
            )
        ),
        max_session_duration=3600,
        tags=platform.tags,
    )
    # Least privilege: read this model's prefix, decrypt with the data key, nothing else.
    aws.iam.RolePolicy(
        model,
        role=role.name,
        # Names known before deployment (the store's ARN, the key by its alias), so the gate
        # can judge the policy in the first preview.
        policy=pulumi.Output.all(store.arn, account.any_key_arn()).apply(
            lambda a, m=model: json.dumps(
                model_reader_policy(a[0], m, a[1], aws_platform.keys.alias("data"))
            )
        ),
    )
    roles[model] = role

for key, value in platform.exports().items():
    pulumi.export(key, value)
pulumi.export("logsKeyArn", aws_platform.keys.arn("logs"))
pulumi.export("modelRoleArns", {m: r.arn for m, r in roles.items()})
if "chest-xray" in roles:
    pulumi.export("modelRoleArn", roles["chest-xray"].arn)
