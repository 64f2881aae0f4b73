// Original file: proto/vxvem.proto


export interface Network {
  'name'?: (string);
  'vni'?: (number);
  'mode'?: (string);
  'group'?: (string);
  'origin'?: (string);
}

export interface Network__Output {
  'name': (string);
  'vni': (number);
  'mode': (string);
  'group': (string);
  'origin': (string);
}
