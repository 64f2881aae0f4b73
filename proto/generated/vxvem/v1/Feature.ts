// Original file: proto/vxvem.proto


export interface Feature {
  'name'?: (string);
  'enabled'?: (boolean);
}

export interface Feature__Output {
  'name': (string);
  'enabled': (boolean);
}
