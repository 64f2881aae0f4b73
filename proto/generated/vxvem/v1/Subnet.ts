// Original file: proto/vxvem.proto


export interface Subnet {
  'name'?: (string);
  'network'?: (string);
  'cidr'?: (string);
  'gateway'?: (string);
  'origin'?: (string);
  'displayName'?: (string);
  'project'?: (string);
}

export interface Subnet__Output {
  'name': (string);
  'network': (string);
  'cidr': (string);
  'gateway': (string);
  'origin': (string);
  'displayName': (string);
  'project': (string);
}
