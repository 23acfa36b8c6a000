# METADATA
# title: Registry image tags are immutable and images are scanned
# description: >-
#   The image a model runs in must be exactly the one that was reviewed, and known
#   vulnerabilities must be found before it serves patients. ECR repositories have immutable tags
#   and scan on push; Artifact Registry Docker repositories have immutable tags, and vulnerability
#   scanning is not disabled and actually runs: a repository inherits it from its project, which
#   scans only when the plan enables the Container Scanning API. (Azure Container Registry has
#   no registry-wide tag lock; its images are pinned by digest under MED-HRD-003.)
# custom:
#   id: MED-INT-003
#   severity: medium
#   controls:
#     hipaa: ["164.312(c)(1)", "164.308(a)(1)(ii)(B)"]
#     gdpr: ["Art.32(1)(b)"]
#     cis: ["EKS 5.1.1", "GKE 5.1.1"]
#   resource_types:
#     - aws:ecr/repository:Repository
#     - gcp:artifactregistry/repository:Repository
#     - gcp:projects/service:Service
#   remediation: >-
#     AWS: imageTagMutability IMMUTABLE and imageScanningConfiguration.scanOnPush true. GCP:
#     dockerConfig.immutableTags true and vulnerabilityScanningConfig.enablementConfig not
#     DISABLED, and a gcp.projects.Service enabling containerscanning.googleapis.com in the same
#     program (MedInfra's ProjectServices does). Deploy images by digest (see MED-HRD-003).
#   waivable: true
#   satisfied_by:
#     aws:
#       - "components/aws/registry.py: Registry"
#     gcp:
#       - "components/gcp/registry.py: Registry"
#       - "components/gcp/services.py: ProjectServicesArgs.services / ProjectServices"
package medinfra.rules.registry_images_immutable_and_scanned

import rego.v1

# The properties this rule judges, and what may vouch for one that is unknown at preview
# (data.medinfra.lib.unverifiable: a "value" must be known; any other kind must trace to it).
verifiable := {
	"aws:ecr/repository:Repository": {
		"/imageTagMutability": "value",
		"/imageScanningConfiguration/scanOnPush": "value",
	},
	"gcp:artifactregistry/repository:Repository": {
		"/format": "value",
		"/dockerConfig/immutableTags": "value",
		"/vulnerabilityScanningConfig/enablementConfig": "value",
	},
	"gcp:projects/service:Service": {
		"/service": "value",
	},
}

deny contains finding if {
	some finding in data.medinfra.lib.unverifiable(verifiable)
}

deny contains finding if {
	some repo in data.medinfra.lib.of_type("aws:ecr/repository:Repository")
	not repo.props.imageTagMutability in {"IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"}
	finding := data.medinfra.lib.finding(repo, sprintf("ECR repository %s allows tags to be overwritten", [repo.name]))
}

deny contains finding if {
	some repo in data.medinfra.lib.of_type("aws:ecr/repository:Repository")
	not repo.props.imageScanningConfiguration.scanOnPush == true
	finding := data.medinfra.lib.finding(repo, sprintf("ECR repository %s does not scan images on push", [repo.name]))
}

deny contains finding if {
	some repo in data.medinfra.lib.of_type("gcp:artifactregistry/repository:Repository")
	repo.props.format == "DOCKER"
	not repo.props.dockerConfig.immutableTags == true
	finding := data.medinfra.lib.finding(repo, sprintf("Artifact Registry repository %s allows tags to be overwritten", [repo.name]))
}

deny contains finding if {
	some repo in data.medinfra.lib.of_type("gcp:artifactregistry/repository:Repository")
	object.get(data.medinfra.lib.obj(repo.props), ["vulnerabilityScanningConfig", "enablementConfig"], "INHERITED") == "DISABLED"
	finding := data.medinfra.lib.finding(repo, sprintf("Artifact Registry repository %s has vulnerability scanning disabled", [repo.name]))
}

# INHERITED means "scan if the project's Container Scanning API is on": the plan must turn it on.
scanning_api_enabled if {
	some service in data.medinfra.lib.of_type("gcp:projects/service:Service")
	service.props.service == "containerscanning.googleapis.com"
}

deny contains finding if {
	some repo in data.medinfra.lib.of_type("gcp:artifactregistry/repository:Repository")
	object.get(data.medinfra.lib.obj(repo.props), ["vulnerabilityScanningConfig", "enablementConfig"], "INHERITED") != "DISABLED"
	not scanning_api_enabled
	finding := data.medinfra.lib.finding(repo, sprintf("Artifact Registry repository %s inherits vulnerability scanning, but this plan does not enable the Container Scanning API (containerscanning.googleapis.com)", [repo.name]))
}
