"""`Platform`: composes one cloud's building blocks from a validated `PlatformConfig`."""

from __future__ import annotations

import pulumi

from components import PACKAGE
from components.config import PlatformConfig
from components.tagging import required_tags, tag_transformation

#: Which property carries tags/labels, per provider package.
_TAG_PROPERTY = {"aws": ("aws:", "tags")}


class Platform(pulumi.ComponentResource):
    """A compliant GPU inference platform for one stack.

    Every taggable resource below it carries the stack's required tags (applied once, by a
    transformation). Clouds whose building blocks have not landed yet plan no resources rather
    than placeholders.
    """

    def __init__(
        self, name: str, config: PlatformConfig, opts: pulumi.ResourceOptions | None = None
    ):
        project, stack = pulumi.get_project(), pulumi.get_stack()
        self.tags = required_tags(config, project, stack)
        transformations = (
            [tag_transformation(self.tags, *_TAG_PROPERTY[config.cloud])]
            if config.cloud in _TAG_PROPERTY
            else []
        )
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(transformations=transformations)
        )
        super().__init__(f"{PACKAGE}:platform:Platform", name, None, opts)
        self.config = config
        self.prefix = f"{project}-{stack}"
        self.aws = None
        self.models = {}
        if config.cloud == "aws":
            from components.aws.compose import build

            self.aws = build(self, config, self.prefix)
            cluster = self.aws.cluster
            from components.k8s.compose import build as build_serving

            self.models = build_serving(
                self, config, provider=cluster.provider,
                gpu_node_selector=cluster.gpu_node_selector,
                gpu_tolerations=cluster.gpu_tolerations,
                identity_annotations={name: identity.service_account_annotations
                                      for name, identity in self.aws.identities.items()})
        self.register_outputs(
            {
                "cloud": config.cloud,
                "environment": config.environment,
                "region": config.region,
                "dataClassification": config.data_classification,
            }
        )
