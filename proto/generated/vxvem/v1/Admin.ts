// Original file: proto/vxvem.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ClusterStatus as _vxvem_v1_ClusterStatus, ClusterStatus__Output as _vxvem_v1_ClusterStatus__Output } from '../../vxvem/v1/ClusterStatus.js';
import type { Empty as _vxvem_v1_Empty, Empty__Output as _vxvem_v1_Empty__Output } from '../../vxvem/v1/Empty.js';
import type { Feature as _vxvem_v1_Feature, Feature__Output as _vxvem_v1_Feature__Output } from '../../vxvem/v1/Feature.js';
import type { Features as _vxvem_v1_Features, Features__Output as _vxvem_v1_Features__Output } from '../../vxvem/v1/Features.js';
import type { Hosts as _vxvem_v1_Hosts, Hosts__Output as _vxvem_v1_Hosts__Output } from '../../vxvem/v1/Hosts.js';
import type { Name as _vxvem_v1_Name, Name__Output as _vxvem_v1_Name__Output } from '../../vxvem/v1/Name.js';
import type { Network as _vxvem_v1_Network, Network__Output as _vxvem_v1_Network__Output } from '../../vxvem/v1/Network.js';
import type { Networks as _vxvem_v1_Networks, Networks__Output as _vxvem_v1_Networks__Output } from '../../vxvem/v1/Networks.js';
import type { Page as _vxvem_v1_Page, Page__Output as _vxvem_v1_Page__Output } from '../../vxvem/v1/Page.js';
import type { Policies as _vxvem_v1_Policies, Policies__Output as _vxvem_v1_Policies__Output } from '../../vxvem/v1/Policies.js';
import type { Policy as _vxvem_v1_Policy, Policy__Output as _vxvem_v1_Policy__Output } from '../../vxvem/v1/Policy.js';
import type { Port as _vxvem_v1_Port, Port__Output as _vxvem_v1_Port__Output } from '../../vxvem/v1/Port.js';
import type { Ports as _vxvem_v1_Ports, Ports__Output as _vxvem_v1_Ports__Output } from '../../vxvem/v1/Ports.js';
import type { Profiles as _vxvem_v1_Profiles, Profiles__Output as _vxvem_v1_Profiles__Output } from '../../vxvem/v1/Profiles.js';
import type { Subnet as _vxvem_v1_Subnet, Subnet__Output as _vxvem_v1_Subnet__Output } from '../../vxvem/v1/Subnet.js';
import type { Subnets as _vxvem_v1_Subnets, Subnets__Output as _vxvem_v1_Subnets__Output } from '../../vxvem/v1/Subnets.js';
import type { SyncReport as _vxvem_v1_SyncReport, SyncReport__Output as _vxvem_v1_SyncReport__Output } from '../../vxvem/v1/SyncReport.js';

export interface AdminClient extends grpc.Client {
  CreateNetwork(argument: _vxvem_v1_Network, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Network__Output>): grpc.ClientUnaryCall;
  CreateNetwork(argument: _vxvem_v1_Network, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Network__Output>): grpc.ClientUnaryCall;
  CreateNetwork(argument: _vxvem_v1_Network, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Network__Output>): grpc.ClientUnaryCall;
  CreateNetwork(argument: _vxvem_v1_Network, callback: grpc.requestCallback<_vxvem_v1_Network__Output>): grpc.ClientUnaryCall;
  createNetwork(argument: _vxvem_v1_Network, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Network__Output>): grpc.ClientUnaryCall;
  createNetwork(argument: _vxvem_v1_Network, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Network__Output>): grpc.ClientUnaryCall;
  createNetwork(argument: _vxvem_v1_Network, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Network__Output>): grpc.ClientUnaryCall;
  createNetwork(argument: _vxvem_v1_Network, callback: grpc.requestCallback<_vxvem_v1_Network__Output>): grpc.ClientUnaryCall;
  
