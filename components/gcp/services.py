"""`ProjectServices`: the Google APIs the platform needs, and their service agents."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
from medinfra.components import PACKAGE
from medinfra.components.validation import raise_if_invalid

#: APIs the building blocks use. Container scanning makes Artifact Registry's vulnerability
#: scanning (enablement "INHERITED") effective; Binary Authorization backs the GKE enforcement.
SERVICES = (
    "compute.googleapis.com",
    "container.googleapis.com",
    "cloudkms.googleapis.com",
    "storage.googleapis.com",
    "artifactregistry.googleapis.com",
    "containerscanning.googleapis.com",
    "binaryauthorization.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
)

#: Service agent (Google-managed service account) per API that encrypts with our keys.
AGENT_DOMAINS = {
    "storage.googleapis.com": "gs-project-accounts",
    "artifactregistry.googleapis.com": "gcp-sa-artifactregistry",
    "container.googleapis.com": "container-engine-robot",
    "compute.googleapis.com": "compute-system",
}


def service_agent_member(service: str, project_number: str) -> str:
    """IAM member of a service's agent in a project (Google's documented naming)."""
    domain = AGENT_DOMAINS[service]
    return f"serviceAccount:service-{project_number}@{domain}.iam.gserviceaccount.com"


@dataclass(frozen=True, kw_only=True)
class ProjectServicesArgs:
    """Inputs of `ProjectServices`."""

    project: str
    """Project to enable the APIs in."""
    services: tuple[str, ...] = SERVICES
    """APIs to enable."""


def _validate(args: ProjectServicesArgs) -> list[tuple[str, str]]:
    problems = []
    for service in AGENT_DOMAINS:
        if service not in args.services:
            problems.append(("services", f"{service} is needed (its agent uses the keys)"))
    for s in args.services:
        if not s.endswith(".googleapis.com"):
            problems.append(("services", f"{s!r} is not a Google API name"))
    return problems


class ProjectServices(pulumi.ComponentResource):
    """Enabled APIs (never disabled on destroy: other workloads may share the project) and the
    members of the service agents that encrypt with the platform's keys."""

    def __init__(
        self, name: str, args: ProjectServicesArgs, opts: pulumi.ResourceOptions | None = None
    ):
        raise_if_invalid(f"{PACKAGE}:gcp:ProjectServices", name, _validate(args))
        super().__init__(f"{PACKAGE}:gcp:ProjectServices", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.services = [
            gcp.projects.Service(
                f"{name}-{s.split('.')[0]}",
                project=args.project,
                service=s,
                disable_on_destroy=False,
                disable_dependent_services=False,
                opts=child,
            )
            for s in args.services
        ]
        after = pulumi.ResourceOptions(parent=self, depends_on=self.services)
        project = gcp.organizations.get_project_output(
            project_id=args.project, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        # The Artifact Registry agent is created lazily; make sure it exists before a grant.
        registry_agent = gcp.projects.ServiceIdentity(
            f"{name}-artifactregistry-agent",
            project=args.project,
            service="artifactregistry.googleapis.com",
            opts=after,
        )
        #: API -> IAM member of its service agent.
        self.agents: dict[str, pulumi.Output[str]] = {
            s: project.number.apply(lambda n, s=s: service_agent_member(s, n))
            for s in AGENT_DOMAINS
        }
        self.agents["artifactregistry.googleapis.com"] = registry_agent.member
        self.register_outputs({"agents": self.agents})
