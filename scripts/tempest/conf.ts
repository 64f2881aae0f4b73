// tempest.conf for a run against the VSM: Keystone v3 with the admin's credentials (Tempest makes
// a project and user per test class, dynamic credentials), only Neutron available, the network
// extensions the VSM lists, IPv4 only, subnets carved from a documentation range (API records
// only: no traffic is sent).
import type { Credentials } from '../../testbed/keystone.js';

export interface TempestConf {
  /** Keystone's endpoint, without /v3. */
  keystoneUrl: string;
  admin: Credentials;
  /** The aliases of GET /v2.0/extensions. */
  extensions: string[];
  /** Where Tempest writes its log. */
  logFile: string;
}

type Sections = Record<string, Record<string, string | number | boolean>>;

export function tempestConf(c: TempestConf): string {
  const sections: Sections = {
    DEFAULT: { log_file: c.logFile, use_stderr: false, debug: true },
    auth: {
      use_dynamic_credentials: true, create_isolated_networks: false, admin_username: c.admin.user, admin_password: c.admin.password,
      admin_project_name: c.admin.project, admin_domain_name: 'Default', default_credentials_domain_name: 'Default',
    },
    identity: { uri_v3: `${c.keystoneUrl}/v3`, auth_version: 'v3', region: 'RegionOne', v3_endpoint_type: 'public' },
    'identity-feature-enabled': { api_v2: false },
    // Keystone is always there for Tempest (identity); everything else but Neutron is absent.
    service_available: { neutron: true, nova: false, glance: false, cinder: false, swift: false, horizon: false },
    network: {
      region: 'RegionOne', endpoint_type: 'publicURL', project_network_cidr: '198.51.100.0/24', project_network_mask_bits: 28,
      project_networks_reachable: false, shared_physical_network: false, public_network_id: '', floating_network_name: '',
    },
    'network-feature-enabled': {
      api_extensions: c.extensions.join(','), ipv6: false, ipv6_subnet_attributes: false, port_security: c.extensions.includes('port-security'),
      floating_ips: false, port_admin_state_change: true,
    },
    validation: { run_validation: false },
    neutron_plugin_options: { available_type_drivers: 'vxlan', create_shared_resources: false },
  };
  return Object.entries(sections)
    .map(([name, opts]) => [`[${name}]`, ...Object.entries(opts).map(([k, v]) => `${k} = ${String(v)}`)].join('\n'))
    .join('\n\n') + '\n';
}
