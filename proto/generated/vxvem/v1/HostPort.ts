// Original file: proto/vxvem.proto


export interface HostPort {
  'interface'?: (string);
  'vni'?: (number);
  'mac'?: (string);
}

export interface HostPort__Output {
  'interface': (string);
  'vni': (number);
  'mac': (string);
}
