// VLAN trunks to VMs (Neutron's trunk extension): a trunk is kept on its parent port; each
// subport is a port of another network that the VM reaches by tagging its frames with the
// subport's VLAN id. A subport has no interface of its own: it is bound wherever its parent is,
// and the parent's host view carries it (views.ts). Like rules.ts, every function validates
// fully before it writes, and throws VsmError.
import { vlanProblem } from '../common/vlan.js';
import { VsmError, type NeutronAttrs, type PortObj, type TrunkObj, type VsmState } from './objects.js';
import { createPort, deletePort } from './rules.js';

export interface Subport { port: string; vlan: number }

function port(s: VsmState, name: string): PortObj {
  const p = s.ports[name];
  if (!p) throw new VsmError('not_found', `no port ${name}`);
  return p;
}

/** The parent port of trunk `id`. */
export function trunkParent(s: VsmState, id: string): PortObj {
  const p = Object.values(s.ports).find((x) => x.trunk?.id === id);
  if (!p) throw new VsmError('not_found', `no trunk ${id}`);
  return p;
}

function checkSubports(s: VsmState, parent: PortObj, have: Subport[], add: Subport[]): void {
  const vlans = new Set(have.map((x) => x.vlan));
  const ports = new Set(have.map((x) => x.port));
  for (const a of add) {
    const bad = vlanProblem(a.vlan);
    if (bad) throw new VsmError('invalid', `subport ${a.port}: ${bad}`);
    const p = port(s, a.port);
    if (p.name === parent.name) throw new VsmError('invalid', `port ${p.name} cannot be a subport of its own trunk`);
    if (p.trunk) throw new VsmError('conflict', `port ${p.name} is the parent of trunk ${p.trunk.id}`);
    if (p.subportOf || ports.has(p.name)) throw new VsmError('conflict', `port ${p.name} is already a subport of ${p.subportOf?.parent ?? parent.name}'s trunk`);
    if (p.host !== '') throw new VsmError('conflict', `port ${p.name} is bound to host ${p.host}: only an unbound port can become a subport`);
    if (vlans.has(a.vlan)) throw new VsmError('conflict', `VLAN ${a.vlan} is already used by a subport of this trunk`);
    vlans.add(a.vlan);
    ports.add(p.name);
  }
}

function attach(s: VsmState, parent: PortObj, subs: Subport[]): void {
  for (const x of subs) s.ports[x.port] = { ...s.ports[x.port]!, host: parent.host, subportOf: { parent: parent.name, vlan: x.vlan } };
}

function detach(s: VsmState, name: string): void {
  const { subportOf: _gone, ...rest } = s.ports[name]!;
  s.ports[name] = { ...rest, host: '' };
}

export function createTrunk(s: VsmState, parentName: string, t: { id: string; subports: Subport[]; neutron?: NeutronAttrs }): void {
  const parent = port(s, parentName);
  if (parent.trunk) throw new VsmError('conflict', `port ${parentName} is already the parent of trunk ${parent.trunk.id}`);
  if (parent.subportOf) throw new VsmError('conflict', `port ${parentName} is a subport of ${parent.subportOf.parent}'s trunk`);
  if (Object.values(s.ports).some((x) => x.trunk?.id === t.id)) throw new VsmError('conflict', `trunk ${t.id} exists`);
  checkSubports(s, parent, [], t.subports);
  const trunk: TrunkObj = { id: t.id, subports: t.subports.map((x) => ({ ...x })), ...(t.neutron ? { neutron: t.neutron } : {}) };
  s.ports[parentName] = { ...parent, trunk };
  attach(s, parent, t.subports);
}

/** Adds and removes subports (removals first); `neutron` replaces the trunk's Neutron attributes when given. */
export function changeTrunk(s: VsmState, id: string, add: Subport[], remove: string[], neutron?: NeutronAttrs): void {
  const parent = trunkParent(s, id);
  const trunk = parent.trunk!;
  for (const r of remove) {
    if (!trunk.subports.some((x) => x.port === r)) throw new VsmError('not_found', `port ${r} is not a subport of trunk ${id}`);
  }
  const kept = trunk.subports.filter((x) => !remove.includes(x.port));
  for (const r of remove) detach(s, r);
  checkSubports(s, parent, kept, add);
  s.ports[parent.name] = { ...parent, trunk: { ...trunk, subports: [...kept, ...add.map((x) => ({ ...x }))], ...(neutron ? { neutron } : {}) } };
  attach(s, parent, add);
}

/** Deletes a trunk: its subports become unbound ports again. */
export function deleteTrunk(s: VsmState, id: string): void {
  const parent = trunkParent(s, id);
  for (const x of parent.trunk!.subports) detach(s, x.port);
  const { trunk: _gone, ...rest } = parent;
  s.ports[parent.name] = rest;
}

/**
 * Runs `rewrite` (a port deleted and made again with new attributes) keeping the port's trunk or
 * subport role; a parent's subports follow it to its new host, a subport stays where its parent is.
 */
export function keepingTrunk(s: VsmState, name: string, rewrite: () => void): void {
  const { trunk, subportOf, ...plain } = port(s, name);
  s.ports[name] = plain;
  rewrite();
  const now = port(s, name);
  const host = subportOf ? port(s, subportOf.parent).host : now.host;
  s.ports[name] = { ...now, host, ...(trunk ? { trunk } : {}), ...(subportOf ? { subportOf } : {}) };
  if (trunk) for (const x of trunk.subports) s.ports[x.port] = { ...s.ports[x.port]!, host };
}

/** The networks of a parent port's subports (a change to the parent touches them too). */
export function subportNetworks(s: VsmState, p: PortObj): string[] {
  return (p.trunk?.subports ?? []).map((x) => s.ports[x.port]?.network).filter((n): n is string => n !== undefined);
}

/** Neutron's trunk_details of a parent port. */
export function trunkDetails(s: VsmState, p: PortObj): Record<string, unknown> {
  return {
    trunk_id: p.trunk!.id,
    sub_ports: p.trunk!.subports.map((x) => ({ port_id: x.port, segmentation_type: 'vlan', segmentation_id: x.vlan, mac_address: s.ports[x.port]?.mac ?? '' })),
  };
}

/**
 * A trunk made with its parent on the VSM (`vxvem port create ... --trunk VLAN=NET,...`): each
 * subport is a port NAME.VLAN on NET with the parent's MAC, as a guest's VLAN interfaces have it.
 */
export function createTrunkPorts(s: VsmState, parentName: string, subs: { vlan: number; network: string }[]): void {
  const parent = port(s, parentName);
  for (const x of subs) {
    const bad = vlanProblem(x.vlan);
    if (bad) throw new VsmError('invalid', `--trunk: ${bad}`);
    createPort(s, { name: `${parentName}.${x.vlan}`, network: x.network, host: '', mac: parent.mac, policy: parent.policy });
  }
  createTrunk(s, parentName, { id: parentName, subports: subs.map((x) => ({ port: `${parentName}.${x.vlan}`, vlan: x.vlan })) });
}

/** Deletes a port; a trunk parent goes with its trunk and the subports made with it. */
export function deleteTrunkPorts(s: VsmState, name: string): void {
  const p = s.ports[name];
  if (p?.trunk) {
    const subs = p.trunk.subports.map((x) => x.port);
    deleteTrunk(s, p.trunk.id);
    for (const x of subs) deletePort(s, x);
  }
  deletePort(s, name);
}
