// The admin service: networks, subnets, policies and ports made on the VSM directly, the
// segmentation feature, the hosts as their VEMs registered and reported them, and sync. Lists
// come in pages (paging.ts).
import type * as grpc from '@grpc/grpc-js';
import type { Empty, FeatureMsg, HostInfoMsg, NameMsg, NetworkMsg, PageMsg, PageReply, PolicyMsg, PortMsg, ProfileMsg, SubnetMsg } from '../../proto/index.js';
import { designatedVteps } from './indexes.js';
import { VsmError, type VsmState } from './objects.js';
import {
  createPolicy, createPort, createSegment, createSubnet, deleteHost, deletePolicy, deletePort, deleteSegment, deleteSubnet, portProfiles, setSegmentation, type Commit,
} from './rules.js';
import { Pager } from './paging.js';
import type { VsmServer } from './server.js';
import { unary } from './unary.js';
import type { VemService } from './vem-service.js';
import { hostView } from './views.js';

export function adminService(vsm: Pick<VsmServer, 'commit' | 'sync' | 'clusterStatus'>, vem: Pick<VemService, 'connected' | 'lastReport' | 'forget'>): grpc.UntypedServiceImplementation {
  const s = (): VsmState => vsm.commit.state();
  const change: Commit['change'] = (fn, touches) => vsm.commit.change(fn, touches);
  const pager = new Pager();
  const net = (n: { name: string; vni: number; mode: string; group?: string; origin: string }): NetworkMsg => ({ name: n.name, vni: n.vni, mode: n.mode, group: n.group ?? '', origin: n.origin });
  return {
    createNetwork: unary<NetworkMsg, NetworkMsg>(async (r) => {
      await change((x) => createSegment(x, { name: r.name, vni: r.vni, mode: (r.mode || 'unicast') as 'unicast', ...(r.group ? { group: r.group } : {}) }), { networks: [r.name] });
      return net(s().segments[r.name]!);
    }),
    deleteNetwork: unary<NameMsg, Empty>(async (r) => (await change((x) => deleteSegment(x, r.name), { networks: [r.name] }), {})),
    listNetworks: unary<PageMsg, PageReply<NetworkMsg>>((r) => pager.page(r, () => Object.values(s().segments).map(net))),
    // Subnets and policies change no host's view (no VEM sees them yet): nobody to tell.
    createSubnet: unary<SubnetMsg, SubnetMsg>(async (r) => {
      await change((x) => createSubnet(x, { name: r.name, network: r.network, cidr: r.cidr, ...(r.gateway ? { gateway: r.gateway } : {}) }), {});
      const n = s().subnets[r.name]!;
      return { ...n, gateway: n.gateway ?? '' };
    }),
    deleteSubnet: unary<NameMsg, Empty>(async (r) => (await change((x) => deleteSubnet(x, r.name), {}), {})),
    listSubnets: unary<PageMsg, PageReply<SubnetMsg>>((r) => pager.page(r, () => Object.values(s().subnets).map((n) => ({ ...n, gateway: n.gateway ?? '' })))),
    // Policies change no host's view (no VEM sees them yet): nobody to tell.
    createPolicy: unary<PolicyMsg, PolicyMsg>(async (r) => (await change((x) => createPolicy(x, { name: r.name, portSecurity: r.portSecurity, stormPps: r.stormPps }), {}), r)),
    deletePolicy: unary<NameMsg, Empty>(async (r) => (await change((x) => deletePolicy(x, r.name), {}), {})),
    listPolicies: unary<Empty, { items: PolicyMsg[] }>(() => ({ items: Object.values(s().policies) })),
    createPort: unary<PortMsg, PortMsg>(async (r) => {
      await change((x) => createPort(x, { name: r.name, network: r.network, host: r.host, mac: r.mac, ...(r.policy ? { policy: r.policy } : {}), ...(r.interface ? { interface: r.interface } : {}) }), { networks: [r.network], hosts: [r.host] });
      return s().ports[r.name]! as PortMsg;
    }),
    deletePort: unary<NameMsg, Empty>(async (r) => {
      const port = s().ports[r.name];
      await change((x) => deletePort(x, r.name), port ? { networks: [port.network], hosts: [port.host] } : undefined);
      return {};
    }),
    listPorts: unary<PageMsg, PageReply<PortMsg>>((r) => pager.page(r, () => Object.values(s().ports) as PortMsg[])),
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
