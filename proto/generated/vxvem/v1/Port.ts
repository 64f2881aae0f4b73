// Original file: proto/vxvem.proto


export interface Port {
  'name'?: (string);
  'network'?: (string);
  'host'?: (string);
  'mac'?: (string);
  'policy'?: (string);
  'interface'?: (string);
  'origin'?: (string);
  'displayName'?: (string);
  'project'?: (string);
}

export interface Port__Output {
  'name': (string);
  'network': (string);
  'host': (string);
  'mac': (string);
  'policy': (string);
  'interface': (string);
  'origin': (string);
  'displayName': (string);
  'project': (string);
}
