"""The MedInfra Pulumi program: one stack's config -> one compliant GPU inference platform."""

import pulumi

from components.config import from_pulumi
from components.platform import Platform

config = from_pulumi()
platform = Platform("medinfra", config)

pulumi.export("cloud", config.cloud)
pulumi.export("environment", config.environment)
pulumi.export("region", config.region)
pulumi.export("dataClassification", config.data_classification)
if platform.aws:
    pulumi.export("clusterName", platform.aws.cluster.cluster.name)
    pulumi.export("kubeconfig", platform.aws.cluster.kubeconfig)
    pulumi.export("registryUrl", platform.aws.registry.repository.repository_url)
    pulumi.export("buckets", {n: s.bucket.id for n, s in platform.aws.stores.items()})
