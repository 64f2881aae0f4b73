import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AddressPair as _vxvem_v1_AddressPair, AddressPair__Output as _vxvem_v1_AddressPair__Output } from './vxvem/v1/AddressPair.js';
import type { AdminClient as _vxvem_v1_AdminClient, AdminDefinition as _vxvem_v1_AdminDefinition } from './vxvem/v1/Admin.js';
import type { ClusterStatus as _vxvem_v1_ClusterStatus, ClusterStatus__Output as _vxvem_v1_ClusterStatus__Output } from './vxvem/v1/ClusterStatus.js';
import type { Empty as _vxvem_v1_Empty, Empty__Output as _vxvem_v1_Empty__Output } from './vxvem/v1/Empty.js';
import type { Feature as _vxvem_v1_Feature, Feature__Output as _vxvem_v1_Feature__Output } from './vxvem/v1/Feature.js';
import type { Features as _vxvem_v1_Features, Features__Output as _vxvem_v1_Features__Output } from './vxvem/v1/Features.js';
import type { HostDelta as _vxvem_v1_HostDelta, HostDelta__Output as _vxvem_v1_HostDelta__Output } from './vxvem/v1/HostDelta.js';
import type { HostInfo as _vxvem_v1_HostInfo, HostInfo__Output as _vxvem_v1_HostInfo__Output } from './vxvem/v1/HostInfo.js';
import type { HostPort as _vxvem_v1_HostPort, HostPort__Output as _vxvem_v1_HostPort__Output } from './vxvem/v1/HostPort.js';
import type { HostSegment as _vxvem_v1_HostSegment, HostSegment__Output as _vxvem_v1_HostSegment__Output } from './vxvem/v1/HostSegment.js';
import type { HostUpdate as _vxvem_v1_HostUpdate, HostUpdate__Output as _vxvem_v1_HostUpdate__Output } from './vxvem/v1/HostUpdate.js';
import type { HostView as _vxvem_v1_HostView, HostView__Output as _vxvem_v1_HostView__Output } from './vxvem/v1/HostView.js';
import type { Hosts as _vxvem_v1_Hosts, Hosts__Output as _vxvem_v1_Hosts__Output } from './vxvem/v1/Hosts.js';
import type { LearnedMac as _vxvem_v1_LearnedMac, LearnedMac__Output as _vxvem_v1_LearnedMac__Output } from './vxvem/v1/LearnedMac.js';
import type { Name as _vxvem_v1_Name, Name__Output as _vxvem_v1_Name__Output } from './vxvem/v1/Name.js';
import type { Network as _vxvem_v1_Network, Network__Output as _vxvem_v1_Network__Output } from './vxvem/v1/Network.js';
import type { Networks as _vxvem_v1_Networks, Networks__Output as _vxvem_v1_Networks__Output } from './vxvem/v1/Networks.js';
import type { Page as _vxvem_v1_Page, Page__Output as _vxvem_v1_Page__Output } from './vxvem/v1/Page.js';
import type { Policies as _vxvem_v1_Policies, Policies__Output as _vxvem_v1_Policies__Output } from './vxvem/v1/Policies.js';
import type { Policy as _vxvem_v1_Policy, Policy__Output as _vxvem_v1_Policy__Output } from './vxvem/v1/Policy.js';
import type { Port as _vxvem_v1_Port, Port__Output as _vxvem_v1_Port__Output } from './vxvem/v1/Port.js';
import type { PortSubport as _vxvem_v1_PortSubport, PortSubport__Output as _vxvem_v1_PortSubport__Output } from './vxvem/v1/PortSubport.js';
import type { Ports as _vxvem_v1_Ports, Ports__Output as _vxvem_v1_Ports__Output } from './vxvem/v1/Ports.js';
import type { Profile as _vxvem_v1_Profile, Profile__Output as _vxvem_v1_Profile__Output } from './vxvem/v1/Profile.js';
import type { Profiles as _vxvem_v1_Profiles, Profiles__Output as _vxvem_v1_Profiles__Output } from './vxvem/v1/Profiles.js';
import type { RegisterReply as _vxvem_v1_RegisterReply, RegisterReply__Output as _vxvem_v1_RegisterReply__Output } from './vxvem/v1/RegisterReply.js';
import type { RegisterRequest as _vxvem_v1_RegisterRequest, RegisterRequest__Output as _vxvem_v1_RegisterRequest__Output } from './vxvem/v1/RegisterRequest.js';
import type { Removal as _vxvem_v1_Removal, Removal__Output as _vxvem_v1_Removal__Output } from './vxvem/v1/Removal.js';
import type { Replica as _vxvem_v1_Replica, Replica__Output as _vxvem_v1_Replica__Output } from './vxvem/v1/Replica.js';
import type { ReportReply as _vxvem_v1_ReportReply, ReportReply__Output as _vxvem_v1_ReportReply__Output } from './vxvem/v1/ReportReply.js';
import type { ReportRequest as _vxvem_v1_ReportRequest, ReportRequest__Output as _vxvem_v1_ReportRequest__Output } from './vxvem/v1/ReportRequest.js';
import type { StaticMac as _vxvem_v1_StaticMac, StaticMac__Output as _vxvem_v1_StaticMac__Output } from './vxvem/v1/StaticMac.js';
import type { Subnet as _vxvem_v1_Subnet, Subnet__Output as _vxvem_v1_Subnet__Output } from './vxvem/v1/Subnet.js';
import type { Subnets as _vxvem_v1_Subnets, Subnets__Output as _vxvem_v1_Subnets__Output } from './vxvem/v1/Subnets.js';
import type { SyncReport as _vxvem_v1_SyncReport, SyncReport__Output as _vxvem_v1_SyncReport__Output } from './vxvem/v1/SyncReport.js';
import type { TrunkSubport as _vxvem_v1_TrunkSubport, TrunkSubport__Output as _vxvem_v1_TrunkSubport__Output } from './vxvem/v1/TrunkSubport.js';
import type { VemClient as _vxvem_v1_VemClient, VemDefinition as _vxvem_v1_VemDefinition } from './vxvem/v1/Vem.js';
import type { Vtep as _vxvem_v1_Vtep, Vtep__Output as _vxvem_v1_Vtep__Output } from './vxvem/v1/Vtep.js';
import type { WatchRequest as _vxvem_v1_WatchRequest, WatchRequest__Output as _vxvem_v1_WatchRequest__Output } from './vxvem/v1/WatchRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  vxvem: {
    v1: {
      AddressPair: MessageTypeDefinition<_vxvem_v1_AddressPair, _vxvem_v1_AddressPair__Output>
      Admin: SubtypeConstructor<typeof grpc.Client, _vxvem_v1_AdminClient> & { service: _vxvem_v1_AdminDefinition }
      ClusterStatus: MessageTypeDefinition<_vxvem_v1_ClusterStatus, _vxvem_v1_ClusterStatus__Output>
      Empty: MessageTypeDefinition<_vxvem_v1_Empty, _vxvem_v1_Empty__Output>
      Feature: MessageTypeDefinition<_vxvem_v1_Feature, _vxvem_v1_Feature__Output>
      Features: MessageTypeDefinition<_vxvem_v1_Features, _vxvem_v1_Features__Output>
      HostDelta: MessageTypeDefinition<_vxvem_v1_HostDelta, _vxvem_v1_HostDelta__Output>
      HostInfo: MessageTypeDefinition<_vxvem_v1_HostInfo, _vxvem_v1_HostInfo__Output>
      HostPort: MessageTypeDefinition<_vxvem_v1_HostPort, _vxvem_v1_HostPort__Output>
      HostSegment: MessageTypeDefinition<_vxvem_v1_HostSegment, _vxvem_v1_HostSegment__Output>
      HostUpdate: MessageTypeDefinition<_vxvem_v1_HostUpdate, _vxvem_v1_HostUpdate__Output>
      HostView: MessageTypeDefinition<_vxvem_v1_HostView, _vxvem_v1_HostView__Output>
      Hosts: MessageTypeDefinition<_vxvem_v1_Hosts, _vxvem_v1_Hosts__Output>
      LearnedMac: MessageTypeDefinition<_vxvem_v1_LearnedMac, _vxvem_v1_LearnedMac__Output>
      Name: MessageTypeDefinition<_vxvem_v1_Name, _vxvem_v1_Name__Output>
      Network: MessageTypeDefinition<_vxvem_v1_Network, _vxvem_v1_Network__Output>
      Networks: MessageTypeDefinition<_vxvem_v1_Networks, _vxvem_v1_Networks__Output>
      Page: MessageTypeDefinition<_vxvem_v1_Page, _vxvem_v1_Page__Output>
      Policies: MessageTypeDefinition<_vxvem_v1_Policies, _vxvem_v1_Policies__Output>
      Policy: MessageTypeDefinition<_vxvem_v1_Policy, _vxvem_v1_Policy__Output>
      Port: MessageTypeDefinition<_vxvem_v1_Port, _vxvem_v1_Port__Output>
      PortSubport: MessageTypeDefinition<_vxvem_v1_PortSubport, _vxvem_v1_PortSubport__Output>
      Ports: MessageTypeDefinition<_vxvem_v1_Ports, _vxvem_v1_Ports__Output>
      Profile: MessageTypeDefinition<_vxvem_v1_Profile, _vxvem_v1_Profile__Output>
      Profiles: MessageTypeDefinition<_vxvem_v1_Profiles, _vxvem_v1_Profiles__Output>
      RegisterReply: MessageTypeDefinition<_vxvem_v1_RegisterReply, _vxvem_v1_RegisterReply__Output>
      RegisterRequest: MessageTypeDefinition<_vxvem_v1_RegisterRequest, _vxvem_v1_RegisterRequest__Output>
      Removal: MessageTypeDefinition<_vxvem_v1_Removal, _vxvem_v1_Removal__Output>
      Replica: MessageTypeDefinition<_vxvem_v1_Replica, _vxvem_v1_Replica__Output>
      ReportReply: MessageTypeDefinition<_vxvem_v1_ReportReply, _vxvem_v1_ReportReply__Output>
      ReportRequest: MessageTypeDefinition<_vxvem_v1_ReportRequest, _vxvem_v1_ReportRequest__Output>
      StaticMac: MessageTypeDefinition<_vxvem_v1_StaticMac, _vxvem_v1_StaticMac__Output>
      Subnet: MessageTypeDefinition<_vxvem_v1_Subnet, _vxvem_v1_Subnet__Output>
      Subnets: MessageTypeDefinition<_vxvem_v1_Subnets, _vxvem_v1_Subnets__Output>
      SyncReport: MessageTypeDefinition<_vxvem_v1_SyncReport, _vxvem_v1_SyncReport__Output>
      TrunkSubport: MessageTypeDefinition<_vxvem_v1_TrunkSubport, _vxvem_v1_TrunkSubport__Output>
      Vem: SubtypeConstructor<typeof grpc.Client, _vxvem_v1_VemClient> & { service: _vxvem_v1_VemDefinition }
      Vtep: MessageTypeDefinition<_vxvem_v1_Vtep, _vxvem_v1_Vtep__Output>
      WatchRequest: MessageTypeDefinition<_vxvem_v1_WatchRequest, _vxvem_v1_WatchRequest__Output>
    }
  }
}

