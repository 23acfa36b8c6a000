"""Deliberately noncompliant for Checkov on Azure, GCP and Kubernetes. `medinfra preview` exits 1:

* storage account `publicblobs`: allows public blob access (CKV_MED_AZURE_1, MedInfra's ARM port
  of CKV_AZURE_190: Checkov's ARM framework has no check for it);
* GKE cluster `abac`: legacy ABAC on (CKV_GCP_7);
* InferenceService `privileged`: its predictor container is privileged (CKV_K8S_16), which
  Checkov sees in the Deployment KServe would run for it.
"""

import pulumi
import pulumi_azure_native as azure
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

azure.storage.StorageAccount(
    "publicblobs",
    resource_group_name="rg-models",
    location="westeurope",
    kind="StorageV2",
    sku={"name": "Standard_ZRS"},
    allow_blob_public_access=True,
    enable_https_traffic_only=True,
    minimum_tls_version="TLS1_2",
)
gcp.container.Cluster(
    "abac",
    location="europe-west4",
    project="medinfra-dev",
    initial_node_count=1,
    remove_default_node_pool=True,
    enable_legacy_abac=True,
    deletion_protection=False,
)
k8s.apiextensions.CustomResource(
    "privileged",
    api_version="serving.kserve.io/v1beta1",
    kind="InferenceService",
    metadata={"name": "privileged", "namespace": "models"},
    spec={"predictor": {
        "serviceAccountName": "privileged",
        "model": {
            "modelFormat": {"name": "pytorch"},
            "image": "registry.example/models@sha256:" + "a" * 64,
            "storageUri": "s3://models/privileged/",
            "securityContext": {"privileged": True},
        },
    }},
    opts=pulumi.ResourceOptions(provider=k8s.Provider("cluster", kubeconfig="{}")),
)
