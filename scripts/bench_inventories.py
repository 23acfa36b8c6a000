"""Synthetic Inventories for scripts/bench_gate.py and bench_checkov_split.py: the original
AWS-only unit, and realistic copies of every rule's compliant fixture plans (each copy with its
own names, namespaces and selector labels)."""

from __future__ import annotations

from medinfra.policies.inventory import InventoryResource

TAGS = {"owner": "o", "costCenter": "c", "environment": "prod", "dataClassification": "phi"}
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"


def _resource(urn: str, type_: str, props: dict, references: dict | None = None) -> dict:
    return InventoryResource(
        urn=urn,
        type=type_,
        name=urn.rsplit("::", 1)[1],
        provider="aws",
        parent=None,
        props=props,
        references=references or {},
    ).to_dict()


def synthetic_inventory(size: int) -> dict:
    """At least `size` resources in units of 5: key, bucket, its SSE configuration, a cluster,
    a provider; every tenth bucket is left unencrypted so rules produce findings."""
    resources: list[dict] = []
    i = -1
    while len(resources) < size:
        i += 1
        prefix = f"urn:pulumi:bench::bench::aws:{{}}::{i}"
        key, bucket = prefix.format("kms/key:Key"), prefix.format("s3/bucket:Bucket")
        resources += [
            _resource(key, "aws:kms/key:Key", {"enableKeyRotation": True, "tags": TAGS}),
            _resource(bucket, "aws:s3/bucket:Bucket", {"tags": TAGS}),
            _resource(
                prefix.format("eks/cluster:Cluster"),
                "aws:eks/cluster:Cluster",
                {"tags": TAGS, "vpcConfig": {"endpointPublicAccess": False}},
            ),
            _resource(
                f"urn:pulumi:bench::bench::pulumi:providers:aws::p{i}",
                "pulumi:providers:aws",
                {"region": "eu-central-1"},
            ),
        ]
        if i % 10:
            path = "/rules/0/applyServerSideEncryptionByDefault/kmsMasterKeyId"
            resources.append(
                _resource(
                    prefix.format(SSE),
                    SSE,
                    {
                        "bucket": f"b{i}",
                        "rules": [
                            {
                                "applyServerSideEncryptionByDefault": {
                                    "sseAlgorithm": "aws:kms",
                                    "kmsMasterKeyId": f"arn:{i}",
                                }
                            }
                        ],
                    },
                    {"/bucket": bucket, path: key},
                )
            )
    return {
        "project": "bench",
        "stack": "bench",
        "config": {"allowedRegions": ["eu-central-1"], "dataClassification": "phi"},
        "resources": resources,
    }


#: Props naming a cloud resource (or a parent) in the fixture plans: renamed per copy.
_NAME_KEYS = {"name", "bucket", "repository", "cluster", "network", "router", "role",
              "accountId", "bucketId", "repositoryId", "keyRing"}
#: Values that mean something beyond a name (ARM's singleton child "default", enum values).
_KEEP = {"default", "None", "", "models/"}


def _k8s_tokens(node, tokens: set, selector_keys: set) -> None:
    """Names, namespaces and selector label values of a manifest (at any depth)."""
    if isinstance(node, list):
        for item in node:
            _k8s_tokens(item, tokens, selector_keys)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in ("name", "namespace", "serviceAccountName", "claimName") and isinstance(value,
                                                                                         str):
            tokens.add(value)
        elif key in ("matchLabels", "selector") and isinstance(value, dict):
            for label, v in value.items():
                if isinstance(v, str):
                    selector_keys.add(label)
                    tokens.add(v)
        _k8s_tokens(value, tokens, selector_keys)


def _rename_tokens(plan: dict) -> set[str]:
    tokens: set[str] = set()
    selector_keys: set[str] = set()
    for r in plan.values():
        tokens.add(r["name"])
        props = r.get("props") or {}
        if r["type"].startswith("kubernetes:"):
            _k8s_tokens(props, tokens, selector_keys)
            labels = (props.get("metadata") or {}).get("labels") or {}
            tokens.update(v for k, v in labels.items() if k in selector_keys)
            continue
        tokens.update(v for k, v in props.items() if isinstance(v, str)
                      and (k in _NAME_KEYS or k.endswith("Name")))
    return tokens - _KEEP


def _renamed(node, tokens: set[str], suffix: str):
    if isinstance(node, dict):
        out = {k: _renamed(v, tokens, suffix) for k, v in node.items()}
        metadata = out.get("metadata")
        if isinstance(metadata, dict) and isinstance(out.get("kind"), str):
            metadata["labels"] = {**(metadata.get("labels") or {}), "bench/copy": suffix[1:]}
        return out
    if isinstance(node, list):
        return [_renamed(v, tokens, suffix) for v in node]
    return f"{node}{suffix}" if isinstance(node, str) and node in tokens else node


def fixture_inventory(size: int) -> dict:
    """At least `size` resources: copies of the rules' compliant fixture plans for AWS, Azure,
    GCP and KServe (policies/rego/lib/fixtures_test.rego), every rule's resource types. Each copy
    is what a real estate could hold: its own URNs and references, and its own names,
    namespaces and selector labels (every name-like value of the fixture gets the copy's
    suffix, consistently, so a selector still selects its own copy's pods and nothing else),
    plus a `bench/copy` label on every manifest; every fifth copy's store loses its
    encryption."""
    import json

    import regorus
    from medinfra.policies.rules import RULES_DIR

    engine = regorus.Engine()
    for path in sorted(RULES_DIR.rglob("*.rego")):
        engine.add_policy(str(path.relative_to(RULES_DIR)), path.read_text())
    plans = [
        json.loads(engine.eval_rule_as_json(f"data.medinfra.fixtures.{name}"))
        for name in ("kserve", "azure", "gcp")
    ]
    tokens = [_rename_tokens(plan) for plan in plans]
    config = json.loads(engine.eval_rule_as_json("data.medinfra.fixtures.config"))
    resources: list[dict] = []
    copy = 0
    while len(resources) < size:
        base = plans[copy % len(plans)]
        text = json.dumps(base).replace("::", f"::c{copy}-")
        plan = {
            key: {**r, "name": f"{r['name']}-c{copy}",
                  "props": _renamed(r.get("props") or {}, tokens[copy % len(plans)], f"-c{copy}")}
            for key, r in json.loads(text).items()
        }
        if copy % 5 == 0:
            plan.pop("bucket-sse", None)
            plan.get("gcs", {}).get("props", {}).pop("encryption", None)
        resources += plan.values()
        copy += 1
    return {"project": "bench", "stack": "bench", "config": config, "resources": resources}
