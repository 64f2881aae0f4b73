// Why a Tempest test fails or is skipped against the VSM, found by reading the test and the VSM.
// A failure is matched on its test id; a skip on its test id, else on Tempest's reason. First match wins.
interface Explanation { kind: 'fail' | 'skip'; test?: RegExp; reason?: RegExp; why: string }

const NO_L3 = 'vxvem is a layer-2 switch: no routers, floating IPs or external networks (the `router`, `external-net`, `l3` extensions are not offered)';
const NO_SG = 'vxvem has no security groups: port security is per port (`port_security_enabled`, `allowed_address_pairs`, enforced by the VEM), so the `security-group` extension is not offered';

const EXPLANATIONS: Explanation[] = [
  // ---- failures: tests that assume an extension without checking that it is listed ----
  { kind: 'fail', test: /ExternalNetworksTestJSON\./, why: `Tempest assumes \`external-net\` (ML2 always loads it) and does not check the extension list. ${NO_L3}; \`router:external: true\` is refused with 400.` },
  { kind: 'fail', test: /test_negative_quotas\.QuotasNegativeTest\.test_network_quota_exceeding/, why: `The quota is enforced (the test's body passes); its tearDown then lists the project's security groups to delete the default one without checking the extension, and \`GET /v2.0/security-groups\` is 404. ${NO_SG}.` },
  { kind: 'fail', test: /neutron_tempest_plugin\.api\.admin\.test_quotas(_negative)?\./, why: `The plugin's \`create_project\` lists the new project's security groups (Neutron makes a default one per project) without checking the extension; \`GET /v2.0/security-groups\` is 404 before any quota is exercised. ${NO_SG}.` },
  { kind: 'fail', test: /AgentManagementNegativeTest\.test_list_agents_non_admin/, why: 'The test lists `/v2.0/agents` without checking the `agent` extension. The VEMs are vxvem\'s agents but are not shown through Neutron\'s agents API; 404.' },
  { kind: 'fail', test: /TestTimeStampWithL3\./, why: `The class checks only \`standard-attr-timestamp\` and then creates routers and floating IPs. ${NO_L3}; 404.` },
  { kind: 'fail', test: /TestTimeStampWithSecurityGroup\.|PortSecTest\.test_port_sec_update_(pass|port_failed)/, why: `The test creates security groups without checking the \`security-group\` extension; \`POST /v2.0/security-groups\` is 404. ${NO_SG}.` },
  { kind: 'fail', test: /subnetpool/, why: 'The class checks only `standard-attr-timestamp`/`standard-attr-revisions` and then creates a subnet pool; vxvem has no subnet pools (`subnet_allocation` is not offered: subnets are made from an explicit `cidr`); `POST /v2.0/subnetpools` is 404.' },
  { kind: 'fail', test: /PortsTestJSON\.test_port_list_filter_by_router_id/, why: `The test creates a router without checking the \`router\` extension. ${NO_L3}; \`POST /v2.0/routers\` is 404.` },

  // ---- skips ----
  { kind: 'skip', reason: /Pagination feature is required/, why: 'vxvem lists whole collections (`limit`/`marker` are accepted and ignored), so `pagination` is not in `[network-feature-enabled] available_features`.' },
  { kind: 'skip', reason: /Sorting feature is required/, why: 'vxvem does not sort lists (`sort_key`/`sort_dir` are accepted and ignored), so `sorting` is not in `available_features`.' },
  { kind: 'skip', reason: /IPv6/, why: 'vxvem\'s subnets are IPv4 only (`ipv6 = false`).' },
  { kind: 'skip', reason: /router|Floating ip|public_network_id|DVR|l3_agent|external-net/i, why: NO_L3 + '.' },
  { kind: 'skip', reason: /security-group/, why: NO_SG + '.' },
  { kind: 'skip', reason: /compute service/, why: 'Nova is not part of the run (network API tests only; Nova\'s calls are tested by test/neutron-nova.test.ts).' },
  { kind: 'skip', reason: /dns-integration|dns-domain-ports/, why: 'No DNS integration (`dns_name`, `dns_domain`): vxvem has no Designate or internal DNS.' },
  { kind: 'skip', reason: /tag/, why: 'No tags API (`/v2.0/{resource}/{id}/tags`, tag filters); `tags` in a body is kept but the extensions are not offered.' },
  { kind: 'skip', reason: /filter-validation/, why: 'A filter on an attribute a resource does not have matches nothing instead of being refused with 400, so `filter-validation` is not offered.' },
  { kind: 'skip', reason: /dhcp_agent_scheduler|agent/, why: 'No Neutron agents API: DHCP is answered by each VEM for its own ports, not by scheduled DHCP agents.' },
  { kind: 'skip', reason: /metering/, why: 'No metering labels (vxvem counts traffic in its own metrics).' },
  { kind: 'skip', reason: /Extra DHCP Options|extra_dhcp_opt/i, why: '`extra_dhcp_opts` are not kept: the VEM answers DHCP with a fixed set of options.' },
  { kind: 'skip', reason: /service-type extension/, why: 'No service type management (no advanced services).' },
  { kind: 'skip', reason: /subnet_allocation/, why: 'No subnet pools: subnets are made from an explicit `cidr`.' },
  { kind: 'skip', reason: /port-resource-request|qos/i, why: 'No QoS policies or placement resource requests.' },
  { kind: 'skip', reason: /rbac-policies/, why: 'No RBAC policies: a network is shared with every project (`shared`) or with none.' },
  { kind: 'skip', reason: /subnet-service-types/, why: 'No `service_types` on subnets (always `[]`).' },
  { kind: 'skip', reason: /standard-attr-segment|segment/, why: 'No routed-network segments API: a vxvem network is one VXLAN segment, shown through `provider:*`.' },
  { kind: 'skip', reason: /port-mac-address-regenerate/, why: 'A port\'s MAC is not regenerated by `mac_address: null`.' },
];

export function explain(id: string, kind: 'fail' | 'skip', reason = ''): string | undefined {
  return EXPLANATIONS.find((e) => e.kind === kind && (e.test ? e.test.test(id) : e.reason!.test(reason)))?.why;
}
