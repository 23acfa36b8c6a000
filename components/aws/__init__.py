"""AWS building blocks: keys, network, data stores, registry, EKS GPU cluster, identity."""
