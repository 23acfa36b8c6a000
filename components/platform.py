"""`Platform`: composes one cloud's building blocks from a validated `PlatformConfig`."""

from __future__ import annotations

import importlib

import pulumi
from medinfra.components import PACKAGE
from medinfra.components.config import PlatformConfig
from medinfra.components.tagging import required_tags

#: Cloud -> module that composes its building blocks. Each module offers
#: `tag_transformations(tags) -> list` (tags/labels applied once, to every taggable resource) and
#: `build(parent, config, prefix)` returning an object with `serving` (a
#: `components.k8s.compose.ServingTarget`) and `exports()` (stack outputs).
CLOUD_MODULES = {
    "aws": "medinfra.components.aws.compose",
    "azure": "medinfra.components.azure.compose",
    "gcp": "medinfra.components.gcp.compose",
}


def _cloud_module(cloud: str):
    try:
        return importlib.import_module(CLOUD_MODULES[cloud])
    except ModuleNotFoundError as exc:
        if exc.name != CLOUD_MODULES[cloud]:
            raise
        return None


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
        module = _cloud_module(config.cloud)
        transformations = module.tag_transformations(self.tags) if module else []
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(transformations=transformations)
        )
        super().__init__(f"{PACKAGE}:platform:Platform", name, None, opts)
        self.config = config
        self.prefix = f"{project}-{stack}"
        self.cloud = None
        self.models = {}
        if module is not None:
            from medinfra.components.k8s.compose import build as build_serving

            self.cloud = module.build(self, config, self.prefix)
            self.models = build_serving(self, config, self.cloud.serving)
        self.register_outputs(self._facts())

    def _facts(self) -> dict[str, str]:
        return {
            "cloud": self.config.cloud,
            "environment": self.config.environment,
            "region": self.config.region,
            "dataClassification": self.config.data_classification,
        }

    def exports(self) -> dict[str, object]:
        """Stack outputs: what every stack says about itself plus the cloud's own."""
        outputs = self._facts()
        if self.cloud is not None:
            outputs.update(self.cloud.exports())
        return outputs
