// The end-to-end bench between two machines with real NICs. Run the server on one host, the
// driver on the other; each moves its NIC into a host namespace made here (a NIC with IPv4
// addresses is refused: never the management interface), puts a VM namespace behind it, and
// sets up one switch at a time on command, so both sides run the same mode, interleaved over
// rounds, as on the veth harness. The driver talks to the server over TCP 4790 on the NIC's own
// link; all measured traffic is VM namespace to VM namespace. Namespaces go on exit, the NIC
// returns (with its MTU) to the namespace it came from.
//
//   host B: npx tsx bench/two-hosts.ts --uplink IF --local 192.0.2.2/24 --peer 192.0.2.1 --serve
//   host A: npx tsx bench/two-hosts.ts --uplink IF --local 192.0.2.1/24 --peer 192.0.2.2 [--quick] [--rounds N]
import { execFileSync, spawnSync } from 'node:child_process';
import { createConnection, createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { native } from '../native/index.js';
import { Netns } from '../testbed/netns.js';
import { benchOptions, bpfRunNs, cpuBusyNs, setBpfStats, ipInReceives, sleep, writeResults } from './lib.js';
import { MODES, VMS, addVm, setupSide, type Mode, type SideSpec } from './e2e-side.js';
import { emptySamples, measureAll, summarise, type Far } from './e2e-measure.js';
import { PPS_FRAME } from './e2e.js';

const CONTROL_PORT = 4790;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function usage(msg: string): never {
  console.error(`two-hosts: ${msg}\nusage: two-hosts.ts --uplink IF --local ADDR/LEN --peer ADDR [--serve | --quick | --rounds N]`);
  process.exit(2);
}

const uplink = arg('uplink') ?? usage('--uplink IF is required');
const local = arg('local') ?? usage('--local ADDR/LEN is required');
const peer = arg('peer') ?? usage('--peer ADDR is required');
const serving = process.argv.includes('--serve');
const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(local) ?? usage(`--local ${local}: expected A.B.C.D/LEN`);
if (!/^\d+\.\d+\.\d+\.\d+$/.test(peer)) usage(`--peer ${peer}: expected A.B.C.D`);
const [self, prefixLength] = [m[1]!, Number(m[2])];

interface LinkInfo { mtu: number; addr_info?: { family: string }[] }
const link = (JSON.parse(execFileSync('ip', ['-j', 'addr', 'show', 'dev', uplink], { encoding: 'utf8' })) as LinkInfo[])[0] ?? usage(`no interface ${uplink}`);
if (link.addr_info?.some((a) => a.family === 'inet')) usage(`${uplink} has IPv4 addresses: use a NIC dedicated to the benchmark`);

// The namespace this runs in gets a name, so the NIC can be moved back into it. The exit hook
// is registered before any namespace exists: it must run before the helpers' own hook deletes
// the host namespace (which would send the NIC to the root namespace instead).
const tag = `vxbn${process.pid}`;
let host: Netns | undefined;
let vm: Netns | undefined;
let moved = false;
function restore(): void {
  if (host && moved) {
    try {
      host.ip('link', 'set', uplink, 'down');
      host.ip('link', 'set', uplink, 'netns', `${tag}-home`);
      execFileSync('ip', ['-n', `${tag}-home`, 'link', 'set', uplink, 'mtu', String(link.mtu)]);
      moved = false;
    } catch (e) {
      console.error(`two-hosts: could not return ${uplink}: ${(e as Error).message}`);
    }
  }
  vm?.delete();
  host?.delete();
  try {
    execFileSync('ip', ['netns', 'del', `${tag}-home`], { stdio: 'ignore' }); // the name only: the namespace lives on
  } catch {
    // never attached
  }
}
process.on('exit', restore);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));
execFileSync('ip', ['netns', 'attach', `${tag}-home`, String(process.pid)]);
host = Netns.create(`${tag}-h`);
vm = Netns.create(`${tag}-vm`);
execFileSync('ip', ['link', 'set', uplink, 'netns', host.name]);
moved = true;
host.ip('link', 'set', uplink, 'mtu', String(Math.max(link.mtu, 1550)), 'up');
host.ip('addr', 'add', local, 'dev', uplink);
addVm(host, vm, serving ? 1 : 0);
const hostNs = host;
const vmNs = vm;
const spec: SideSpec = { host: hostNs, vm: vmNs, uplink, self, peer, prefixLength, index: serving ? 1 : 0, vethXdpQuirks: true }; // the VM ports are veth on both harnesses
process.on('exit', () => setBpfStats(false));
// The control socket lives on the NIC's link: this thread enters the host namespace.
native().netnsEnter(hostNs.path);

type Request = { op: 'setup'; mode: Mode } | { op: 'teardown' | 'received' | 'cpu' | 'bpf' | 'quiet' | 'done' } | { op: 'bpf-stats'; on: boolean } | { op: 'iperf'; secs: number };

