"""Azure building blocks: Key Vault, network, storage, ACR, AKS GPU cluster, workload identity."""
