"""The GCP reference platforms, asserted per resource from the offline plans' Inventories."""

from __future__ import annotations

import json

import pytest
import yaml
from medinfra.components.gcp.keys import PURPOSE_AGENTS
from medinfra.components.gcp.services import AGENT_DOMAINS

from tests.conftest import REPO
from tests.sdk_schema import input_names

KEY = "gcp:kms/cryptoKey:CryptoKey"
KEY_GRANT = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
BUCKET = "gcp:storage/bucket:Bucket"
BUCKET_GRANT = "gcp:storage/bucketIAMMember:BucketIAMMember"
CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
ACCOUNT = "gcp:serviceaccount/account:Account"
REPOSITORY = "gcp:artifactregistry/repository:Repository"
ISVC = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
REQUIRED_LABELS = {"owner", "cost_center", "environment", "data_classification", "managed-by"}
NINETY_DAYS = 90 * 24 * 3600


def _stack(name: str) -> dict:
    return yaml.safe_load((REPO / "stacks" / f"Pulumi.{name}.yaml").read_text())["config"]


def _seconds(duration: str) -> int:
    assert duration.endswith("s"), duration
    return int(duration[:-1])


@pytest.fixture(params=["gcp_prod", "gcp_dev"])
def inv(request):
    return request.getfixturevalue(request.param)


def test_every_crypto_key_rotates_within_90_days(inv):
    keys = inv.of_type(KEY)
    assert {k["name"] for k in keys} == {"keys-data", "keys-secrets", "keys-volumes"}
    for key in keys:
        assert 0 < _seconds(key["props"]["rotationPeriod"]) <= NINETY_DAYS, key["name"]
        assert key["props"]["purpose"] == "ENCRYPT_DECRYPT"
        assert _seconds(key["props"]["destroyScheduledDuration"]) >= 30 * 24 * 3600
        assert inv.referenced(key, "/keyRing")["type"] == "gcp:kms/keyRing:KeyRing"


def test_encrypter_grants_go_to_exactly_the_agents_that_need_each_key(inv):
    granted: dict[str, set[str]] = {}
    for grant in inv.of_type(KEY_GRANT):
        if grant["props"]["role"] != "roles/cloudkms.cryptoKeyEncrypterDecrypter":
            continue
        key = inv.referenced(grant, "/cryptoKeyId")
        assert key["type"] == KEY
        domain = grant["props"]["member"].split("@")[1].split(".")[0]
        assert grant["props"]["member"].startswith("serviceAccount:service-")
        granted.setdefault(key["name"].removeprefix("keys-"), set()).add(domain)
    expected = {p: {AGENT_DOMAINS[s] for s in services} for p, services in PURPOSE_AGENTS.items()}
    if inv.of_type("gcp:healthcare/dataset:Dataset"):  # the Healthcare agent uses the data key
        expected["data"] = expected["data"] | {"gcp-sa-healthcare"}
    assert granted == expected


def test_every_bucket_is_cmek_encrypted_private_and_recoverable(inv):
    buckets = inv.of_type(BUCKET)
    assert len(buckets) == 3
    for bucket in buckets:
        props = bucket["props"]
        key = inv.referenced(bucket, "/encryption/defaultKmsKeyName")
        assert key["type"] == KEY and key["name"] == "keys-data", bucket["name"]
        assert props["uniformBucketLevelAccess"] is True
        assert props["publicAccessPrevention"] == "enforced"
        assert props["forceDestroy"] is False
        assert props["softDeletePolicy"]["retentionDurationSeconds"] >= 7 * 24 * 3600
        assert props["location"] == "EUROPE-WEST4"
        # GCS refuses versioning on a bucket with a retention policy: one or the other.
        retained = "retentionPolicy" in props
        assert props["versioning"]["enabled"] is not retained, bucket["name"]


def test_dev_store_buckets_are_versioned(gcp_dev):
    stores = [b for b in gcp_dev.of_type(BUCKET) if b["name"] != "access-logs"]
    assert {b["name"] for b in stores} == {"models", "data"}
    for bucket in stores:
        assert bucket["props"]["versioning"] == {"enabled": True}
        assert "retentionPolicy" not in bucket["props"]
        (rule,) = bucket["props"]["lifecycleRules"]
        assert rule["condition"]["daysSinceNoncurrentTime"] >= 30


def test_prod_phi_buckets_are_retained_six_years_and_locked(gcp_prod):
    for bucket in gcp_prod.of_type(BUCKET):
        policy = bucket["props"]["retentionPolicy"]
        assert int(policy["retentionPeriod"]) >= 2190 * 24 * 3600, bucket["name"]
        assert policy["isLocked"] is True


