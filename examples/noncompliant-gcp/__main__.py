"""Deliberately noncompliant GCP resources, at least one per control family (named
`<family>-...`), next to compliant ones. `medinfra preview --dir examples/noncompliant-gcp
--stack dev` exits 1; tests/test_noncompliant_examples.py asserts the exact findings. (GCP
has no transport rule: Cloud Storage accepts only HTTPS.)"""

import pulumi_gcp as gcp

REGION = "europe-west4"
labels = {"owner": "ml-platform", "cost_center": "cc-1", "environment": "dev",
          "data_classification": "phi"}
ring = gcp.kms.KeyRing("ring", name="medinfra", location=REGION)


def key(name: str, rotation_days: int = 90) -> gcp.kms.CryptoKey:
    return gcp.kms.CryptoKey(
        name, name=name, key_ring=ring.id, purpose="ENCRYPT_DECRYPT",
        rotation_period=f"{rotation_days * 86400}s", destroy_scheduled_duration="2592000s",
        labels={**labels, "purpose": name})


data_key = key("data")


def bucket(name: str, *, cmek=True, logged=True, versioned=True, location="EUROPE-WEST4",
           tagged=True, retained=True) -> gcp.storage.Bucket:
    """A bucket that follows every rule except those switched off."""
    return gcp.storage.Bucket(
        name, name=f"medinfra-{name}", location=location, uniform_bucket_level_access=True,
        public_access_prevention="enforced", versioning={"enabled": versioned},
        encryption={"default_kms_key_name": data_key.id} if cmek else None,
        logging={"log_bucket": "medinfra-access-logs"} if logged else None,
        retention_policy={"retention_period": 189216000} if retained else None,
        labels=labels if tagged else None)


bucket("models")
bucket("enc-no-cmek", cmek=False)
bucket("log-no-usage-logs", logged=False)
# Neither versioned nor retained (a retention policy alone would satisfy MED-INT-001 on GCS).
bucket("int-no-versioning", versioned=False, retained=False)
bucket("res-multi-region-us", location="US")
bucket("tag-no-labels", tagged=False)
key("key-yearly-rotation", rotation_days=365)
gcp.compute.Firewall(
    "net-ssh-from-anywhere", network="medinfra", direction="INGRESS",
    source_ranges=["0.0.0.0/0"], allows=[{"protocol": "tcp", "ports": ["22"]}])
gcp.projects.IAMMember(
    "iam-project-editor", project="medinfra-example", role="roles/editor",
    member="serviceAccount:model@medinfra-example.iam.gserviceaccount.com")
gcp.compute.Network("net-auto-mode", name="medinfra", auto_create_subnetworks=True)
# Every service account of the namespace may act as the model's Google service account.
gcp.serviceaccount.IAMMember(
    "iam-namespace-wide", role="roles/iam.workloadIdentityUser",
    service_account_id="projects/medinfra-example/serviceAccounts/"
    "model@medinfra-example.iam.gserviceaccount.com",
    member="principalSet://iam.googleapis.com/projects/1/locations/global/"
    "workloadIdentityPools/medinfra-example.svc.id.goog/namespace/models")
gcp.container.NodePool(
    "hrd-node-metadata-exposed", cluster="medinfra", location=REGION, node_count=1,
    node_config={
        "machine_type": "g2-standard-8", "boot_disk_kms_key": key("volumes").id,
        "shielded_instance_config": {"enable_secure_boot": True,
                                     "enable_integrity_monitoring": True},
        "workload_metadata_config": {"mode": "GCE_METADATA"}, "resource_labels": labels,
    })
# A Healthcare dataset on Google's default encryption (no encryptionSpec); its data-access
# audit logs are on, so only the encryption rule fails.
gcp.healthcare.Dataset("enc-dataset-no-cmek", name="health", location=REGION)
gcp.projects.IAMAuditConfig(
    "healthcare-audit", project="medinfra-example", service="healthcare.googleapis.com",
    audit_log_configs=[{"log_type": t} for t in ("ADMIN_READ", "DATA_READ", "DATA_WRITE")])
