"""Tags applied once, to every taggable resource a component tree creates."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pulumi
from medinfra.components.config import PlatformConfig

MANAGED_BY = "medinfra"


def required_tags(config: PlatformConfig, project: str, stack: str) -> dict[str, str]:
    """The stack's tags: config tags plus what every resource must say about itself."""
    return {
        **config.tags.as_dict(),
        "environment": config.environment,
        "dataClassification": config.data_classification,
        "managed-by": MANAGED_BY,
        "stack": f"{project}-{stack}",
    }


def gcp_labels(tags: Mapping[str, str]) -> dict[str, str]:
    """GCP labels: lowercase keys and values of [a-z0-9_-], at most 63 characters."""

    def clean(text: str) -> str:
        text = re.sub(r"(?<!^)(?=[A-Z])", "_", text).lower()
        return re.sub(r"[^a-z0-9_-]", "-", text)[:63]

    return {clean(k): clean(v) for k, v in tags.items()}


def tag_transformation(tags: Mapping[str, str], prefix: str, prop: str = "tags"):
    """A resource transformation adding `tags` to every resource of the `prefix` package
    (e.g. "aws:") that accepts a `prop` input. Explicit tags on a resource win."""
    fixed = dict(tags)

    def transform(args: pulumi.ResourceTransformationArgs):
        if not args.type_.startswith(prefix) or prop not in args.props:
            return None
        props = dict(args.props)
        props[prop] = {**fixed, **(props.get(prop) or {})}
        return pulumi.ResourceTransformationResult(props, args.opts)

    return transform
