package medinfra.rules.iam_least_privilege_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.iam_least_privilege as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

policy(statement) := {"role-policy": {"props": {"policy": json.marshal({"Version": "2012-10-17", "Statement": [statement]})}}}

test_compliant_plans_pass if {
	found(fx.aws) == set()
	found(fx.azure) == set()
	found(fx.gcp) == set()
}

test_aws_every_action_fails if {
	found(object.union(fx.aws, policy({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::phi-data/*"}))) == {fx.aws["role-policy"].urn}
}

test_aws_every_resource_fails if {
	found(object.union(fx.aws, policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}))) == {fx.aws["role-policy"].urn}
}

test_aws_policy_document_omitted_fails if {
	found(json.remove(fx.aws, ["role-policy/props/policy"])) == {fx.aws["role-policy"].urn}
}

test_aws_administrator_attachment_fails if {
	attach := data.medinfra.fixtures.res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "admin", {"role": "model", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, {})
	found(object.union(fx.aws, {"admin": attach})) == {attach.urn}
}

test_azure_subscription_scope_fails if {
	found(object.union(fx.azure, {"role-assignment": {"props": {"scope": "/subscriptions/s"}}})) == {fx.azure["role-assignment"].urn}
}

test_azure_resource_group_scope_fails if {
	found(object.union(fx.azure, {"role-assignment": {"props": {"scope": "/subscriptions/s/resourceGroups/rg"}}})) == {fx.azure["role-assignment"].urn}
}

test_azure_scope_omitted_fails if {
	found(json.remove(fx.azure, ["role-assignment/props/scope"])) == {fx.azure["role-assignment"].urn}
}

test_azure_owner_role_fails if {
	owner := "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	found(object.union(fx.azure, {"role-assignment": {"props": {"roleDefinitionId": owner}}})) == {fx.azure["role-assignment"].urn}
}

test_gcp_project_editor_fails if {
	found(object.union(fx.gcp, {"log-writer": {"props": {"role": "roles/editor"}}})) == {fx.gcp["log-writer"].urn}
}

# The Azure plan with its role assignment replaced (object.union would keep its references).
replace_assignment(assignment) := object.union(object.remove(fx.azure, ["role-assignment"]), {"role-assignment": assignment})

# Issue 15: a role assignment scoped to an unknown value with no reference allowed the stack.
test_azure_scope_unknown_without_reference_fails if {
	untraced := object.union(object.remove(fx.azure["role-assignment"], ["references"]), {
		"props": {"scope": "[unknown]"}, "unknowns": ["/scope"], "references": {},
	})
	found(replace_assignment(untraced)) == {fx.azure["role-assignment"].urn}
}

test_azure_scope_unknown_traced_to_a_storage_account_of_the_plan_passes if {
	plan := object.union(fx.azure, {"role-assignment": {"props": {"scope": "[unknown]"}, "unknowns": ["/scope"]}})
	found(plan) == set()
}

test_azure_scope_unknown_traced_to_a_resource_group_fails if {
	rg := data.medinfra.fixtures.res("azure-native:resources:ResourceGroup", "rg", {"resourceGroupName": "rg", "location": "westeurope"}, {})
	plan := object.union(fx.azure, {
		"rg": rg,
		"role-assignment": {"props": {"scope": "[unknown]"}, "unknowns": ["/scope"], "references": {"/scope": rg.urn}},
	})
	found(plan) == {fx.azure["role-assignment"].urn}
}

test_azure_scope_unknown_with_dependencies_fails_when_one_is_a_resource_group if {
	rg := data.medinfra.fixtures.res("azure-native:resources:ResourceGroup", "rg", {"resourceGroupName": "rg", "location": "westeurope"}, {})
	untraced := object.union(object.remove(fx.azure["role-assignment"], ["references"]), {
		"props": {"scope": "[unknown]"}, "unknowns": ["/scope"], "references": {},
	})
	with_storage := object.union(untraced, {"dependencies": [fx.azure.storage.urn]})
	found(object.union(replace_assignment(with_storage), {"rg": rg})) == set()
	with_both := object.union(untraced, {"dependencies": [rg.urn, fx.azure.storage.urn]})
	found(object.union(replace_assignment(with_both), {"rg": rg})) == {fx.azure["role-assignment"].urn}
}

test_aws_role_policy_unknown_fails if {
	plan := object.union(fx.aws, {"role-policy": {"props": {"policy": "[unknown]"}, "unknowns": ["/policy"]}})
	found(plan) == {fx.aws["role-policy"].urn}
}

test_project_level_healthcare_role_fails if {
	plan := object.union(fx.gcp, {"log-writer": {"props": {"role": "roles/healthcare.dicomViewer"}}})
	found(plan) == {fx.gcp["log-writer"].urn}
}

test_healthcare_store_admin_grant_fails if {
	plan := object.union(fx.gcp, {"fhir-reader": {"props": {"role": "roles/healthcare.fhirStoreAdmin"}}})
	found(plan) == {fx.gcp["fhir-reader"].urn}
}

test_healthcare_store_basic_role_fails if {
	plan := object.union(fx.gcp, {"dicom-reader": {"props": {"role": "roles/editor"}}})
	found(plan) == {fx.gcp["dicom-reader"].urn}
}

test_unknown_healthcare_role_fails if {
	plan := object.union(fx.gcp, {"dicom-reader": {"props": {"role": "[unknown]"}, "unknowns": ["/role"]}})
	found(plan) == {fx.gcp["dicom-reader"].urn}
}