async function serve(): Promise<void> {
  let stop: (() => Promise<void>) | undefined;
  const handle = async (r: Request): Promise<unknown> => {
    switch (r.op) {
      case 'setup': stop = await setupSide(r.mode, spec); return {};
      case 'teardown': await stop?.(); stop = undefined; return {};
      case 'received': return { value: ipInReceives(vmNs) };
      case 'cpu': return { value: cpuBusyNs() };
      case 'bpf': return { value: bpfRunNs(hostNs.path) };
      case 'bpf-stats': setBpfStats(r.on); return {};
      case 'quiet': vmNs.exec('sysctl', ['-qw', 'net.ipv4.icmp_ratelimit=1000000000']); return {};
      case 'iperf': vmNs.exec('timeout', [String(r.secs + 20), 'iperf3', '-s', '-D', '-1', '-B', VMS[1].addr]); await sleep(300); return {};
      case 'done': return {};
    }
  };
  const server = createServer((sock) => {
    // One driver per run: when it goes (done, or died), so does the server.
    sock.on('close', () => void (stop ? stop() : Promise.resolve()).catch(() => undefined).finally(() => server.close()));
    const lines = createInterface({ input: sock });
    let queue = Promise.resolve();
    lines.on('line', (line) => {
      queue = queue.then(async () => {
        const r = JSON.parse(line) as Request;
        const reply = await handle(r).catch((e: unknown) => ({ error: (e as Error).message }));
        sock.write(`${JSON.stringify(reply)}\n`);
        if (r.op === 'done') {
          await stop?.();
          // destroy, not end: the driver's NIC may already be gone, and a FIN that cannot be
          // delivered would hold server.close() until TCP gives up.
          sock.destroy();
          server.close();
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(CONTROL_PORT, self, () => resolve()));
  console.error(`two-hosts: serving on ${self}:${CONTROL_PORT} (VM ${VMS[1].addr}); waiting for the driver`);
  await new Promise<void>((resolve) => server.on('close', () => resolve()));
}

class Control {
  private readonly lines: AsyncIterator<string>;
  constructor(private readonly sock: Socket) {
    this.lines = createInterface({ input: sock })[Symbol.asyncIterator]();
  }
  async call(r: Request): Promise<{ value?: number }> {
    this.sock.write(`${JSON.stringify(r)}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error('the server closed the connection');
    const reply = JSON.parse(next.value) as { value?: number; error?: string };
    if (reply.error) throw new Error(`server: ${reply.error}`);
    return reply;
  }
}

async function connect(): Promise<Socket> {
  for (let i = 0; ; i++) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const s = createConnection(CONTROL_PORT, peer, () => resolve(s));
        s.once('error', reject);
      });
    } catch (e) {
      if (i >= 60) throw new Error(`no bench server at ${peer}:${CONTROL_PORT}: ${(e as Error).message}`);
      await sleep(500);
    }
  }
}

async function drive(): Promise<void> {
  const o = benchOptions();
  const sock = await connect();
  const c = new Control(sock);
  const far: Far = {
    received: async () => (await c.call({ op: 'received' })).value!,
    iperfServer: async (secs) => void (await c.call({ op: 'iperf', secs })),
    cpuNs: async () => (await c.call({ op: 'cpu' })).value!,
    quiet: async () => void (await c.call({ op: 'quiet' })),
    bpfRunNs: async () => (await c.call({ op: 'bpf' })).value!,
    bpfStats: async (on) => void (await c.call({ op: 'bpf-stats', on })),
  };
  const samples = emptySamples();
  try {
    for (let r = 0; r < o.rounds; r++) {
      for (const mode of MODES) {
        await c.call({ op: 'setup', mode });
        const stop = await setupSide(mode, spec);
        try {
          // A mode whose path does not work costs its zeros, not the run.
          const ok = spawnSync('nsenter', [`--net=${vmNs.path}`, 'ping', '-c', '3', '-i', '0.2', '-W', '2', VMS[1].addr]).status === 0;
          if (!ok) console.error(`two-hosts round ${r + 1}/${o.rounds} ${mode}: VM2 does not answer pings; measuring anyway`);
          await measureAll(vmNs, hostNs, far, PPS_FRAME, o, (k, v) => (samples[mode][k] ??= []).push(v));
          console.error(`two-hosts round ${r + 1}/${o.rounds} ${mode}: ${samples[mode].pps_pinned!.at(-1)} pps, ${samples[mode].tcp1_gbps!.at(-1)} Gbit/s`);
        } finally {
          await stop();
          await c.call({ op: 'teardown' });
        }
      }
    }
    await c.call({ op: 'done' });
  } finally {
    sock.end();
  }
  const { rows, markdown } = summarise(samples, `VM to VM between two hosts over ${uplink} (${self} -> ${peer}), medians of ${o.rounds} round(s), ${o.secs} s per run. cpu_ns_per_packet: the sender's machine; receiver_cpu_ns_per_packet: the receiver's.`);
  writeResults('two-hosts', { date: new Date().toISOString(), uplink, self, peer, options: o, rows }, `# Two hosts\n\n${markdown}\n`);
  console.log(markdown);
}

await (serving ? serve() : drive());
process.exit(0);
