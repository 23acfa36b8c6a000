"""`AzurePlatform`: what `compose.build()` returns for one Azure stack: the building blocks it
created, the serving target model serving builds on, and the stack outputs."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native as azure
from medinfra.components.azure.data_store import DataStore
from medinfra.components.azure.flow_logs import VnetFlowLog
from medinfra.components.azure.gpu_cluster import GpuCluster
from medinfra.components.azure.health_store import HealthWorkspace
from medinfra.components.azure.identity import WorkloadIdentity
from medinfra.components.azure.keys import Keys
from medinfra.components.azure.logs import LogWorkspace
from medinfra.components.azure.network import Network
from medinfra.components.azure.registry import Registry
from medinfra.components.k8s.compose import ModelIdentity, ServingTarget


@dataclass
class AzurePlatform:
    """What the Azure platform exposes to the serving layer."""

    resource_group: azure.resources.ResourceGroup
    logs: LogWorkspace
    network: Network
    keys: Keys
    stores: dict[str, DataStore]
    registry: Registry
    repository: str
    cluster: GpuCluster
    identities: dict[str, WorkloadIdentity]
    health: HealthWorkspace | None = None
    flow_log: VnetFlowLog | None = None

    @property
    def image_repository(self) -> pulumi.Output[str]:
        """`<login server>/<repository>`: where model-server images are pulled from."""
        return pulumi.Output.concat(self.registry.login_server, "/", self.repository)

    @property
    def serving(self) -> ServingTarget:
        """The cloud-neutral outputs model serving builds on."""
        return ServingTarget(
            provider=self.cluster.provider,
            gpu_node_selector=self.cluster.gpu_node_selector,
            gpu_tolerations=self.cluster.gpu_tolerations,
            identities={
                name: ModelIdentity(identity.service_account_annotations, identity.pod_labels)
                for name, identity in self.identities.items()
            },
            image_repository=self.image_repository,
        )

    def exports(self) -> dict[str, object]:
        """Stack outputs (the kubeconfig stays secret)."""
        return {
            "resourceGroup": self.resource_group.name,
            "clusterName": self.cluster.cluster.name,
            "kubeconfig": self.cluster.kubeconfig,
            "oidcIssuer": self.cluster.oidc_issuer,
            "registryUrl": self.image_repository,
            "storageAccounts": {n: s.account.name for n, s in self.stores.items()},
            **({"healthWorkspace": self.health.workspace.name} if self.health else {}),
        }
