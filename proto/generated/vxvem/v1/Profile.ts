// Original file: proto/vxvem.proto


export interface Profile {
  'name'?: (string);
  'policy'?: (string);
  'network'?: (string);
  'ports'?: (string)[];
}

export interface Profile__Output {
  'name': (string);
  'policy': (string);
  'network': (string);
  'ports': (string)[];
}
