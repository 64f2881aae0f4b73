// Loads the VEM's BPF objects for one instance with their maps pinned under
// /sys/fs/bpf/vxvem/<instance>/. A compatible pinned map is reused (state survives agent
// restarts); an incompatible one is refused with the list of differences.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { native, type BpfObjectHandle, type ObjectMapDesc } from '../../native/index.js';
import { bpfObjectPath, instancePinDir } from './paths.js';
import { ALL_MAP_NAMES, wrapMaps, type AnyMapName, type DataplaneMaps } from './tables.js';

/** A pinned map exists with another shape than the object declares. */
export class PinnedMapMismatchError extends Error {
  override readonly name = 'PinnedMapMismatchError';
  constructor(readonly differences: string[]) {
    super(`pinned maps are incompatible with this build (remove them or use another instance):\n  ${differences.join('\n  ')}`);
  }
}

export interface DataplaneOptions {
  instance: string;
  /** MAC table capacity (LRU); default VX_MAC_ENTRIES in bpf/lib/sizes.h. */
  macTableSize?: number;
  /** Entry objects to load; default all of DATAPLANE_OBJECTS. */
  objects?: string[];
}

/** The entry programs, by file: TC on ports, uplinks and the fragment device; XDP on uplinks. */
export const DATAPLANE_OBJECTS = ['from-port', 'from-uplink', 'from-tunnel', 'xdp-uplink'];

const COMPARED: (keyof ObjectMapDesc)[] = ['type', 'keySize', 'valueSize', 'maxEntries', 'flags'];

/** Differences between the maps an object declares and what is pinned at their paths. */
export function pinnedDifferences(obj: BpfObjectHandle): string[] {
  const n = native();
  const out: string[] = [];
  for (const want of obj.maps()) {
    if (!want.pinPath || !existsSync(want.pinPath)) continue;
    const fd = n.objGet(want.pinPath);
    try {
      const have = n.mapInfo(fd);
      for (const k of COMPARED) {
        if (have[k as keyof typeof have] !== want[k]) out.push(`${want.name}: ${k} pinned ${String(have[k as keyof typeof have])}, object ${String(want[k])}`);
      }
    } finally {
      n.closeFd(fd);
    }
  }
  return out;
}

export class Dataplane {
  private constructor(
    readonly instance: string,
    readonly pinDir: string,
    private readonly objects: Map<string, BpfObjectHandle>,
    readonly maps: DataplaneMaps,
  ) {}

  static open(opts: DataplaneOptions): Dataplane {
    const pinDir = instancePinDir(opts.instance);
    mkdirSync(pinDir, { recursive: true });
    const loaded = new Map<string, BpfObjectHandle>();
    try {
      for (const name of opts.objects ?? DATAPLANE_OBJECTS) {
        const obj = native().openObject(bpfObjectPath(name), { pinRoot: pinDir });
        loaded.set(name, obj);
        if (opts.macTableSize) obj.setMapMaxEntries('vx_macs', opts.macTableSize);
        const diffs = pinnedDifferences(obj);
        if (diffs.length) throw new PinnedMapMismatchError(diffs);
        obj.load();
      }
      const first = loaded.values().next().value as BpfObjectHandle;
      const maps = wrapMaps((m: AnyMapName) => first.mapFd(m));
      return new Dataplane(opts.instance, pinDir, loaded, maps);
    } catch (e) {
      for (const o of loaded.values()) o.close();
      throw e;
    }
  }

  /** Fd of a program by object and function name, e.g. ('from-port', 'from_port'). */
  progFd(object: string, program: string): number {
    const obj = this.objects.get(object);
    if (!obj) throw new Error(`object ${object} is not loaded`);
    return obj.progFd(program);
  }

  /** Releases this process's handles; pinned maps (and attached programs) stay. */
  close(): void {
    for (const o of this.objects.values()) o.close();
    this.objects.clear();
  }

  /** Removes the instance's pins: the dataplane state goes with the last reference. */
  static removePins(instance: string): void {
    rmSync(instancePinDir(instance), { recursive: true, force: true });
  }
}

/** Opens the pinned maps of an instance without loading programs (operator commands). */
export function openPinnedMaps(instance: string): { maps: DataplaneMaps; close: () => void } {
  const dir = instancePinDir(instance);
  if (!existsSync(dir)) throw new Error(`no VEM instance ${JSON.stringify(instance)}: ${dir} does not exist`);
  const n = native();
  const fds = new Map<AnyMapName, number>();
  try {
    for (const m of ALL_MAP_NAMES) fds.set(m, n.objGet(join(dir, m)));
    return { maps: wrapMaps((m) => fds.get(m)!), close: () => fds.forEach((fd) => n.closeFd(fd)) };
  } catch (e) {
    fds.forEach((fd) => n.closeFd(fd));
    throw e;
  }
}
