// Original file: proto/vxvem.proto

import type { AddressPair as _vxvem_v1_AddressPair, AddressPair__Output as _vxvem_v1_AddressPair__Output } from '../../vxvem/v1/AddressPair.js';
import type { TrunkSubport as _vxvem_v1_TrunkSubport, TrunkSubport__Output as _vxvem_v1_TrunkSubport__Output } from '../../vxvem/v1/TrunkSubport.js';

export interface HostPort {
  'interface'?: (string);
  'vni'?: (number);
  'mac'?: (string);
  /**
   * sources checked (docs/dataplane.md, "Security")
   */
  'portSecurity'?: (boolean);
  /**
   * IPv4 sources allowed from `mac`: A.B.C.D or A.B.C.D/LEN; none (and no pairs): any
   */
  'addresses'?: (string)[];
  'allowedPairs'?: (_vxvem_v1_AddressPair)[];
  /**
   * flooded frames per second the port may send; 0 = no limit
   */
  'stormPps'?: (number);
  /**
   * DHCP from the VEM (docs/dataplane.md, "DHCP"), from the port's subnet when it has DHCP on:
   */
  'dhcpAddress'?: (string);
  /**
   * the subnet's gateway; "" = none
   */
  'dhcpGateway'?: (string);
  /**
   * the subnet's DNS servers
   */
  'dhcpDns'?: (string)[];
  /**
   * the network's MTU; 0 = the VEM's uplink MTU - 50
   */
  'dhcpMtu'?: (number);
  /**
   * the port is a trunk parent with these subports
   */
  'trunk'?: (_vxvem_v1_TrunkSubport)[];
}

export interface HostPort__Output {
  'interface': (string);
  'vni': (number);
  'mac': (string);
  /**
   * sources checked (docs/dataplane.md, "Security")
   */
  'portSecurity': (boolean);
  /**
   * IPv4 sources allowed from `mac`: A.B.C.D or A.B.C.D/LEN; none (and no pairs): any
   */
  'addresses': (string)[];
  'allowedPairs': (_vxvem_v1_AddressPair__Output)[];
  /**
   * flooded frames per second the port may send; 0 = no limit
   */
  'stormPps': (number);
  /**
   * DHCP from the VEM (docs/dataplane.md, "DHCP"), from the port's subnet when it has DHCP on:
   */
  'dhcpAddress': (string);
  /**
   * the subnet's gateway; "" = none
   */
  'dhcpGateway': (string);
  /**
   * the subnet's DNS servers
   */
  'dhcpDns': (string)[];
  /**
   * the network's MTU; 0 = the VEM's uplink MTU - 50
   */
  'dhcpMtu': (number);
  /**
   * the port is a trunk parent with these subports
   */
  'trunk': (_vxvem_v1_TrunkSubport__Output)[];
}
