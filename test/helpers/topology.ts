// A small data centre in network namespaces for integration tests: an underlay of bridges
// (IGMP snooping on), hosts with uplinks, VMs behind ports, an optional router between two
// VTEP subnets, and VEM agents started as real processes inside the hosts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Dataplane } from '../../src/maps/dataplane.js';
import { vemStateDir } from '../../src/agent/vsm-identity.js';
import { Netns, vethPair } from '../../testbed/netns.js';
import { REPO } from './bpf.js';

export const RAWPKT = join(REPO, 'test', 'fixtures', 'rawpkt.py');
const TCPBULK = join(REPO, 'test', 'fixtures', 'tcpbulk.py');

export interface Agent {
  host: string;
  instance: string;
  configPath: string;
  proc: ChildProcess;
  log: string[];
}

/**
 * Runs `rawpkt.py ARGS` inside `where` (a listener that prints "ready" once its socket is
 * bound), then `send`, and returns the listener's last output line.
 */
export async function listenWhile(where: Netns, args: string[], send: () => void): Promise<string> {
  const p = where.spawn('/usr/bin/python3', [RAWPKT, ...args]);
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => p.on('exit', () => r()));
  await new Promise<void>((r) => p.stdout!.once('data', () => r()));
  send();
  await exited;
  return out.trim().split('\n').pop()!;
}

/**
 * Like listenWhile, for several listeners at once: `send` runs only after every one of them is
 * bound, so none can miss frames that a faster one already saw. Returns their last lines.
 */
export async function listenAllWhile(listeners: { where: Netns; args: string[] }[], send: () => void): Promise<string[]> {
  const runs = listeners.map(({ where, args }) => {
    const p = where.spawn('/usr/bin/python3', [RAWPKT, ...args]);
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const ready = new Promise<void>((r) => p.stdout!.once('data', () => r()));
    const exited = new Promise<string>((r) => p.on('close', () => r(out.trim().split('\n').pop()!)));
    return { ready, exited };
  });
  await Promise.all(runs.map((r) => r.ready));
  send();
  return Promise.all(runs.map((r) => r.exited));
}

/**
 * Sends `bytes` of TCP from namespace `from` to `toAddr` in namespace `to` once the receiver
 * listens (no start-up race, unlike a daemonised iperf3); returns what the receiver counted.
 */
export async function bulkTcp(from: Netns, to: Netns, toAddr: string, bytes: number): Promise<number> {
  const recv = to.spawn('/usr/bin/python3', [TCPBULK, 'recv', toAddr, '5201']);
  let out = '';
  recv.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<void>((r) => recv.on('close', () => r()));
  await new Promise<void>((r) => recv.stdout!.once('data', () => r()));
  from.exec('timeout', ['60', '/usr/bin/python3', TCPBULK, 'send', toAddr, '5201', String(bytes)]);
  await closed;
  return Number(out.trim().split('\n').pop());
}

export class Topology {
  readonly underlay: Netns;
  readonly ns = new Map<string, Netns>();
  readonly agents = new Map<string, Agent>();
  private readonly dir = mkdtempSync(join(tmpdir(), 'vxvem-topo-'));
  private nextPort = 0;

  constructor(readonly tag: string) {
    this.underlay = Netns.create(`${tag}-ul`);
  }

  private netns(name: string): Netns {
    const ns = this.ns.get(name);
    if (!ns) throw new Error(`no namespace ${name} in topology ${this.tag}`);
    return ns;
  }

  get(name: string): Netns {
    return this.netns(name);
  }

  /** An underlay L2 segment: a bridge in the underlay namespace, with IGMP snooping and querier. */
  addSwitch(name: string): void {
    this.underlay.ip('link', 'add', name, 'type', 'bridge', 'mcast_snooping', '1', 'mcast_querier', '1', 'mcast_igmp_version', '3');
    this.underlay.ip('link', 'set', name, 'up');
  }

  private plug(sw: string, ns: Netns, dev: string, mtu: number): void {
    const port = `${sw}p${this.nextPort++}`;
    vethPair(ns, dev, this.underlay, port, { mtu });
    this.underlay.ip('link', 'set', port, 'master', sw);
  }

  /** A hypervisor host with one uplink per address (`up0`, `up1`, ...) on the given switches. */
  addHost(name: string, uplinks: { sw: string; addr: string; mtu?: number }[]): Netns {
    const ns = Netns.create(`${this.tag}-${name}`);
    this.ns.set(name, ns);
    uplinks.forEach((u, i) => {
      this.plug(u.sw, ns, `up${i}`, u.mtu ?? 1550);
      ns.ip('addr', 'add', u.addr, 'dev', `up${i}`);
    });
    return ns;
  }

