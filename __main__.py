"""The MedInfra Pulumi program: one stack's config -> one compliant GPU inference platform."""

import pulumi
from medinfra.components.config import from_pulumi
from medinfra.components.platform import Platform

platform = Platform("medinfra", from_pulumi())
for key, value in platform.exports().items():
    pulumi.export(key, value)