def test_store_buckets_log_to_the_access_log_bucket(inv):
    logs = inv.one(BUCKET, "access-logs")
    assert "logging" not in logs["props"]
    for bucket in inv.of_type(BUCKET):
        if bucket is logs:
            continue
        assert inv.referenced(bucket, "/logging/logBucket") is logs, bucket["name"]
    (writer,) = [g for g in inv.of_type(BUCKET_GRANT) if g["name"] == "access-logs"]
    assert writer["props"]["role"] == "roles/storage.objectCreator"
    assert writer["props"]["member"] == "group:cloud-storage-analytics@google.com"


def test_registry_is_cmek_encrypted_immutable_scanned_and_cleaned_up(inv):
    (repo,) = inv.of_type(REPOSITORY)
    props = repo["props"]
    assert inv.referenced(repo, "/kmsKeyName")["name"] == "keys-data"
    assert props["format"] == "DOCKER"
    assert props["dockerConfig"]["immutableTags"] is True
    assert props["vulnerabilityScanningConfig"]["enablementConfig"] == "INHERITED"
    services = {s["props"]["service"] for s in inv.of_type("gcp:projects/service:Service")}
    assert "containerscanning.googleapis.com" in services
    assert props["cleanupPolicyDryRun"] is False
    assert {p["action"] for p in props["cleanupPolicies"]} == {"KEEP", "DELETE"}


def test_cluster_nodes_and_endpoint_are_private(inv):
    (cluster,) = inv.of_type(CLUSTER)
    private = cluster["props"]["privateClusterConfig"]
    assert private["enablePrivateNodes"] is True
    assert private["enablePrivateEndpoint"] is True
    networks = cluster["props"]["masterAuthorizedNetworksConfig"]
    assert networks["gcpPublicCidrsAccessEnabled"] is False
    for block in networks["cidrBlocks"]:
        assert not block["cidrBlock"].endswith("/0")


def test_cluster_security_settings(inv):
    (cluster,) = inv.of_type(CLUSTER)
    props = cluster["props"]
    project = inv.of_type("pulumi:providers:gcp")[0]["props"]["project"]
    assert props["workloadIdentityConfig"] == {"workloadPool": f"{project}.svc.id.goog"}
    assert props["enableShieldedNodes"] is True
    assert props["enableLegacyAbac"] is False
    assert props["masterAuth"]["clientCertificateConfig"]["issueClientCertificate"] is False
    assert props["binaryAuthorization"]["evaluationMode"] == "PROJECT_SINGLETON_POLICY_ENFORCE"
    assert props["datapathProvider"] == "ADVANCED_DATAPATH"
    assert props["releaseChannel"]["channel"] in ("REGULAR", "STABLE")
    assert props["removeDefaultNodePool"] is True
    assert {"APISERVER", "WORKLOADS", "SYSTEM_COMPONENTS"} <= set(
        props["loggingConfig"]["enableComponents"])
    assert props["networkingMode"] == "VPC_NATIVE"


def test_secrets_are_encrypted_with_this_plans_key(inv):
    (cluster,) = inv.of_type(CLUSTER)
    assert cluster["props"]["databaseEncryption"]["state"] == "ENCRYPTED"
    key = inv.referenced(cluster, "/databaseEncryption/keyName")
    assert key["type"] == KEY and key["name"] == "keys-secrets"
    assert _seconds(key["props"]["rotationPeriod"]) <= NINETY_DAYS


