// Original file: proto/vxvem.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { HostUpdate as _vxvem_v1_HostUpdate, HostUpdate__Output as _vxvem_v1_HostUpdate__Output } from '../../vxvem/v1/HostUpdate.js';
import type { RegisterReply as _vxvem_v1_RegisterReply, RegisterReply__Output as _vxvem_v1_RegisterReply__Output } from '../../vxvem/v1/RegisterReply.js';
import type { RegisterRequest as _vxvem_v1_RegisterRequest, RegisterRequest__Output as _vxvem_v1_RegisterRequest__Output } from '../../vxvem/v1/RegisterRequest.js';
import type { ReportReply as _vxvem_v1_ReportReply, ReportReply__Output as _vxvem_v1_ReportReply__Output } from '../../vxvem/v1/ReportReply.js';
import type { ReportRequest as _vxvem_v1_ReportRequest, ReportRequest__Output as _vxvem_v1_ReportRequest__Output } from '../../vxvem/v1/ReportRequest.js';
import type { WatchRequest as _vxvem_v1_WatchRequest, WatchRequest__Output as _vxvem_v1_WatchRequest__Output } from '../../vxvem/v1/WatchRequest.js';

export interface VemClient extends grpc.Client {
  Register(argument: _vxvem_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  Register(argument: _vxvem_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  Register(argument: _vxvem_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  Register(argument: _vxvem_v1_RegisterRequest, callback: grpc.requestCallback<_vxvem_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _vxvem_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _vxvem_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _vxvem_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  register(argument: _vxvem_v1_RegisterRequest, callback: grpc.requestCallback<_vxvem_v1_RegisterReply__Output>): grpc.ClientUnaryCall;
  
  Report(argument: _vxvem_v1_ReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_ReportReply__Output>): grpc.ClientUnaryCall;
  Report(argument: _vxvem_v1_ReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_ReportReply__Output>): grpc.ClientUnaryCall;
  Report(argument: _vxvem_v1_ReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_ReportReply__Output>): grpc.ClientUnaryCall;
  Report(argument: _vxvem_v1_ReportRequest, callback: grpc.requestCallback<_vxvem_v1_ReportReply__Output>): grpc.ClientUnaryCall;
  report(argument: _vxvem_v1_ReportRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_ReportReply__Output>): grpc.ClientUnaryCall;
  report(argument: _vxvem_v1_ReportRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_ReportReply__Output>): grpc.ClientUnaryCall;
  report(argument: _vxvem_v1_ReportRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_ReportReply__Output>): grpc.ClientUnaryCall;
  report(argument: _vxvem_v1_ReportRequest, callback: grpc.requestCallback<_vxvem_v1_ReportReply__Output>): grpc.ClientUnaryCall;
  
  Watch(argument: _vxvem_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_vxvem_v1_HostUpdate__Output>;
  Watch(argument: _vxvem_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_vxvem_v1_HostUpdate__Output>;
  watch(argument: _vxvem_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_vxvem_v1_HostUpdate__Output>;
  watch(argument: _vxvem_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_vxvem_v1_HostUpdate__Output>;
  
}

export interface VemHandlers extends grpc.UntypedServiceImplementation {
  Register: grpc.handleUnaryCall<_vxvem_v1_RegisterRequest__Output, _vxvem_v1_RegisterReply>;
  
  Report: grpc.handleUnaryCall<_vxvem_v1_ReportRequest__Output, _vxvem_v1_ReportReply>;
  
  Watch: grpc.handleServerStreamingCall<_vxvem_v1_WatchRequest__Output, _vxvem_v1_HostUpdate>;
  
}

export interface VemDefinition extends grpc.ServiceDefinition {
  Register: MethodDefinition<_vxvem_v1_RegisterRequest, _vxvem_v1_RegisterReply, _vxvem_v1_RegisterRequest__Output, _vxvem_v1_RegisterReply__Output>
  Report: MethodDefinition<_vxvem_v1_ReportRequest, _vxvem_v1_ReportReply, _vxvem_v1_ReportRequest__Output, _vxvem_v1_ReportReply__Output>
  Watch: MethodDefinition<_vxvem_v1_WatchRequest, _vxvem_v1_HostUpdate, _vxvem_v1_WatchRequest__Output, _vxvem_v1_HostUpdate__Output>
}
