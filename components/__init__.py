"""MedInfra components: what gets deployed (Pulumi ComponentResources)."""

#: The one type-token prefix of every MedInfra component ("medinfra:<area>:<Type>").
PACKAGE = "medinfra"
