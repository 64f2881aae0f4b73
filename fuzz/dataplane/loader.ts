// The dataplane under fuzz: the real objects of bpf/ with their maps made small (a whole map is
// then read in a few microseconds, after every frame), and the from_tunnel entry reached
// through a wrapper that gives the test run's skb the tunnel key the kernel's vxlan device would.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { native, type BpfObjectHandle } from '../../native/index.js';
import { packageRoot } from '../../src/common/package.js';
import { DATAPLANE_OBJECTS, Dataplane } from '../../src/maps/dataplane.js';
import { bpfObjectPath, instancePinDir } from '../../src/maps/paths.js';
import { wrapMaps, type MapName } from '../../src/maps/tables.js';
import type { FixtureDataplane } from '../../testbed/packet-fixture.js';

/**
 * Capacities of the fuzzed maps. Every key the fuzzer can make fits: 3 VNIs x 25 drop reasons,
 * a handful of ports, peers and neighbours; the MAC table is emptied well before it is full, so
 * no LRU eviction ever passes for a change a frame made.
 */
export const FUZZ_MAP_SIZES: Partial<Record<MapName, number>> = {
  vx_macs: 1024, vx_static_macs: 64, vx_segments: 64, vx_ports: 64, vx_port_state: 64, vx_port_addrs: 64,
  vx_peers: 64, vx_trusted: 16, vx_neigh: 64, vx_flood: 64, vx_seg_ports: 64, vx_groups: 64, vx_counters: 64, vx_seg_stats: 4, vx_drops: 128,
};

/** Every entry object of the VEM, loaded for `instance` with FUZZ_MAP_SIZES (pins as Dataplane.open makes them). */
export function openFuzzDataplane(instance: string): FixtureDataplane {
  const pinRoot = instancePinDir(instance);
  mkdirSync(pinRoot, { recursive: true });
  const objects = new Map<string, BpfObjectHandle>();
  try {
    for (const name of DATAPLANE_OBJECTS) {
      const obj = native().openObject(bpfObjectPath(name), { pinRoot });
      objects.set(name, obj);
      for (const [map, n] of Object.entries(FUZZ_MAP_SIZES)) obj.setMapMaxEntries(map, n);
      obj.load();
    }
  } catch (e) {
    for (const o of objects.values()) o.close();
    Dataplane.removePins(instance); // nothing of a dataplane that never loaded stays pinned
    throw e;
  }
  const first = objects.get(DATAPLANE_OBJECTS[0]!)!;
  return {
    instance,
    maps: wrapMaps((m) => first.mapFd(m)),
    progFd(object, program) {
      const obj = objects.get(object);
      if (!obj) throw new Error(`object ${object} is not loaded`);
      return obj.progFd(program);
    },
    close() {
      for (const o of objects.values()) o.close();
      objects.clear();
    },
  };
}

const WRAPPER_SRC = join(packageRoot(), 'fuzz', 'tunnel-key.bpf.c');
const WRAPPER_OBJ = join(packageRoot(), 'out', 'bpf', 'fuzz', 'tunnel-key.bpf.o');
/** As the Makefile compiles bpf/ (the wrapper is the fuzzer's own, so it is built here on first use). */
const BPF_CFLAGS = ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', '-Wall', '-Werror', '-I/usr/include/x86_64-linux-gnu'];

/** Verdicts of the wrapper itself (no vxvem program returns them): the harness failed, not the program. */
export const WRAPPER_SET_KEY_FAILED = 100;
export const WRAPPER_TAIL_CALL_FAILED = 101;

/** The tunnel-key wrapper, its tail call pointed at `fromTunnelFd`; close() releases it. */
export function openTunnelWrapper(fromTunnelFd: number): { progFd: number; close: () => void } {
  if (!existsSync(WRAPPER_OBJ) || statSync(WRAPPER_OBJ).mtimeMs < statSync(WRAPPER_SRC).mtimeMs) {
    mkdirSync(dirname(WRAPPER_OBJ), { recursive: true });
    execFileSync(process.env.CLANG ?? 'clang', [...BPF_CFLAGS, '-c', WRAPPER_SRC, '-o', WRAPPER_OBJ], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  const obj = native().openObject(WRAPPER_OBJ);
  try {
    obj.load();
    const slot = Buffer.alloc(4);
    const fd = Buffer.alloc(4);
    fd.writeUInt32LE(fromTunnelFd);
    native().mapUpdate(obj.mapFd('fz_next'), slot, fd);
    return { progFd: obj.progFd('fz_tunnel_key'), close: () => obj.close() };
  } catch (e) {
    obj.close();
    throw e;
  }
}
