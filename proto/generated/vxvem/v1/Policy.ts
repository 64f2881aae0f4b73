// Original file: proto/vxvem.proto


export interface Policy {
  'name'?: (string);
  'portSecurity'?: (boolean);
}

export interface Policy__Output {
  'name': (string);
  'portSecurity': (boolean);
}
