"""The resources a reviewed Checkov check is not applied to (`not_on` in mandatory_set.yaml):
for each kind named in controls.NOT_ON, the URNs of this plan's resources of that kind.

* `log_targets`: buckets that receive other buckets' access logs (S3 server access logs, Cloud
  Storage usage logs). A log target cannot log into itself, and S3 delivers access logs only
  to an SSE-S3 bucket: the catalogue rules these checks serve (MED-LOG-002, MED-ENC-001) make
  exactly these exemptions and still judge the bucket; the Checkov check, which cannot tell a
  log target, is not applied there. Recognised as the rules recognise them: a bucket named by
  a BucketLogging's `targetBucket` or a bucket's `logging.logBucket`, by reference (the
  Inventory's `references`) or by literal name.
* `dataplane_v2_clusters`: GKE clusters with `datapathProvider: ADVANCED_DATAPATH`. Dataplane V2
  always enforces NetworkPolicy and has no network-policy add-on to enable; Checkov passes it
  only when the program also writes `networkPolicy {enabled: false}`.
* `clusters_without_default_pool`: GKE clusters with `removeDefaultNodePool: true`. The cluster's
  own `nodeConfig` describes the default pool GKE deletes at creation; the node pools that run
  are `gcp:container/nodePool:NodePool` resources, which the check judges.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from medinfra.policies.inventory import UNKNOWN_MARK

_S3_BUCKET = "aws:s3/bucket:Bucket"
_S3_LOGGING = "aws:s3/bucketLogging:BucketLogging"
_GCS_BUCKET = "gcp:storage/bucket:Bucket"
_GKE_CLUSTER = "gcp:container/cluster:Cluster"

#: Log-target type -> (bucket type, the bucket's name property).
_NAMES = {_S3_BUCKET: "bucket", _GCS_BUCKET: "name"}


def _props(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    props = resource.get("props")
    return props if isinstance(props, Mapping) else {}


def _named(value: Any) -> str | None:
    return value if isinstance(value, str) and value and value != UNKNOWN_MARK else None


def _targets(resource: Mapping[str, Any], path: str, value: Any) -> tuple[str | None, str | None]:
    """(the URN it references at `path`, the literal name it gives)."""
    refs = resource.get("references")
    ref = refs.get(path) if isinstance(refs, Mapping) else None
    return (ref if isinstance(ref, str) else None), _named(value)


def log_targets(resources: Iterable[Mapping[str, Any]]) -> set[str]:
    """URNs of the buckets of this plan that receive another bucket's access or usage logs."""
    resources = [r for r in resources if isinstance(r, Mapping)]
    by_urn = {r.get("urn"): r for r in resources}
    wanted: list[tuple[str, str | None, str | None]] = []  # (bucket type, URN, name)
    for r in resources:
        if r.get("type") == _S3_LOGGING:
            wanted.append((_S3_BUCKET, *_targets(r, "/targetBucket",
                                                  _props(r).get("targetBucket"))))
        elif r.get("type") == _GCS_BUCKET:
            logging = _props(r).get("logging")
            if isinstance(logging, Mapping) and logging.get("logBucket"):
                wanted.append((_GCS_BUCKET, *_targets(r, "/logging/logBucket",
                                                       logging.get("logBucket"))))
    found: set[str] = set()
    for kind, urn, name in wanted:
        if urn is not None and by_urn.get(urn, {}).get("type") == kind:
            found.add(urn)
        elif name is not None:
            found |= {b["urn"] for b in resources
                      if b.get("type") == kind and _props(b).get(_NAMES[kind]) == name}
    return found


def _clusters(resources: Iterable[Mapping[str, Any]], prop: str, value: Any) -> set[str]:
    return {r["urn"] for r in resources if isinstance(r, Mapping)
            and r.get("type") == _GKE_CLUSTER and _props(r).get(prop) == value}


def exempt(resources: Iterable[Mapping[str, Any]]) -> dict[str, set[str]]:
    """Each `not_on` kind (controls.NOT_ON) -> the URNs of this plan's resources of that kind."""
    resources = list(resources)
    return {
        "log_targets": log_targets(resources),
        "dataplane_v2_clusters": _clusters(resources, "datapathProvider", "ADVANCED_DATAPATH"),
        "clusters_without_default_pool": _clusters(resources, "removeDefaultNodePool", True),
    }