  CreatePolicy(argument: _vxvem_v1_Policy, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Policy__Output>): grpc.ClientUnaryCall;
  CreatePolicy(argument: _vxvem_v1_Policy, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Policy__Output>): grpc.ClientUnaryCall;
  CreatePolicy(argument: _vxvem_v1_Policy, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Policy__Output>): grpc.ClientUnaryCall;
  CreatePolicy(argument: _vxvem_v1_Policy, callback: grpc.requestCallback<_vxvem_v1_Policy__Output>): grpc.ClientUnaryCall;
  createPolicy(argument: _vxvem_v1_Policy, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Policy__Output>): grpc.ClientUnaryCall;
  createPolicy(argument: _vxvem_v1_Policy, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Policy__Output>): grpc.ClientUnaryCall;
  createPolicy(argument: _vxvem_v1_Policy, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Policy__Output>): grpc.ClientUnaryCall;
  createPolicy(argument: _vxvem_v1_Policy, callback: grpc.requestCallback<_vxvem_v1_Policy__Output>): grpc.ClientUnaryCall;
  
  CreatePort(argument: _vxvem_v1_Port, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Port__Output>): grpc.ClientUnaryCall;
  CreatePort(argument: _vxvem_v1_Port, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Port__Output>): grpc.ClientUnaryCall;
  CreatePort(argument: _vxvem_v1_Port, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Port__Output>): grpc.ClientUnaryCall;
  CreatePort(argument: _vxvem_v1_Port, callback: grpc.requestCallback<_vxvem_v1_Port__Output>): grpc.ClientUnaryCall;
  createPort(argument: _vxvem_v1_Port, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Port__Output>): grpc.ClientUnaryCall;
  createPort(argument: _vxvem_v1_Port, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Port__Output>): grpc.ClientUnaryCall;
  createPort(argument: _vxvem_v1_Port, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Port__Output>): grpc.ClientUnaryCall;
  createPort(argument: _vxvem_v1_Port, callback: grpc.requestCallback<_vxvem_v1_Port__Output>): grpc.ClientUnaryCall;
  
  CreateSubnet(argument: _vxvem_v1_Subnet, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Subnet__Output>): grpc.ClientUnaryCall;
  CreateSubnet(argument: _vxvem_v1_Subnet, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Subnet__Output>): grpc.ClientUnaryCall;
  CreateSubnet(argument: _vxvem_v1_Subnet, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Subnet__Output>): grpc.ClientUnaryCall;
  CreateSubnet(argument: _vxvem_v1_Subnet, callback: grpc.requestCallback<_vxvem_v1_Subnet__Output>): grpc.ClientUnaryCall;
  createSubnet(argument: _vxvem_v1_Subnet, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Subnet__Output>): grpc.ClientUnaryCall;
  createSubnet(argument: _vxvem_v1_Subnet, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Subnet__Output>): grpc.ClientUnaryCall;
  createSubnet(argument: _vxvem_v1_Subnet, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Subnet__Output>): grpc.ClientUnaryCall;
  createSubnet(argument: _vxvem_v1_Subnet, callback: grpc.requestCallback<_vxvem_v1_Subnet__Output>): grpc.ClientUnaryCall;
  