  /** A router namespace with one leg per switch; proxy ARP optional. */
  addRouter(name: string, legs: { sw: string; addr: string }[], proxyArp = false): Netns {
    const ns = Netns.create(`${this.tag}-${name}`);
    this.ns.set(name, ns);
    ns.exec('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    legs.forEach((l, i) => {
      this.plug(l.sw, ns, `rt${i}`, 1550);
      ns.ip('addr', 'add', l.addr, 'dev', `rt${i}`);
      if (proxyArp) ns.exec('sysctl', ['-qw', `net.ipv4.conf.rt${i}.proxy_arp=1`]);
    });
    return ns;
  }

  /**
   * The kernel's own vxlan on a host, as an interop peer: `vx0` (VNI `vni`, unicast with an
   * all-zeros FDB entry per remote) bridged with the host's VM port `vnet0`.
   */
  addKernelVtep(host: string, o: { local: string; vni: number; remotes: string[]; mtu?: number }): void {
    const k = this.netns(host);
    // With a lower `dev`, the kernel caps the vxlan MTU at the lower device's minus 50.
    k.ip('link', 'add', 'vx0', 'type', 'vxlan', 'id', String(o.vni), 'local', o.local, 'dstport', '4789', ...(o.mtu ? [] : ['dev', 'up0']));
    if (o.mtu) k.ip('link', 'set', 'vx0', 'mtu', String(o.mtu));
    k.ip('link', 'add', 'br0', 'type', 'bridge');
    for (const d of ['vx0', 'vnet0', 'br0']) k.ip('link', 'set', d, 'up');
    for (const d of ['vx0', 'vnet0']) k.ip('link', 'set', d, 'master', 'br0');
    for (const dst of o.remotes) k.exec('bridge', ['fdb', 'append', '00:00:00:00:00:00', 'dev', 'vx0', 'dst', dst]);
  }

  /** A VM: its own namespace, `eth0` with MAC and address, `port` on the host's side. */
  addVm(name: string, host: string, port: string, mac: string, addr: string, mtu = 1500): Netns {
    const ns = Netns.create(`${this.tag}-${name}`);
    this.ns.set(name, ns);
    // No IPv6 in VMs: router solicitations and MLD reports would refresh MAC entries and add
    // frames to the exact copy counts.
    ns.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    vethPair(this.netns(host), port, ns, 'eth0', { mtu });
    ns.ip('link', 'set', 'eth0', 'address', mac);
    ns.ip('addr', 'add', addr, 'dev', 'eth0');
    // The host side of a VM port carries no IP stack of its own.
    this.netns(host).exec('sysctl', ['-qw', `net.ipv6.conf.${port}.disable_ipv6=1`]);
    return ns;
  }

  /** Starts `vxvem vem` inside the host; resolves once it has applied its configuration. */
  async startAgent(host: string, config: unknown, env: NodeJS.ProcessEnv = {}): Promise<Agent> {
    const configPath = join(this.dir, `${host}.json`);
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const instance = `${this.tag}-${host}`.replace(/[^A-Za-z0-9_-]/g, '-');
    return this.spawnAgent(host, instance, configPath, env);
  }

  async spawnAgent(host: string, instance: string, configPath: string, env: NodeJS.ProcessEnv = {}): Promise<Agent> {
    return this.spawnVem(host, instance, ['--config', configPath], configPath, env);
  }

  /** A VEM that follows a VSM: `vem --vsm ADDR --host HOST --vtep up0:ADDR/LEN[@GW] [ARGS]`. */
  async startVsmAgent(host: string, vsm: string, vteps: string[], o: { metrics?: string; args?: string[] } = {}): Promise<Agent> {
    const instance = `${this.tag}-${host}`.replace(/[^A-Za-z0-9_-]/g, '-');
    return this.spawnVem(host, instance, ['--vsm', vsm, '--host', host, ...vteps.flatMap((v) => ['--vtep', v]), ...(o.args ?? [])], '', {}, o.metrics);
  }

  /**
   * Without `metrics` the agent runs inside the host (nsenter) with its default metrics address
   * there; with it, the agent starts in this namespace, binds `metrics` here, then enters the
   * host with --netns (so that a scraper outside the hosts reaches it).
   */
  private async spawnVem(host: string, instance: string, args: string[], configPath: string, env: NodeJS.ProcessEnv = {}, metrics?: string): Promise<Agent> {
    const argv = ['--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts'), 'vem', ...args, '--instance', instance];
    const proc = metrics
      ? spawn('node', [...argv, '--netns', this.netns(host).name, '--metrics', metrics], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
      : this.netns(host).spawn('node', argv, env);
    const agent: Agent = { host, instance, configPath, proc, log: [] };
    this.agents.set(host, agent);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`agent on ${host} did not start:\n${agent.log.join('')}`)), 20_000);
      const onData = (d: Buffer): void => {
        agent.log.push(d.toString());
        if (d.toString().includes('running from')) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stderr!.on('data', onData);
      proc.stdout!.on('data', (d: Buffer) => agent.log.push(d.toString()));
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`agent on ${host} exited ${code}:\n${agent.log.join('')}`));
      });
    });
    proc.removeAllListeners('exit');
    return agent;
  }

  /** `vxvem` CLI inside a host (operator commands against its pinned maps). */
  cli(host: string, args: string[]): string {
    return this.netns(host).exec('node', ['--import', 'tsx', join(REPO, 'src', 'cli', 'main.ts'), ...args]);
  }

  async stopAgent(host: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const a = this.agents.get(host);
    if (!a || a.proc.exitCode !== null || a.proc.signalCode !== null) return;
    const done = new Promise<void>((r) => a.proc.once('exit', () => r()));
    a.proc.kill(signal);
    await done;
  }

  async destroy(): Promise<void> {
    for (const host of this.agents.keys()) await this.stopAgent(host, 'SIGKILL').catch(() => undefined);
    for (const a of this.agents.values()) {
      Dataplane.removePins(a.instance);
      rmSync(vemStateDir(a.instance), { recursive: true, force: true }); // what a VSM-mode agent remembers
    }
    for (const ns of this.ns.values()) ns.delete();
    this.underlay.delete();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