def test_every_node_pool_is_shielded_with_a_dedicated_account_and_cmek_disks(inv):
    pools = inv.of_type(NODE_POOL)
    assert len(pools) == 2
    for pool in pools:
        node = pool["props"]["nodeConfig"]
        assert node["shieldedInstanceConfig"] == {
            "enableSecureBoot": True, "enableIntegrityMonitoring": True}, pool["name"]
        assert node["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
        assert not node["serviceAccount"].endswith("-compute@developer.gserviceaccount.com")
        assert node["serviceAccount"] != "default"
        assert inv.referenced(pool, "/nodeConfig/serviceAccount")["type"] == ACCOUNT
        assert inv.referenced(pool, "/nodeConfig/bootDiskKmsKey")["name"] == "keys-volumes"
        assert pool["props"]["management"] == {"autoRepair": True, "autoUpgrade": True}
        assert inv.referenced(pool, "/cluster")["type"] == CLUSTER


def test_gpu_pools_carry_accelerators_driver_taint_and_labels(inv):
    stack = _stack("gcp-prod" if inv.document["stack"] == "gcp-prod" else "gcp-dev")
    configured = {p["name"]: p for p in stack["medinfra:cluster"]["gpuPools"]}
    gpu_pools = [p for p in inv.of_type(NODE_POOL) if p["props"]["name"] in configured]
    assert len(gpu_pools) == len(configured) == 1
    for pool in gpu_pools:
        node = pool["props"]["nodeConfig"]
        want = configured[pool["props"]["name"]]
        assert node["machineType"] == want["instanceType"]
        (acc,) = node["guestAccelerators"]
        assert acc["type"] == want["accelerator"] and acc["count"] >= 1
        assert acc["gpuDriverInstallationConfig"]["gpuDriverVersion"] in ("LATEST", "DEFAULT")
        assert {"key": "nvidia.com/gpu", "value": "present", "effect": "NO_SCHEDULE"} in node[
            "taints"]
        assert node["labels"]["nvidia.com/gpu.present"] == "true"
        assert pool["props"]["autoscaling"]["totalMaxNodeCount"] == want["maxSize"]
    (system,) = [p for p in inv.of_type(NODE_POOL) if p["props"]["name"] == "system"]
    assert "guestAccelerators" not in system["props"]["nodeConfig"]
    assert "taints" not in system["props"]["nodeConfig"]


def test_node_account_has_only_the_node_role_and_registry_read(inv):
    node_account = inv.one(ACCOUNT, "cluster-nodes")
    member = f"serviceAccount:{node_account['props']['accountId']}@"
    project_roles = [m["props"]["role"] for m in inv.of_type("gcp:projects/iAMMember:IAMMember")
                     if m["props"]["member"].startswith(member)]
    assert project_roles == ["roles/container.defaultNodeServiceAccount"]
    (reader,) = inv.of_type("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember")
    assert reader["props"]["role"] == "roles/artifactregistry.reader"
    assert inv.referenced(reader, "/member") is node_account


def test_model_identity_is_scoped_to_one_bucket_one_key_one_service_account(inv):
    account = inv.one(ACCOUNT, "model-chest-xray")
    project = inv.of_type("pulumi:providers:gcp")[0]["props"]["project"]
    bindings = [r for r in inv.resources if r["references"].get("/member") == account["urn"]
                or r["references"].get("/serviceAccountId") == account["urn"]]
    # Its reader bindings on the DICOM/FHIR stores its config names: tests/gcp/test_gcp_health.py.
    bindings = [r for r in bindings if not r["type"].startswith("gcp:healthcare/")]
    by_type = {r["type"]: r for r in bindings}
    assert len(by_type) == len(bindings) == 3
    read = by_type[BUCKET_GRANT]
    assert read["props"]["role"] == "roles/storage.objectViewer"
    assert inv.referenced(read, "/bucket")["name"] == "models"
    decrypt = by_type[KEY_GRANT]
    assert decrypt["props"]["role"] == "roles/cloudkms.cryptoKeyDecrypter"
    assert inv.referenced(decrypt, "/cryptoKeyId")["name"] == "keys-data"
    workload = by_type["gcp:serviceaccount/iAMMember:IAMMember"]
    assert workload["props"]["role"] == "roles/iam.workloadIdentityUser"
    assert workload["props"]["member"] == (
        f"serviceAccount:{project}.svc.id.goog[models/chest-xray]")
    assert not [m for m in inv.of_type("gcp:projects/iAMMember:IAMMember")
                if m["references"].get("/member") == account["urn"]]


def test_network_is_custom_mode_private_logged_and_denies_ingress(inv):
    (network,) = inv.of_type("gcp:compute/network:Network")
    assert network["props"]["autoCreateSubnetworks"] is False
    (subnet,) = inv.of_type("gcp:compute/subnetwork:Subnetwork")
    assert subnet["props"]["privateIpGoogleAccess"] is True
    assert subnet["props"]["logConfig"]["flowSampling"] == 1.0
    assert subnet["props"]["logConfig"]["metadata"] == "INCLUDE_ALL_METADATA"
    assert {r["rangeName"] for r in subnet["props"]["secondaryIpRanges"]} == {"pods", "services"}
    (nat,) = inv.of_type("gcp:compute/routerNat:RouterNat")
    assert nat["props"]["logConfig"]["enable"] is True
    (deny,) = inv.of_type("gcp:compute/firewall:Firewall")
    assert deny["props"]["direction"] == "INGRESS"
    assert deny["props"]["denies"] == [{"protocol": "all"}]
    assert deny["props"]["sourceRanges"] == ["0.0.0.0/0"]
    assert "allows" not in deny["props"]
    assert inv.referenced(deny, "/network") is network


def test_every_labelable_resource_carries_the_stack_labels(inv):
    classification = inv.document["config"]["dataClassification"]
    checked = 0
    for resource in inv.resources:
        if not resource["type"].startswith("gcp:"):
            continue
        names = input_names(resource["type"])
        labels = None
        if "labels" in names:
            labels = resource["props"].get("labels", {})
        elif "resourceLabels" in names:
            labels = resource["props"].get("resourceLabels", {})
        elif resource["type"] == NODE_POOL:
            labels = resource["props"]["nodeConfig"].get("resourceLabels", {})
        if labels is None:
            continue
        assert REQUIRED_LABELS <= set(labels), resource["urn"]
        assert labels["data_classification"] == classification
        checked += 1
    # keys, buckets, repository, cluster, node pools, and the Healthcare dataset's stores
    health = sum(1 for r in inv.resources if r["type"].startswith("gcp:healthcare/")
                 and "labels" in input_names(r["type"]))
    assert checked == 3 + 3 + 1 + 1 + 2 + health


def test_every_regional_setting_is_in_allowed_regions(inv):
    allowed = inv.document["config"]["allowedRegions"]
    (provider,) = inv.of_type("pulumi:providers:gcp")
    assert provider["props"]["region"] in allowed
    for resource in inv.resources:
        location = resource["props"].get("location") or resource["props"].get("region")
        if resource["type"].startswith("gcp:") and isinstance(location, str):
            assert location.lower() in allowed, resource["urn"]


def test_inference_service_runs_on_gke_with_workload_identity(inv):
    (isvc,) = inv.of_type(ISVC)
    predictor = isvc["props"]["spec"]["predictor"]
    (account,) = [a for a in inv.of_type("kubernetes:core/v1:ServiceAccount")
                  if a["props"]["metadata"]["name"] == predictor["serviceAccountName"]]
    annotation = "/metadata/annotations/iam.gke.io~1gcp-service-account"
    assert inv.referenced(account, annotation)["name"] == "model-chest-xray"
    email = account["props"]["metadata"]["annotations"]["iam.gke.io/gcp-service-account"]
    assert email.endswith(".iam.gserviceaccount.com")
    buckets = {b["props"]["name"] for b in inv.of_type(BUCKET)}
    uri = predictor["model"]["storageUri"]
    assert uri.startswith("gs://") and uri.split("/")[2] in buckets
    repo = inv.referenced(isvc, "/spec/predictor/model/image")
    assert repo["type"] == REPOSITORY
    project = inv.of_type("pulumi:providers:gcp")[0]["props"]["project"]
    registry = f"europe-west4-docker.pkg.dev/{project}/{repo['props']['repositoryId']}"
    assert predictor["model"]["image"].startswith(f"{registry}@sha256:")
    assert predictor["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in predictor[
        "tolerations"]
    resources = predictor["model"]["resources"]
    assert resources["limits"]["nvidia.com/gpu"] == resources["requests"]["nvidia.com/gpu"]


def test_gke_runs_its_own_device_plugin_and_pods_reach_the_metadata_server(inv):
    releases = {r["name"] for r in inv.of_type("kubernetes:helm.sh/v3:Release")}
    assert releases == {"kserve-cert-manager", "kserve-kserve-crd", "kserve-kserve"}
    policy = inv.one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "kserve-allow-serving")
    cidrs = {peer["ipBlock"]["cidr"] for rule in policy["props"]["spec"]["egress"]
             for peer in rule.get("to", []) if "ipBlock" in peer}
    assert cidrs == {"169.254.169.254/32", "169.254.169.252/32"}


def test_kubeconfig_is_a_secret_stack_output(gcp_prod):
    (provider,) = gcp_prod.of_type("pulumi:providers:kubernetes")
    assert "/kubeconfig" in provider["secrets"]
    assert json.dumps(provider["props"]["kubeconfig"]) == '"[secret]"'


def test_storage_initializer_is_pinned_by_digest_in_this_plans_artifact_registry(gcp_prod):
    from tests.k8s.test_serving import storage_initializer

    image, source = storage_initializer(gcp_prod)
    assert image.startswith("europe-west4-docker.pkg.dev/") and "@sha256:" in image
    assert source["type"] == "gcp:artifactregistry/repository:Repository"