  /**
   * Removes a host that is gone: refused while it has ports or its VEM's stream is open here.
   */
  DeleteHost(argument: _vxvem_v1_Name, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteHost(argument: _vxvem_v1_Name, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteHost(argument: _vxvem_v1_Name, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteHost(argument: _vxvem_v1_Name, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  /**
   * Removes a host that is gone: refused while it has ports or its VEM's stream is open here.
   */
  deleteHost(argument: _vxvem_v1_Name, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteHost(argument: _vxvem_v1_Name, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteHost(argument: _vxvem_v1_Name, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteHost(argument: _vxvem_v1_Name, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  DeleteNetwork(argument: _vxvem_v1_Name, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteNetwork(argument: _vxvem_v1_Name, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteNetwork(argument: _vxvem_v1_Name, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteNetwork(argument: _vxvem_v1_Name, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _vxvem_v1_Name, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _vxvem_v1_Name, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _vxvem_v1_Name, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteNetwork(argument: _vxvem_v1_Name, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  DeletePolicy(argument: _vxvem_v1_Name, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeletePolicy(argument: _vxvem_v1_Name, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeletePolicy(argument: _vxvem_v1_Name, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeletePolicy(argument: _vxvem_v1_Name, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deletePolicy(argument: _vxvem_v1_Name, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deletePolicy(argument: _vxvem_v1_Name, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deletePolicy(argument: _vxvem_v1_Name, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deletePolicy(argument: _vxvem_v1_Name, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  DeletePort(argument: _vxvem_v1_Name, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeletePort(argument: _vxvem_v1_Name, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeletePort(argument: _vxvem_v1_Name, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeletePort(argument: _vxvem_v1_Name, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deletePort(argument: _vxvem_v1_Name, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deletePort(argument: _vxvem_v1_Name, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deletePort(argument: _vxvem_v1_Name, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deletePort(argument: _vxvem_v1_Name, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  DeleteSubnet(argument: _vxvem_v1_Name, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteSubnet(argument: _vxvem_v1_Name, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteSubnet(argument: _vxvem_v1_Name, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  DeleteSubnet(argument: _vxvem_v1_Name, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteSubnet(argument: _vxvem_v1_Name, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteSubnet(argument: _vxvem_v1_Name, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteSubnet(argument: _vxvem_v1_Name, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  deleteSubnet(argument: _vxvem_v1_Name, callback: grpc.requestCallback<_vxvem_v1_Empty__Output>): grpc.ClientUnaryCall;
  
  GetClusterStatus(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  GetClusterStatus(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  GetClusterStatus(argument: _vxvem_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  GetClusterStatus(argument: _vxvem_v1_Empty, callback: grpc.requestCallback<_vxvem_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  getClusterStatus(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  getClusterStatus(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  getClusterStatus(argument: _vxvem_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  getClusterStatus(argument: _vxvem_v1_Empty, callback: grpc.requestCallback<_vxvem_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  
  ListFeatures(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Features__Output>): grpc.ClientUnaryCall;
  ListFeatures(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Features__Output>): grpc.ClientUnaryCall;
  ListFeatures(argument: _vxvem_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Features__Output>): grpc.ClientUnaryCall;
  ListFeatures(argument: _vxvem_v1_Empty, callback: grpc.requestCallback<_vxvem_v1_Features__Output>): grpc.ClientUnaryCall;
  listFeatures(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Features__Output>): grpc.ClientUnaryCall;
  listFeatures(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Features__Output>): grpc.ClientUnaryCall;
  listFeatures(argument: _vxvem_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Features__Output>): grpc.ClientUnaryCall;
  listFeatures(argument: _vxvem_v1_Empty, callback: grpc.requestCallback<_vxvem_v1_Features__Output>): grpc.ClientUnaryCall;
  
  ListHosts(argument: _vxvem_v1_Page, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Hosts__Output>): grpc.ClientUnaryCall;
  ListHosts(argument: _vxvem_v1_Page, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Hosts__Output>): grpc.ClientUnaryCall;
  ListHosts(argument: _vxvem_v1_Page, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Hosts__Output>): grpc.ClientUnaryCall;
  ListHosts(argument: _vxvem_v1_Page, callback: grpc.requestCallback<_vxvem_v1_Hosts__Output>): grpc.ClientUnaryCall;
  listHosts(argument: _vxvem_v1_Page, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Hosts__Output>): grpc.ClientUnaryCall;
  listHosts(argument: _vxvem_v1_Page, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Hosts__Output>): grpc.ClientUnaryCall;
  listHosts(argument: _vxvem_v1_Page, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Hosts__Output>): grpc.ClientUnaryCall;
  listHosts(argument: _vxvem_v1_Page, callback: grpc.requestCallback<_vxvem_v1_Hosts__Output>): grpc.ClientUnaryCall;
  
  ListNetworks(argument: _vxvem_v1_Page, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Networks__Output>): grpc.ClientUnaryCall;
  ListNetworks(argument: _vxvem_v1_Page, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Networks__Output>): grpc.ClientUnaryCall;
  ListNetworks(argument: _vxvem_v1_Page, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Networks__Output>): grpc.ClientUnaryCall;
  ListNetworks(argument: _vxvem_v1_Page, callback: grpc.requestCallback<_vxvem_v1_Networks__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _vxvem_v1_Page, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Networks__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _vxvem_v1_Page, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Networks__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _vxvem_v1_Page, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Networks__Output>): grpc.ClientUnaryCall;
  listNetworks(argument: _vxvem_v1_Page, callback: grpc.requestCallback<_vxvem_v1_Networks__Output>): grpc.ClientUnaryCall;
  
  ListPolicies(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Policies__Output>): grpc.ClientUnaryCall;
  ListPolicies(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Policies__Output>): grpc.ClientUnaryCall;
  ListPolicies(argument: _vxvem_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Policies__Output>): grpc.ClientUnaryCall;
  ListPolicies(argument: _vxvem_v1_Empty, callback: grpc.requestCallback<_vxvem_v1_Policies__Output>): grpc.ClientUnaryCall;
  listPolicies(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Policies__Output>): grpc.ClientUnaryCall;
  listPolicies(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Policies__Output>): grpc.ClientUnaryCall;
  listPolicies(argument: _vxvem_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Policies__Output>): grpc.ClientUnaryCall;
  listPolicies(argument: _vxvem_v1_Empty, callback: grpc.requestCallback<_vxvem_v1_Policies__Output>): grpc.ClientUnaryCall;
  
  ListPorts(argument: _vxvem_v1_Page, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Ports__Output>): grpc.ClientUnaryCall;
  ListPorts(argument: _vxvem_v1_Page, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Ports__Output>): grpc.ClientUnaryCall;
  ListPorts(argument: _vxvem_v1_Page, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Ports__Output>): grpc.ClientUnaryCall;
  ListPorts(argument: _vxvem_v1_Page, callback: grpc.requestCallback<_vxvem_v1_Ports__Output>): grpc.ClientUnaryCall;
  listPorts(argument: _vxvem_v1_Page, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Ports__Output>): grpc.ClientUnaryCall;
  listPorts(argument: _vxvem_v1_Page, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Ports__Output>): grpc.ClientUnaryCall;
  listPorts(argument: _vxvem_v1_Page, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Ports__Output>): grpc.ClientUnaryCall;
  listPorts(argument: _vxvem_v1_Page, callback: grpc.requestCallback<_vxvem_v1_Ports__Output>): grpc.ClientUnaryCall;
  
  ListProfiles(argument: _vxvem_v1_Page, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Profiles__Output>): grpc.ClientUnaryCall;
  ListProfiles(argument: _vxvem_v1_Page, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Profiles__Output>): grpc.ClientUnaryCall;
  ListProfiles(argument: _vxvem_v1_Page, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Profiles__Output>): grpc.ClientUnaryCall;
  ListProfiles(argument: _vxvem_v1_Page, callback: grpc.requestCallback<_vxvem_v1_Profiles__Output>): grpc.ClientUnaryCall;
  listProfiles(argument: _vxvem_v1_Page, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Profiles__Output>): grpc.ClientUnaryCall;
  listProfiles(argument: _vxvem_v1_Page, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Profiles__Output>): grpc.ClientUnaryCall;
  listProfiles(argument: _vxvem_v1_Page, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Profiles__Output>): grpc.ClientUnaryCall;
  listProfiles(argument: _vxvem_v1_Page, callback: grpc.requestCallback<_vxvem_v1_Profiles__Output>): grpc.ClientUnaryCall;
  
  ListSubnets(argument: _vxvem_v1_Page, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Subnets__Output>): grpc.ClientUnaryCall;
  ListSubnets(argument: _vxvem_v1_Page, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Subnets__Output>): grpc.ClientUnaryCall;
  ListSubnets(argument: _vxvem_v1_Page, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Subnets__Output>): grpc.ClientUnaryCall;
  ListSubnets(argument: _vxvem_v1_Page, callback: grpc.requestCallback<_vxvem_v1_Subnets__Output>): grpc.ClientUnaryCall;
  listSubnets(argument: _vxvem_v1_Page, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Subnets__Output>): grpc.ClientUnaryCall;
  listSubnets(argument: _vxvem_v1_Page, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Subnets__Output>): grpc.ClientUnaryCall;
  listSubnets(argument: _vxvem_v1_Page, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Subnets__Output>): grpc.ClientUnaryCall;
  listSubnets(argument: _vxvem_v1_Page, callback: grpc.requestCallback<_vxvem_v1_Subnets__Output>): grpc.ClientUnaryCall;
  
  SetFeature(argument: _vxvem_v1_Feature, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Feature__Output>): grpc.ClientUnaryCall;
  SetFeature(argument: _vxvem_v1_Feature, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Feature__Output>): grpc.ClientUnaryCall;
  SetFeature(argument: _vxvem_v1_Feature, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Feature__Output>): grpc.ClientUnaryCall;
  SetFeature(argument: _vxvem_v1_Feature, callback: grpc.requestCallback<_vxvem_v1_Feature__Output>): grpc.ClientUnaryCall;
  setFeature(argument: _vxvem_v1_Feature, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Feature__Output>): grpc.ClientUnaryCall;
  setFeature(argument: _vxvem_v1_Feature, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_Feature__Output>): grpc.ClientUnaryCall;
  setFeature(argument: _vxvem_v1_Feature, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_Feature__Output>): grpc.ClientUnaryCall;
  setFeature(argument: _vxvem_v1_Feature, callback: grpc.requestCallback<_vxvem_v1_Feature__Output>): grpc.ClientUnaryCall;
  
  /**
   * Removes every network, subnet and port that did not come from the northbound (OpenStack).
   */
  Sync(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_SyncReport__Output>): grpc.ClientUnaryCall;
  Sync(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_SyncReport__Output>): grpc.ClientUnaryCall;
  Sync(argument: _vxvem_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_SyncReport__Output>): grpc.ClientUnaryCall;
  Sync(argument: _vxvem_v1_Empty, callback: grpc.requestCallback<_vxvem_v1_SyncReport__Output>): grpc.ClientUnaryCall;
  /**
   * Removes every network, subnet and port that did not come from the northbound (OpenStack).
   */
  sync(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_SyncReport__Output>): grpc.ClientUnaryCall;
  sync(argument: _vxvem_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_vxvem_v1_SyncReport__Output>): grpc.ClientUnaryCall;
  sync(argument: _vxvem_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_vxvem_v1_SyncReport__Output>): grpc.ClientUnaryCall;
  sync(argument: _vxvem_v1_Empty, callback: grpc.requestCallback<_vxvem_v1_SyncReport__Output>): grpc.ClientUnaryCall;
  
}

export interface AdminHandlers extends grpc.UntypedServiceImplementation {
  CreateNetwork: grpc.handleUnaryCall<_vxvem_v1_Network__Output, _vxvem_v1_Network>;
  
  CreatePolicy: grpc.handleUnaryCall<_vxvem_v1_Policy__Output, _vxvem_v1_Policy>;
  
  CreatePort: grpc.handleUnaryCall<_vxvem_v1_Port__Output, _vxvem_v1_Port>;
  
  CreateSubnet: grpc.handleUnaryCall<_vxvem_v1_Subnet__Output, _vxvem_v1_Subnet>;
  
  /**
   * Removes a host that is gone: refused while it has ports or its VEM's stream is open here.
   */
  DeleteHost: grpc.handleUnaryCall<_vxvem_v1_Name__Output, _vxvem_v1_Empty>;
  
  DeleteNetwork: grpc.handleUnaryCall<_vxvem_v1_Name__Output, _vxvem_v1_Empty>;
  
  DeletePolicy: grpc.handleUnaryCall<_vxvem_v1_Name__Output, _vxvem_v1_Empty>;
  
  DeletePort: grpc.handleUnaryCall<_vxvem_v1_Name__Output, _vxvem_v1_Empty>;
  
  DeleteSubnet: grpc.handleUnaryCall<_vxvem_v1_Name__Output, _vxvem_v1_Empty>;
  
  GetClusterStatus: grpc.handleUnaryCall<_vxvem_v1_Empty__Output, _vxvem_v1_ClusterStatus>;
  
  ListFeatures: grpc.handleUnaryCall<_vxvem_v1_Empty__Output, _vxvem_v1_Features>;
  
  ListHosts: grpc.handleUnaryCall<_vxvem_v1_Page__Output, _vxvem_v1_Hosts>;
  
  ListNetworks: grpc.handleUnaryCall<_vxvem_v1_Page__Output, _vxvem_v1_Networks>;
  
  ListPolicies: grpc.handleUnaryCall<_vxvem_v1_Empty__Output, _vxvem_v1_Policies>;
  
  ListPorts: grpc.handleUnaryCall<_vxvem_v1_Page__Output, _vxvem_v1_Ports>;
  
  ListProfiles: grpc.handleUnaryCall<_vxvem_v1_Page__Output, _vxvem_v1_Profiles>;
  
  ListSubnets: grpc.handleUnaryCall<_vxvem_v1_Page__Output, _vxvem_v1_Subnets>;
  
  SetFeature: grpc.handleUnaryCall<_vxvem_v1_Feature__Output, _vxvem_v1_Feature>;
  
  /**
   * Removes every network, subnet and port that did not come from the northbound (OpenStack).
   */
  Sync: grpc.handleUnaryCall<_vxvem_v1_Empty__Output, _vxvem_v1_SyncReport>;
  
}

export interface AdminDefinition extends grpc.ServiceDefinition {
  CreateNetwork: MethodDefinition<_vxvem_v1_Network, _vxvem_v1_Network, _vxvem_v1_Network__Output, _vxvem_v1_Network__Output>
  CreatePolicy: MethodDefinition<_vxvem_v1_Policy, _vxvem_v1_Policy, _vxvem_v1_Policy__Output, _vxvem_v1_Policy__Output>
  CreatePort: MethodDefinition<_vxvem_v1_Port, _vxvem_v1_Port, _vxvem_v1_Port__Output, _vxvem_v1_Port__Output>
  CreateSubnet: MethodDefinition<_vxvem_v1_Subnet, _vxvem_v1_Subnet, _vxvem_v1_Subnet__Output, _vxvem_v1_Subnet__Output>
  DeleteHost: MethodDefinition<_vxvem_v1_Name, _vxvem_v1_Empty, _vxvem_v1_Name__Output, _vxvem_v1_Empty__Output>
  DeleteNetwork: MethodDefinition<_vxvem_v1_Name, _vxvem_v1_Empty, _vxvem_v1_Name__Output, _vxvem_v1_Empty__Output>
  DeletePolicy: MethodDefinition<_vxvem_v1_Name, _vxvem_v1_Empty, _vxvem_v1_Name__Output, _vxvem_v1_Empty__Output>
  DeletePort: MethodDefinition<_vxvem_v1_Name, _vxvem_v1_Empty, _vxvem_v1_Name__Output, _vxvem_v1_Empty__Output>
  DeleteSubnet: MethodDefinition<_vxvem_v1_Name, _vxvem_v1_Empty, _vxvem_v1_Name__Output, _vxvem_v1_Empty__Output>
  GetClusterStatus: MethodDefinition<_vxvem_v1_Empty, _vxvem_v1_ClusterStatus, _vxvem_v1_Empty__Output, _vxvem_v1_ClusterStatus__Output>
  ListFeatures: MethodDefinition<_vxvem_v1_Empty, _vxvem_v1_Features, _vxvem_v1_Empty__Output, _vxvem_v1_Features__Output>
  ListHosts: MethodDefinition<_vxvem_v1_Page, _vxvem_v1_Hosts, _vxvem_v1_Page__Output, _vxvem_v1_Hosts__Output>
  ListNetworks: MethodDefinition<_vxvem_v1_Page, _vxvem_v1_Networks, _vxvem_v1_Page__Output, _vxvem_v1_Networks__Output>
  ListPolicies: MethodDefinition<_vxvem_v1_Empty, _vxvem_v1_Policies, _vxvem_v1_Empty__Output, _vxvem_v1_Policies__Output>
  ListPorts: MethodDefinition<_vxvem_v1_Page, _vxvem_v1_Ports, _vxvem_v1_Page__Output, _vxvem_v1_Ports__Output>
  ListProfiles: MethodDefinition<_vxvem_v1_Page, _vxvem_v1_Profiles, _vxvem_v1_Page__Output, _vxvem_v1_Profiles__Output>
  ListSubnets: MethodDefinition<_vxvem_v1_Page, _vxvem_v1_Subnets, _vxvem_v1_Page__Output, _vxvem_v1_Subnets__Output>
  SetFeature: MethodDefinition<_vxvem_v1_Feature, _vxvem_v1_Feature, _vxvem_v1_Feature__Output, _vxvem_v1_Feature__Output>
  Sync: MethodDefinition<_vxvem_v1_Empty, _vxvem_v1_SyncReport, _vxvem_v1_Empty__Output, _vxvem_v1_SyncReport__Output>
}
