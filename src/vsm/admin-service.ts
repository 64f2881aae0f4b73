// The admin service: networks, subnets, policies and ports made on the VSM directly, the
// segmentation feature, the hosts as their VEMs registered and reported them, and sync. Lists
// come in pages (paging.ts).
import * as grpc from '@grpc/grpc-js';
import type { Empty, FeatureMsg, HostInfoMsg, NameMsg, NetworkMsg, PageMsg, PageReply, PolicyMsg, PortMsg, ProfileMsg, SubnetMsg } from '../../proto/index.js';
import { REQUEST_ID, requestFacts } from '../../proto/request-meta.js';
import { logAt, type LineLog } from '../common/log.js';
import { designatedVteps } from './indexes.js';
import { VsmError, type NeutronAttrs, type PortObj, type SegmentObj, type SubnetObj, type VsmState } from './objects.js';
import {
  createPolicy, createPort, createSegment, createSubnet, deleteHost, deletePolicy, deleteSegment, deleteSubnet, portProfiles, setSegmentation, type Commit,
} from './rules.js';
import { createTrunkPorts, deleteTrunkPorts, subportNetworks } from './trunks.js';
import { Pager } from './paging.js';
import type { VsmServer } from './server.js';
import { unary } from './unary.js';
import type { VemService } from './vem-service.js';
import { hostView } from './views.js';

/** The OpenStack name and project of an object Neutron made ('' for the VSM's own). */
function openstack(o: { neutron?: NeutronAttrs }): { displayName: string; project: string } {
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return { displayName: text(o.neutron?.name), project: text(o.neutron?.project_id) };
}

/** The writes, as the VSM's log names them. */
const WRITES = {
  createNetwork: (r: NetworkMsg) => r.mode === 'vlan' ? `create network ${r.name} (VLAN ${r.vlan} on ${r.physicalNetwork})` : `create network ${r.name} (VNI ${r.vni}, ${r.mode || 'unicast'}${r.group ? ` ${r.group}` : ''})`,
  deleteNetwork: (r: NameMsg) => `delete network ${r.name}`,
  createSubnet: (r: SubnetMsg) => `create subnet ${r.name} (${r.cidr} in ${r.network})`,
  deleteSubnet: (r: NameMsg) => `delete subnet ${r.name}`,
  createPolicy: (r: PolicyMsg) => `create policy ${r.name} (port security ${r.portSecurity ? 'on' : 'off'}${r.stormPps ? `, storm ${r.stormPps} pps` : ''})`,
  deletePolicy: (r: NameMsg) => `delete policy ${r.name}`,
  createPort: (r: PortMsg) => `create port ${r.name} (${r.mac} in ${r.network} on host ${r.host})`,
  deletePort: (r: NameMsg) => `delete port ${r.name}`,
  deleteHost: (r: NameMsg) => `delete host ${r.name}`,
  setFeature: (r: FeatureMsg) => `${r.enabled ? 'enable' : 'disable'} feature ${r.name}`,
  sync: () => 'sync with OpenStack',
};

/**
 * A write, logged when answered: what, by whom (as the client says) from where, its request id
 * (sent back with the reply), and its outcome. A refusal (the request broke a rule) is info; a
 * store that could not take the change, or a fault, is an error.
 */
function audited<Req>(log: LineLog, what: (r: Req) => string, handler: grpc.handleUnaryCall<Req, unknown>): grpc.handleUnaryCall<Req, unknown> {
  return (call, cb) => {
    const f = requestFacts(call);
    const md = new grpc.Metadata();
    md.set(REQUEST_ID, f.requestId);
    call.sendMetadata(md);
    handler(call, (err, res) => {
      const line = `admin: ${what(call.request)} by ${f.user ?? 'an unnamed client'} from ${f.peer} (request ${f.requestId})`;
      if (!err) log(line);
      else logAt(log, err.code === grpc.status.INTERNAL || err.code === grpc.status.UNAVAILABLE ? 'error' : 'info', `${line} refused: ${err.details ?? 'no reason given'}`);
      cb(err, res);
    });
  };
}

export function adminService(vsm: Pick<VsmServer, 'commit' | 'sync' | 'clusterStatus'>, vem: Pick<VemService, 'connected' | 'lastReport' | 'forget' | 'log'>): grpc.UntypedServiceImplementation {
  const handlers = adminHandlers(vsm, vem);
  for (const [method, what] of Object.entries(WRITES)) {
    if (!handlers[method]) throw new Error(`the admin service has no ${method}`);
    handlers[method] = audited(vem.log, what as (r: unknown) => string, handlers[method] as grpc.handleUnaryCall<unknown, unknown>);
  }
  return handlers;
}

