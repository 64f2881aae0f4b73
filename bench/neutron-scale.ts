// Neutron northbound at scale: N ports created through the REST API (one request at a time, as
// Nova does per VM) against a VSM followed by H simulated VEMs (gRPC watch streams). Reports the
// latency per POST (p50/p99) and the time from the POST to the port being in its VEM's view
// (the moment the VEM would program it), p50/p99.
//
//   npx tsx bench/neutron-scale.ts [ports hosts networks]    (default 10000 100 50)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VemClient } from '../proto/clients.js';
import type { HostUpdate } from '../proto/index.js';
import { registerHost } from '../src/vsm/rules.js';
import { NeutronApi } from '../src/vsm/neutron/http.js';
import { VsmServer } from '../src/vsm/server.js';
import { FileStore } from '../src/vsm/store.js';
import { writeResults } from './lib.js';

const [N, H, NETS] = (process.argv.slice(2).length ? process.argv.slice(2) : ['10000', '100', '50']).map(Number) as [number, number, number];
const dir = mkdtempSync(join(tmpdir(), 'vxvem-neutron-scale-'));
const pct = (xs: number[], p: number): number => +[...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!.toFixed(2);

async function post(base: string, path: string, body: unknown): Promise<Record<string, Record<string, unknown>>> {
  const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as Record<string, Record<string, unknown>>;
}

async function main(): Promise<void> {
  const vsm = new VsmServer(new FileStore(join(dir, 'data')));
  const addr = `unix:${join(dir, 'vsm.sock')}`;
  await vsm.listen(addr);
  vsm.commit.change((s) => {
    for (let h = 0; h < H; h++) registerHost(s, { name: `h${h}`, vteps: [{ address: `192.0.${2 + (h >> 8)}.${1 + (h & 255)}`, prefixLength: 24, interface: 'up0' }] });
  });
  const api = new NeutronApi(vsm.commit);
  const server = await api.listen('127.0.0.1', 0);
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  // The VEMs: when did each interface first appear in its host's view?
  const seen = new Map<string, number>();
  const clients = Array.from({ length: H }, (_, h) => {
    const c = new VemClient(addr);
    c.watch(`h${h}`, '0', (u: HostUpdate) => {
      const t = performance.now();
      for (const p of u.snapshot?.ports ?? u.delta?.upsertPorts ?? []) if (!seen.has(p.interface)) seen.set(p.interface, t);
    }, () => undefined);
    return c;
  });
  await new Promise((r) => setTimeout(r, 500));

  const nets: string[] = [];
  for (let i = 0; i < NETS; i++) {
    const n = await post(base, '/v2.0/networks', { network: { name: `net${i}` } });
    const id = n.network!.id as string;
    await post(base, '/v2.0/subnets', { subnet: { network_id: id, cidr: i % 2 ? '198.51.100.0/24' : '192.0.2.0/24', ip_version: 4 } });
    nets.push(id);
  }
  const perNet = Math.ceil(N / NETS);
  if (perNet > 253) throw new Error(`${perNet} ports per /24 network: use more networks`);

  const postMs: number[] = [];
  const toView: number[] = [];
  const pending: { iface: string; start: number }[] = [];
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const start = performance.now();
    const r = await post(base, '/v2.0/ports', { port: { network_id: nets[i % NETS], 'binding:host_id': `h${(i * 7) % H}`, name: `vm${i}` } });
    postMs.push(performance.now() - start);
    pending.push({ iface: `tap${(r.port!.id as string).slice(0, 11)}`, start });
  }
  const totalS = (performance.now() - t0) / 1000;
  const end = performance.now() + 30_000;
  while (pending.some((p) => !seen.has(p.iface)) && performance.now() < end) await new Promise((r) => setTimeout(r, 10));
  for (const p of pending) {
    const t = seen.get(p.iface);
    if (t === undefined) throw new Error(`port ${p.iface} never reached its VEM`);
    toView.push(t - p.start);
  }
  const result = {
    ports: N, hosts: H, networks: NETS, seconds: +totalS.toFixed(1), postsPerSecond: Math.round(N / totalS),
    postP50Ms: pct(postMs, 0.5), postP99Ms: pct(postMs, 0.99), postToVemP50Ms: pct(toView, 0.5), postToVemP99Ms: pct(toView, 0.99),
  };
  console.log(JSON.stringify(result, null, 2));
  writeResults('neutron-scale', result, `# Neutron northbound at scale\n\n| ports | hosts (VEMs) | networks | POST p50 | POST p99 | POST -> VEM view p50 | p99 | ports/s |\n|---|---|---|---|---|---|---|---|\n| ${N} | ${H} | ${NETS} | ${result.postP50Ms} ms | ${result.postP99Ms} ms | ${result.postToVemP50Ms} ms | ${result.postToVemP99Ms} ms | ${result.postsPerSecond} |\n`);
  for (const c of clients) c.close();
  api.close();
  await vsm.close();
}

main().finally(() => rmSync(dir, { recursive: true, force: true }));
