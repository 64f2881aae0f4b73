// What an instance has pinned, as the kernel reports it (`vxvem bpf-info`): each map's type,
// key and value sizes, capacity and id. The XDP links pinned beside the maps are not maps.
// And what is attached to an interface (`vxvem status`).
import { closeSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BpfError, native } from '../../native/index.js';
import { TC_HANDLE, TC_PRIORITY, isXdpLinkPin } from './attach.js';
import { MapType } from './map-types.js';
import { enterNetns } from './netns.js';
import { instancePinDir } from './paths.js';

export interface PinnedMapInfo {
  name: string;
  type: MapType;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  id: number;
}

export function listPinnedMaps(instance: string): PinnedMapInfo[] {
  const dir = instancePinDir(instance);
  const n = native();
  return readdirSync(dir).filter((name) => !isXdpLinkPin(name)).sort().map((name) => {
    const fd = n.objGet(join(dir, name));
    try {
      const i = n.mapInfo(fd);
      return { name, type: MapType.of(i.type), keySize: i.keySize, valueSize: i.valueSize, maxEntries: i.maxEntries, id: i.id };
    } finally {
      n.closeFd(fd);
    }
  });
}

/** A program on an interface's hook: vxvem's TC filter (its priority and handle), or the XDP program. */
export interface AttachedProgram {
  hook: 'tc' | 'xdp';
  id: number;
  /** The program's name as the kernel knows it (the entry function: from_port, xdp_uplink...). */
  name: string;
  /** XDP: how it is attached (native, generic, offloaded). */
  mode?: 'native' | 'generic' | 'offload';
}

const XDP_MODES = { 1: 'native', 2: 'generic', 3: 'offload' } as const;

function programName(id: number): string {
  const n = native();
  try {
    const fd = n.progGetFdById(id);
    try {
      return n.progInfo(fd).name;
    } finally {
      n.closeFd(fd);
    }
  } catch {
    return ''; // unloaded meanwhile
  }
}

/**
 * What runs on each interface (by ifindex) of network namespace `netns` (a name under
 * /run/netns; undefined: this process's): vxvem's TC ingress filter and any XDP program. This
 * thread enters `netns` for the queries and returns to its own namespace after.
 */
export function attachedPrograms(ifindexes: number[], netns?: string): Map<number, AttachedProgram[]> {
  if (netns === undefined) return new Map(ifindexes.map((i) => [i, programsOn(i)]));
  const home = openSync('/proc/self/ns/net', 'r');
  try {
    enterNetns(netns);
    try {
      return new Map(ifindexes.map((i) => [i, programsOn(i)]));
    } finally {
      native().netnsEnter(`/proc/self/fd/${home}`);
    }
  } finally {
    closeSync(home);
  }
}

function programsOn(ifindex: number): AttachedProgram[] {
  const n = native();
  const out: AttachedProgram[] = [];
  let tc: { progId: number } | undefined;
  try {
    tc = n.tcQuery(ifindex, 'ingress', TC_PRIORITY, TC_HANDLE);
  } catch (e) {
    if (!(e instanceof BpfError)) throw e; // no clsact hook, or the interface is gone: nothing attached
  }
  if (tc?.progId) out.push({ hook: 'tc', id: tc.progId, name: programName(tc.progId) });
  let xdp: { progId: number; mode: number } = { progId: 0, mode: 0 };
  try {
    xdp = n.xdpQuery(ifindex);
  } catch (e) {
    if (!(e instanceof BpfError)) throw e;
  }
  if (xdp.progId) out.push({ hook: 'xdp', id: xdp.progId, name: programName(xdp.progId), ...(xdp.mode in XDP_MODES ? { mode: XDP_MODES[xdp.mode as 1 | 2 | 3] } : {}) });
  return out;
}
