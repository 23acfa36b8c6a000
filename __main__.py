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
