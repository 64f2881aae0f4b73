// Original file: proto/vxvem.proto


export interface Name {
  'name'?: (string);
}

export interface Name__Output {
  'name': (string);
}
