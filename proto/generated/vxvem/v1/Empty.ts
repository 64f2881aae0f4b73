// Original file: proto/vxvem.proto


export interface Empty {
}

export interface Empty__Output {
}
