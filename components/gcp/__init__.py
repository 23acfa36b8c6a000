"""GCP building blocks (Cloud KMS, VPC, GCS, Artifact Registry, GKE, workload identity)."""
