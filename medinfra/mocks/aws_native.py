"""aws-native (Cloud Control) part of the offline planner's deterministic cloud (see
`medinfra.mocks.OfflineCloud`): the HealthImaging and HealthLake datastores MedInfra creates.

A datastore's id is random (32 hex characters); its ARN has the shape AWS gives it, in the
stack's region and the account of `medinfra.mocks.aws`. Other aws-native types get an id only.
"""

from __future__ import annotations

from collections.abc import Callable

from medinfra.mocks.aws import ACCOUNT_ID

PACKAGE = "aws-native"

#: type -> (ARN service, resource path before the id).
_DATASTORES = {
    "aws-native:healthimaging:Datastore": ("medical-imaging", "datastore/"),
    "aws-native:healthlake:FhirDatastore": ("healthlake", "datastore/fhir/"),
}


def new_resource(cloud, type_: str, name: str, inputs: dict, h: str) -> tuple[str, dict]:
    """(id, computed outputs) for a new `aws-native:` resource; `h` is the URN's sha256 hex."""
    region = cloud.aws_region
    if type_ in _DATASTORES:
        service, path = _DATASTORES[type_]
        datastore_id = h[:32]
        arn = f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{path}{datastore_id}"
        outputs = {"datastoreId": datastore_id, "datastoreArn": arn}
        if service == "healthlake":
            outputs["datastoreEndpoint"] = (
                f"https://healthlake.{region}.amazonaws.com/datastore/{datastore_id}/r4/"
            )
        return datastore_id, outputs
    return f"{name}-{h[:8]}", {}


def invokes(cloud) -> dict[str, Callable[[dict], dict]]:
    """Data sources answered offline: none (MedInfra reads the account through `aws`)."""
    return {}
