// Run inside a bench host's namespace: attaches bench/floor.bpf.c to the port and the uplink
// (argv: PORT UPLINK VM-MAC) so that each redirects to the other (the uplink only the VM's
// frames). The filters outlive this process (the kernel holds them).
import { join } from 'node:path';
import { native } from '../native/index.js';
import { TC_HANDLE, TC_PRIORITY } from '../src/maps/attach.js';
import { listLinks } from '../src/agent/links.js';
import { REPO } from './lib.js';

const n = native();
const obj = n.openObject(join(REPO, 'out/bpf/bench/floor.bpf.o'));
obj.load();
const links = listLinks();
const [portName, upName, vmMac] = process.argv.slice(2);
if (!portName || !upName || !vmMac || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(vmMac)) throw new Error('usage: floor-attach.ts PORT UPLINK VM-MAC');
const ifindexOf = (name: string): number => {
  const l = links.get(name);
  if (!l) throw new Error(`floor-attach: no interface ${name}`);
  return l.ifindex;
};
const port = ifindexOf(portName);
const up = ifindexOf(upName);
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const hop = (to: number, onlyVm: number): Buffer => Buffer.concat([u32(to), u32(onlyVm)]);
n.mapUpdate(obj.mapFd('floor_peer'), u32(port), hop(up, 0));
n.mapUpdate(obj.mapFd('floor_peer'), u32(up), hop(port, 1));
n.mapUpdate(obj.mapFd('floor_vm'), u32(0), Buffer.concat([Buffer.from(vmMac.replace(/:/g, ''), 'hex'), Buffer.alloc(2)]));
for (const ifindex of [port, up]) {
  n.tcHookCreate(ifindex);
  n.tcAttach({ ifindex, direction: 'ingress', progFd: obj.progFd('floor_redirect'), priority: TC_PRIORITY, handle: TC_HANDLE });
}
obj.close();
