"""Cloud-neutral Kubernetes components: KServe install and InferenceServices."""
