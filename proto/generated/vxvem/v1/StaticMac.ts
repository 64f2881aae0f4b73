// Original file: proto/vxvem.proto


export interface StaticMac {
  'vni'?: (number);
  'mac'?: (string);
  'vtep'?: (string);
}

export interface StaticMac__Output {
  'vni': (number);
  'mac': (string);
  'vtep': (string);
}
