package medinfra.rules.network_flow_logs_enabled_test

import data.medinfra.fixtures as fx
import data.medinfra.rules.network_flow_logs_enabled as rule
import rego.v1

found(plan) := u if {
	inp := data.medinfra.fixtures.inventory(plan)
	u := {f.urn | some f in rule.deny} with input as inp
}

test_compliant_plans_pass if {
	found(fx.aws) == set()
	found(fx.azure) == set()
	found(fx.gcp) == set()
}

test_vpc_without_flow_log_fails if {
	found(object.remove(fx.aws, ["flow-log"])) == {fx.aws.vpc.urn}
}

test_flow_log_of_rejected_traffic_only_fails if {
	found(object.union(fx.aws, {"flow-log": {"props": {"trafficType": "REJECT"}}})) == {fx.aws.vpc.urn}
}

test_vnet_flow_log_disabled_fails if {
	found(object.union(fx.azure, {"vnet-flow-log": {"props": {"enabled": false}}})) == {fx.azure.vnet.urn}
}

test_vnet_without_flow_log_fails if {
	found(object.remove(fx.azure, ["vnet-flow-log"])) == {fx.azure.vnet.urn}
}

test_subnetwork_log_config_omitted_fails if {
	found(json.remove(fx.gcp, ["subnet/props/logConfig"])) == {fx.gcp.subnet.urn}
}

test_cloud_nat_logging_off_fails if {
	found(object.union(fx.gcp, {"nat": {"props": {"logConfig": {"enable": false}}}})) == {fx.gcp.nat.urn}
}

test_cloud_nat_logging_errors_only_fails if {
	found(object.union(fx.gcp, {"nat": {"props": {"logConfig": {"filter": "ERRORS_ONLY"}}}})) == {fx.gcp.nat.urn}
}

test_cloud_nat_log_config_omitted_fails if {
	found(json.remove(fx.gcp, ["nat/props/logConfig"])) == {fx.gcp.nat.urn}
}
