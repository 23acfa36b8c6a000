"""`Platform`: composes one cloud's building blocks from a validated `PlatformConfig`."""

from __future__ import annotations

import pulumi

from components import PACKAGE
from components.config import PlatformConfig


class Platform(pulumi.ComponentResource):
    """A compliant GPU inference platform for one stack.

    The cloud building blocks (keys, network, data stores, registry, GPU cluster, identity)
    and the model-serving components are composed here as they land; until then the platform
    plans no resources rather than placeholders. Its outputs summarise what the stack is.
    """

    def __init__(
        self, name: str, config: PlatformConfig, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__(f"{PACKAGE}:platform:Platform", name, None, opts)
        self.config = config
        self.register_outputs(
            {
                "cloud": config.cloud,
                "environment": config.environment,
                "region": config.region,
                "dataClassification": config.data_classification,
            }
        )
