"""GCP part of the offline planner's deterministic cloud (see `mocks.OfflineCloud`)."""

from __future__ import annotations

from collections.abc import Callable

GCP_PROJECT = "medinfra-offline"


def gcp_resource(cloud, type_: str, name: str, inputs: dict, h: str) -> tuple[str, dict]:
    """(id, computed outputs) for a new `gcp:` resource; `h` is the URN's sha256 hex."""
    collection = type_.rsplit(":", 1)[-1].lower() + "s"
    physical = inputs.get("name") or f"{name}-{h[:7]}"
    rid = f"projects/{cloud.gcp_project}/locations/{cloud.gcp_region}/{collection}/{physical}"
    return rid, {
        "name": physical,
        "selfLink": f"https://www.googleapis.com/{rid}",
        "project": inputs.get("project", cloud.gcp_project),
    }


def gcp_invokes(cloud) -> dict[str, Callable[[dict], dict]]:
    """Data sources answered offline: token -> answer(args)."""
    return {
        "gcp:organizations/getProject:getProject": lambda a: {
            "projectId": cloud.gcp_project,
            "number": "123456789012",
            "name": cloud.gcp_project,
            "id": f"projects/{cloud.gcp_project}",
        },
        "gcp:organizations/getClientConfig:getClientConfig": lambda a: {
            "project": cloud.gcp_project,
            "region": cloud.gcp_region,
            "zone": f"{cloud.gcp_region}-a",
            "id": "offline",
            "accessToken": "",
        },
    }
