"""`Registry`: an Artifact Registry Docker repository, CMEK-encrypted, immutable, scanned."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from medinfra.components import PACKAGE
from medinfra.components.validation import raise_if_invalid

_REPOSITORY_ID = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True, kw_only=True)
class RegistryArgs:
    """Inputs of `Registry`."""

    repository_id: str
    """Repository id (lowercase letters, digits, hyphens)."""
    location: str
    """Region of the repository."""
    key_id: pulumi.Input[str]
    """The stack's Cloud KMS key for data (set at creation, cannot change)."""
    key_grants: Sequence[pulumi.Resource] = ()
    """Grants that let the Artifact Registry agent use the key (created first)."""
    keep_images: int = 30
    """Most recent versions the cleanup policy keeps per image."""
    untagged_days: int = 30
    """Days after which untagged images are cleaned up."""
    project: str | None = None
    """Project of the repository (default: the provider's, `gcp:project`)."""


def _validate(args: RegistryArgs) -> list[tuple[str, str]]:
    problems = []
    if not _REPOSITORY_ID.match(args.repository_id):
        problems.append(("repositoryId", f"{args.repository_id!r}: lowercase, digits, hyphens"))
    if not 1 <= args.keep_images <= 1000:
        problems.append(("keepImages", f"{args.keep_images}: must be 1 to 1000"))
    if args.untagged_days < 1:
        problems.append(("untaggedDays", f"{args.untagged_days}: must be >= 1"))
    return problems


class Registry(pulumi.ComponentResource):
    """Model-server images: immutable tags, vulnerability scanning, CMEK, cleanup policies."""

    def __init__(self, name: str, args: RegistryArgs, opts: pulumi.ResourceOptions | None = None):
        raise_if_invalid(f"{PACKAGE}:gcp:Registry", name, _validate(args))
        super().__init__(f"{PACKAGE}:gcp:Registry", name, None, opts)
        self.repository = gcp.artifactregistry.Repository(
            name,
            repository_id=args.repository_id,
            location=args.location,
            format="DOCKER",
            mode="STANDARD_REPOSITORY",
            description="Model-server images (by digest)",
            # HIPAA 164.312(a)(2)(iv): images encrypted with the stack's key.
            kms_key_name=args.key_id,
            # A tag, once pushed, always names the same image (what was validated is what runs).
            docker_config={"immutable_tags": True},
            # Scanning follows the project's Container Scanning API, which the platform enables.
            vulnerability_scanning_config={"enablement_config": "INHERITED"},
            cleanup_policy_dry_run=False,
            cleanup_policies=[
                {
                    "id": "keep-recent",
                    "action": "KEEP",
                    "most_recent_versions": {"keep_count": args.keep_images},
                },
                {
                    "id": "delete-untagged",
                    "action": "DELETE",
                    "condition": {
                        "tag_state": "UNTAGGED",
                        "older_than": f"{args.untagged_days * 24 * 3600}s",
                    },
                },
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.key_grants)),
        )
        #: `<region>-docker.pkg.dev/<project>/<repository>`: where images are pulled from. Built
        #: from names, as Artifact Registry forms it, so it is known in a first preview.
        project = args.project or gcp.config.project
        self.url = self.repository.urn.apply(
            lambda _: f"{args.location}-docker.pkg.dev/{project}/{args.repository_id}"
        )
        self.register_outputs({"url": self.url})

    def grant_reader(self, name: str, member: pulumi.Input[str]) -> None:
        """Let `member` pull from this repository (and no other)."""
        gcp.artifactregistry.RepositoryIamMember(
            f"{name}-reader",
            repository=self.repository.repository_id,
            location=self.repository.location,
            role="roles/artifactregistry.reader",
            member=member,
            opts=pulumi.ResourceOptions(parent=self),
        )