function adminHandlers(vsm: Pick<VsmServer, 'commit' | 'sync' | 'clusterStatus'>, vem: Pick<VemService, 'connected' | 'lastReport' | 'forget'>): grpc.UntypedServiceImplementation {
  const s = (): VsmState => vsm.commit.state();
  const change: Commit['change'] = (fn, touches) => vsm.commit.change(fn, touches);
  const pager = new Pager();
  const net = (n: SegmentObj): NetworkMsg => ({
    name: n.name, vni: n.vni, mode: n.mode, group: n.group ?? '', physicalNetwork: n.physnet ?? '', vlan: n.vlan ?? 0, origin: n.origin, ...openstack(n),
  });
  const subnet = (n: SubnetObj): SubnetMsg => ({ name: n.name, network: n.network, cidr: n.cidr, gateway: n.gateway ?? '', origin: n.origin, ...openstack(n) });
  const port = (x: PortObj): PortMsg => ({
    name: x.name, network: x.network, host: x.host, mac: x.mac, policy: x.policy, interface: x.interface, origin: x.origin, ...openstack(x),
    trunk: (x.trunk?.subports ?? []).map((t) => ({ vlan: t.vlan, network: s().ports[t.port]?.network ?? '', port: t.port })),
  });
  return {
    createNetwork: unary<NetworkMsg, NetworkMsg>(async (r) => {
      const vlan = r.mode === 'vlan' ? { physnet: r.physicalNetwork, vlan: r.vlan } : {};
      await change((x) => createSegment(x, { name: r.name, vni: r.vni, mode: (r.mode || 'unicast') as 'unicast', ...(r.group ? { group: r.group } : {}), ...vlan }), { networks: [r.name] });
      return net(s().segments[r.name]!);
    }),
    deleteNetwork: unary<NameMsg, Empty>(async (r) => (await change((x) => deleteSegment(x, r.name), { networks: [r.name] }), {})),
    listNetworks: unary<PageMsg, PageReply<NetworkMsg>>((r) => pager.page(r, () => Object.values(s().segments).map(net))),
    // Subnets and policies change no host's view (no VEM sees them yet): nobody to tell.
    createSubnet: unary<SubnetMsg, SubnetMsg>(async (r) => {
      await change((x) => createSubnet(x, { name: r.name, network: r.network, cidr: r.cidr, ...(r.gateway ? { gateway: r.gateway } : {}) }), {});
      return subnet(s().subnets[r.name]!);
    }),
    deleteSubnet: unary<NameMsg, Empty>(async (r) => (await change((x) => deleteSubnet(x, r.name), {}), {})),
    listSubnets: unary<PageMsg, PageReply<SubnetMsg>>((r) => pager.page(r, () => Object.values(s().subnets).map(subnet))),
    // Policies change no host's view (no VEM sees them yet): nobody to tell.
    createPolicy: unary<PolicyMsg, PolicyMsg>(async (r) => (await change((x) => createPolicy(x, { name: r.name, portSecurity: r.portSecurity, stormPps: r.stormPps }), {}), r)),
    deletePolicy: unary<NameMsg, Empty>(async (r) => (await change((x) => deletePolicy(x, r.name), {}), {})),
    listPolicies: unary<Empty, { items: PolicyMsg[] }>(() => ({ items: Object.values(s().policies) })),
    createPort: unary<PortMsg, PortMsg>(async (r) => {
      const trunk = r.trunk ?? [];
      await change((x) => {
        createPort(x, { name: r.name, network: r.network, host: r.host, mac: r.mac, ...(r.policy ? { policy: r.policy } : {}), ...(r.interface ? { interface: r.interface } : {}) });
        if (trunk.length) createTrunkPorts(x, r.name, trunk);
      }, { networks: [r.network, ...trunk.map((t) => t.network)], hosts: [r.host] });
      return port(s().ports[r.name]!);
    }),
    deletePort: unary<NameMsg, Empty>(async (r) => {
      const port = s().ports[r.name];
      const subs = port ? subportNetworks(s(), port) : [];
      await change((x) => deleteTrunkPorts(x, r.name), port ? { networks: [port.network, ...subs], hosts: [port.host] } : undefined);
      return {};
    }),
    listPorts: unary<PageMsg, PageReply<PortMsg>>((r) => pager.page(r, () => Object.values(s().ports).map(port))),
    listProfiles: unary<PageMsg, PageReply<ProfileMsg>>((r) => pager.page(r, () => portProfiles(s()))),
    listHosts: unary<PageMsg, PageReply<HostInfoMsg>>((r) => pager.page(r, () => {
      const d = designatedVteps(s());
      return Object.values(s().hosts).map((h) => ({
        name: h.name,
        vteps: h.vteps.map((v) => ({ ...v, gateway: v.gateway ?? '' })),
        connected: vem.connected(h.name),
        designated: Object.fromEntries(d.get(h.name) ?? []),
        segments: hostView(s(), h.name).segments,
        uplinkMtu: h.uplinkMtu ?? 0,
        version: h.version ?? '',
        physicalNetworks: h.physnets ?? [],
        appliedRevision: vem.lastReport(h.name)?.appliedRevision ?? '0',
        lastReportMs: String(vem.lastReport(h.name)?.lastReportMs ?? 0),
        learned: vem.lastReport(h.name)?.learned ?? [],
      }));
    })),
    // A host whose VEM still follows this replica is not gone (it would register again).
    deleteHost: unary<NameMsg, Empty>(async (r) => {
      if (vem.connected(r.name)) throw new VsmError('in_use', `host ${r.name} is connected (its VEM follows this VSM): stop its VEM first`);
      await change((x) => deleteHost(x, r.name), { hosts: [r.name] });
      vem.forget(r.name);
      return {};
    }),
    setFeature: unary<FeatureMsg, FeatureMsg>(async (r) => {
      if (r.name !== 'segmentation') throw new VsmError('not_found', `no feature ${r.name} (known: segmentation)`);
      await change((x) => setSegmentation(x, r.enabled));
      return r;
    }),
    listFeatures: unary(() => ({ items: [{ name: 'segmentation', enabled: s().segmentation }] })),
    sync: unary(async () => {
      const r = await vsm.sync();
      return { removed: r.removed, revision: String(r.revision) };
    }),
    getClusterStatus: unary(() => vsm.clusterStatus()),
  };
}
