// Original file: proto/vxvem.proto


export interface ReportReply {
}

export interface ReportReply__Output {
}
