// Run inside a bench host's namespace: attaches bench/floor.bpf.c to vnet0 and up0 so that
// each redirects to the other. The filters outlive this process (the kernel holds them).
import { join } from 'node:path';
import { native } from '../native/index.js';
import { TC_HANDLE, TC_PRIORITY } from '../src/agent/attach.js';
import { listLinks } from '../src/agent/links.js';
import { REPO } from '../test/helpers/bpf.js';

const n = native();
const obj = n.openObject(join(REPO, 'out/bpf/bench/floor.bpf.o'));
obj.load();
const links = listLinks();
const port = links.get('vnet0')!.ifindex;
const up = links.get('up0')!.ifindex;
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
n.mapUpdate(obj.mapFd('floor_peer'), u32(port), u32(up));
n.mapUpdate(obj.mapFd('floor_peer'), u32(up), u32(port));
for (const ifindex of [port, up]) {
  n.tcHookCreate(ifindex);
  n.tcAttach({ ifindex, direction: 'ingress', progFd: obj.progFd('floor_redirect'), priority: TC_PRIORITY, handle: TC_HANDLE });
}
obj.close();
