"""GCP part of the offline planner's deterministic cloud (see `medinfra.mocks.OfflineCloud`).

Ids follow the provider's own formats, so a value that flows from one resource into another
(a key id into a bucket's encryption, a service account email into a node pool) can be traced
back to the resource it came from. Only identifiers are generated; outputs the cloud computes
and we do not model stay unknown.
"""

from __future__ import annotations

from collections.abc import Callable

PACKAGE = "gcp"
GCP_PROJECT = "medinfra-offline"
PROJECT_NUMBER = "123456789012"
#: Service agents' domains (service-<project number>@<domain>.iam.gserviceaccount.com).
_AGENTS = {
    "artifactregistry.googleapis.com": "gcp-sa-artifactregistry",
    "container.googleapis.com": "container-engine-robot",
    "compute.googleapis.com": "compute-system",
    "healthcare.googleapis.com": "gcp-sa-healthcare",
    "storage.googleapis.com": "gs-project-accounts",
}
_CA = "b2ZmbGluZS1wbGFjZWhvbGRlci1jYQ=="


def _kind(type_: str) -> str:
    return type_.rsplit(":", 1)[-1]


def new_resource(cloud, type_: str, name: str, inputs: dict, h: str) -> tuple[str, dict]:
    """(id, computed outputs) for a new `gcp:` resource; `h` is the URN's sha256 hex."""
    project = inputs.get("project") or cloud.gcp_project
    region = inputs.get("region") or inputs.get("location") or cloud.gcp_region
    physical = inputs.get("name") or f"{name}-{h[:7]}"
    module = type_.split(":")[1].split("/")[0]
    made = _MAKERS.get(type_)
    if made is not None:
        return made(project, region, physical, inputs, h)
    collection = _kind(type_)[0].lower() + _kind(type_)[1:] + "s"
    if module == "compute":
        rid = f"projects/{project}/regions/{region}/{collection}/{physical}"
        return rid, {"selfLink": f"https://www.googleapis.com/compute/v1/{rid}"}
    return f"projects/{project}/locations/{region}/{collection}/{physical}", {}


def _network(project, region, physical, inputs, h):
    rid = f"projects/{project}/global/networks/{physical}"
    return rid, {"selfLink": f"https://www.googleapis.com/compute/v1/{rid}"}


def _firewall(project, region, physical, inputs, h):
    rid = f"projects/{project}/global/firewalls/{physical}"
    return rid, {"selfLink": f"https://www.googleapis.com/compute/v1/{rid}"}


def _key_ring(project, region, physical, inputs, h):
    return f"projects/{project}/locations/{region}/keyRings/{physical}", {}


def _crypto_key(project, region, physical, inputs, h):
    return f"{inputs.get('keyRing')}/cryptoKeys/{physical}", {}


def _bucket(project, region, physical, inputs, h):
    return physical, {"url": f"gs://{physical}",
                      "selfLink": f"https://www.googleapis.com/storage/v1/b/{physical}"}


def _repository(project, region, physical, inputs, h):
    repo = inputs.get("repositoryId", physical)
    rid = f"projects/{project}/locations/{region}/repositories/{repo}"
    return rid, {"name": repo, "registryUri": f"{region}-docker.pkg.dev/{project}/{repo}"}


def _account(project, region, physical, inputs, h):
    email = f"{inputs.get('accountId')}@{project}.iam.gserviceaccount.com"
    rid = f"projects/{project}/serviceAccounts/{email}"
    return rid, {"email": email, "member": f"serviceAccount:{email}", "name": rid,
                 "uniqueId": str(int(h[:15], 16))}


def _service_identity(project, region, physical, inputs, h):
    service = inputs.get("service", "")
    email = f"service-{PROJECT_NUMBER}@{_AGENTS.get(service, 'gcp-sa-unknown')}.iam." \
            "gserviceaccount.com"
    return f"projects/{project}/services/{service}", {"email": email,
                                                      "member": f"serviceAccount:{email}"}


def _cluster(project, region, physical, inputs, h):
    # A private endpoint: an address inside the control plane's /28.
    return f"projects/{project}/locations/{region}/clusters/{physical}", {
        "endpoint": "172.16.0.2",
        "masterAuth": {**(inputs.get("masterAuth") or {}), "clusterCaCertificate": _CA},
        "selfLink": f"https://container.googleapis.com/v1/projects/{project}/locations/"
                    f"{region}/clusters/{physical}",
    }


def _node_pool(project, region, physical, inputs, h):
    cluster = str(inputs.get("cluster", "")).rsplit("/", 1)[-1]
    return f"{region}/{cluster}/{physical}", {}


def _service(project, region, physical, inputs, h):
    return f"{project}/{inputs.get('service')}", {}


_MAKERS = {
    "gcp:compute/network:Network": _network,
    "gcp:compute/firewall:Firewall": _firewall,
    "gcp:kms/keyRing:KeyRing": _key_ring,
    "gcp:kms/cryptoKey:CryptoKey": _crypto_key,
    "gcp:storage/bucket:Bucket": _bucket,
    "gcp:artifactregistry/repository:Repository": _repository,
    "gcp:serviceaccount/account:Account": _account,
    "gcp:projects/serviceIdentity:ServiceIdentity": _service_identity,
    "gcp:container/cluster:Cluster": _cluster,
    "gcp:container/nodePool:NodePool": _node_pool,
    "gcp:projects/service:Service": _service,
}


def invokes(cloud) -> dict[str, Callable[[dict], dict]]:
    """Data sources answered offline: token -> answer(args)."""
    return {
        "gcp:organizations/getProject:getProject": lambda a: {
            "projectId": a.get("projectId") or cloud.gcp_project,
            "number": PROJECT_NUMBER,
            "name": a.get("projectId") or cloud.gcp_project,
            "id": f"projects/{a.get('projectId') or cloud.gcp_project}",
        },
        # Cloud Storage's service agent: Google names it after the project number.
        "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": lambda a: {
            "project": a.get("project") or cloud.gcp_project,
            "emailAddress": f"service-{PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com",
            "member": f"serviceAccount:service-{PROJECT_NUMBER}"
            "@gs-project-accounts.iam.gserviceaccount.com",
            "id": a.get("project") or cloud.gcp_project,
        },
        "gcp:organizations/getClientConfig:getClientConfig": lambda a: {
            "project": cloud.gcp_project,
            "region": cloud.gcp_region,
            "zone": f"{cloud.gcp_region}-a",
            "id": "offline",
            "accessToken": "",
        },
    }
