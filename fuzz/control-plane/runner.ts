// The control-plane fuzzer's loop against a real `vxvem vsm` process (test/helpers/vsm-process.ts)
// with its Neutron API on: each seeded message goes to the admin or VEM service (raw gRPC) or to
// Neutron (HTTP), then the VSM must still answer, a refusal must be a clear error, a message
// malformed by construction must be refused, and a refusal must leave the state's revision as it was.
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, VemClient } from '../../proto/clients.js';
import { freePort } from '../../test/helpers/free-port.js';
import { VsmProcess } from '../../test/helpers/vsm-process.js';
import { Findings, Histogram } from '../findings.js';
import { Rng } from '../rng.js';
import { grpcMessage } from './grpc-gen.js';
import { RawClient, type CallOutcome } from './grpc-raw.js';
import { httpMessage } from './http-gen.js';
import type { Known, Msg } from './messages.js';

export interface ControlPlaneFuzzOptions {
  messages: number;
  seed: number;
  log?: (line: string) => void;
}

export interface ControlPlaneFuzzResult {
  seed: number;
  seconds: number;
  sent: number;
  /** Answers by kind: `grpc CODE` and `http STATUS`. */
  answers: Histogram;
  /** Messages malformed by construction, and how many of them were refused. */
  malformed: number;
  refused: number;
  restarts: number;
  findings: Findings;
}

/** Codes that say what was wrong with a request. */
const CLEAR = new Set([
  grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND, grpc.status.ALREADY_EXISTS, grpc.status.FAILED_PRECONDITION,
  grpc.status.RESOURCE_EXHAUSTED, grpc.status.OUT_OF_RANGE, grpc.status.UNIMPLEMENTED,
]);

interface Answer {
  accepted: boolean;
  /** What is wrong with the answer itself (not clear, a server error, no answer). */
  problem?: string;
  label: string;
  body?: unknown;
}

export async function fuzzControlPlane(o: ControlPlaneFuzzOptions): Promise<ControlPlaneFuzzResult> {
  const dir = mkdtempSync(join(tmpdir(), 'vxvem-fuzz-cp-'));
  const token = `fuzz-${o.seed}`;
  writeFileSync(join(dir, 'token'), token);
  const port = await freePort();
  const addr = `unix:${join(dir, 'vsm.sock')}`;
  const args = ['--listen', addr, '--data', join(dir, 'data'), '--metrics', 'off', '--neutron', `127.0.0.1:${port}`, '--neutron-token-file', join(dir, 'token')];
  const run = new Run(o, addr, port, token, args);
  try {
    return await run.go();
  } finally {
    await run.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

class Run {
  private readonly vsm = new VsmProcess();
  private raw!: RawClient;
  private admin!: AdminClient;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly findings = new Findings();
  private readonly answers = new Histogram();
  private known!: Known;
  private restarts = 0;
  private malformed = 0;
  private refused = 0;

  constructor(private readonly o: ControlPlaneFuzzOptions, private readonly addr: string, private readonly port: number,
    private readonly token: string, private readonly args: string[]) {}

  async go(): Promise<ControlPlaneFuzzResult> {
    const start = Date.now();
    await this.start();
    this.known = await this.baseline();
    let revision = await this.revision();
    for (let i = 0; i < this.o.messages; i++) {
      const rng = new Rng(this.o.seed, 100, i);
      const msg = rng.chance(0.6) ? grpcMessage(rng, this.known, i) : httpMessage(rng, this.known, this.token, i);
      const a = msg.grpc ? await this.sendGrpc(msg) : await this.sendHttp(msg);
      this.answers.add(a.label);
      const after = await this.revision().catch(() => undefined);
      if (after === undefined) {
        this.report(msg, i, `the VSM stopped answering (${this.vsm.pid ? 'process exited or hung' : 'no process'}); its log ends: ${this.vsm.log.slice(-400)}`);
        await this.restart();
        revision = await this.revision();
        continue;
      }
      this.judge(msg, i, a, revision, after);
      if (a.accepted && msg.refuse === false) msg.record?.(this.known, a.body);
      revision = after;
      if (i % 500 === 499) this.o.log?.(`message ${i + 1}/${this.o.messages}: ${this.findings.total} finding(s)`);
    }
    return {
      seed: this.o.seed, seconds: (Date.now() - start) / 1000, sent: this.o.messages, answers: this.answers,
      malformed: this.malformed, refused: this.refused, restarts: this.restarts, findings: this.findings,
    };
  }

  private judge(msg: Msg, i: number, a: Answer, before: number, after: number): void {
    if (a.problem) this.report(msg, i, a.problem);
    if (msg.refuse) {
      this.malformed++;
      if (a.accepted) this.report(msg, i, `accepted (${a.label}), though malformed, oversized or out of order`);
      else this.refused++;
    }
    if (!a.accepted && after !== before) this.report(msg, i, `refused (${a.label}), yet the revision moved from ${before} to ${after}`);
    if (a.accepted && msg.changes === true && after <= before) this.report(msg, i, `a change accepted (${a.label}) without a new revision (${before})`);
    if (a.accepted && msg.changes === false && after !== before) this.report(msg, i, `a read accepted (${a.label}) moved the revision from ${before} to ${after}`);
  }

  private async sendGrpc(msg: Msg): Promise<Answer> {
    const g = msg.grpc!;
    const r: CallOutcome = await this.raw.call(g.service, g.method, g.bytes, 10_000, 2000);
    const label = `grpc ${grpc.status[r.code] ?? r.code}${r.streamed ? ' (streamed)' : ''}`;
    if (r.code === grpc.status.OK || r.streamed) return { accepted: true, label };
    if (r.code === grpc.status.CANCELLED) return { accepted: false, label, problem: 'a watch sent nothing before it was cancelled' };
    // grpc-js answers bytes that do not decode with INTERNAL "Error deserializing request": its own, and clear.
    const clear = (CLEAR.has(r.code) || (r.code === grpc.status.INTERNAL && /^Error deserializing/.test(r.details))) && r.details.trim() !== '';
    return { accepted: false, label, ...(clear ? {} : { problem: `refused without a clear error: ${grpc.status[r.code]} ${JSON.stringify(r.details.slice(0, 300))}` }) };
  }

  private sendHttp(msg: Msg): Promise<Answer> {
    const h = msg.http!;
    return new Promise((resolve) => {
      const r = request({ host: '127.0.0.1', port: this.port, method: h.method, path: h.path, headers: h.headers, agent: this.agent, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          const err = (body as { NeutronError?: { type?: unknown; message?: unknown } } | undefined)?.NeutronError;
          const problems: string[] = [];
          if (!res.headers['x-openstack-request-id']) problems.push('no X-Openstack-Request-Id');
          if (status >= 500) problems.push(`a server error ${status}: ${text.slice(0, 300)}`);
          else if (status >= 400 && (typeof err?.type !== 'string' || typeof err.message !== 'string' || !err.message)) problems.push(`a ${status} without a NeutronError body: ${text.slice(0, 200)}`);
          resolve({ accepted: status < 300, label: `http ${status}`, body, ...(problems.length ? { problem: problems.join('; ') } : {}) });
        });
      });
      r.on('timeout', () => r.destroy(new Error('no answer in 10 s')));
      r.on('error', (e) => resolve({ accepted: false, label: `http error ${(e as NodeJS.ErrnoException).code ?? e.message}`, problem: `no HTTP answer: ${e.message}` }));
      r.end(h.body);
    });
  }

  private async revision(): Promise<number> {
    const s = await this.admin.clusterStatus();
    return Number(s.replicas[0]?.revision ?? NaN);
  }

  private async start(): Promise<void> {
    await this.vsm.start(this.args);
    this.raw = new RawClient(this.addr);
    this.admin = new AdminClient(this.addr);
  }

  private async restart(): Promise<void> {
    this.restarts++;
    this.raw.close();
    this.admin.close();
    await this.vsm.stop('SIGKILL');
    await this.start();
  }

  /** What the messages aim at: a busy network (a subnet and a port on it), two hosts, a policy; the same through Neutron. */
  private async baseline(): Promise<Known> {
    const vem = new VemClient(this.addr);
    try {
      const vtep = (address: string) => [{ interface: 'up0', address, prefixLength: 24, gateway: '' }];
      await vem.register({ host: 'h-fuzz', vteps: vtep('192.0.2.11'), uplinkMtu: 1550, version: 'fuzz' });
      await vem.register({ host: 'h-other', vteps: vtep('192.0.2.12'), uplinkMtu: 1550, version: 'fuzz' });
    } finally {
      vem.close();
    }
    await this.admin.createNetwork({ name: 'fz-net', vni: 5000, mode: 'unicast' });
    await this.admin.createSubnet({ name: 'fz-sub', network: 'fz-net', cidr: '198.51.100.0/24' });
    await this.admin.createPolicy({ name: 'fz-pol', portSecurity: true, stormPps: 100 });
    await this.admin.createPort({ name: 'fz-port', network: 'fz-net', host: 'h-fuzz', mac: '02:00:00:00:00:01', policy: 'fz-pol' });
    const post = async (path: string, body: object): Promise<{ id: string; mac_address?: string }> => {
      const b = Buffer.from(JSON.stringify(body));
      const a = await this.sendHttp({ label: 'baseline', refuse: false, http: { method: 'POST', path, headers: { 'x-auth-token': this.token, 'content-type': 'application/json', 'content-length': String(b.length) }, body: b } });
      const made = Object.values(a.body as Record<string, { id: string; mac_address?: string }>)[0];
      if (!a.accepted || !made) throw new Error(`baseline ${path}: ${a.label} ${JSON.stringify(a.body)}`);
      return made;
    };
    const net = (await post('/v2.0/networks', { network: { name: 'fz-neutron', 'provider:segmentation_id': 6000 } })).id;
    const sub = (await post('/v2.0/subnets', { subnet: { network_id: net, cidr: '203.0.113.0/24' } })).id;
    const prt = await post('/v2.0/ports', { port: { network_id: net, 'binding:host_id': 'h-fuzz' } });
    return {
      networks: ['fz-net'], subnets: ['fz-sub'], policies: ['default', 'fz-pol'], ports: ['fz-port'], hosts: ['h-fuzz', 'h-other'],
      neutron: { networks: [net], subnets: [sub], ports: [prt.id] },
      busy: { network: 'fz-net', vni: 5000, mac: '02:00:00:00:00:01', host: 'h-fuzz', vtep: '192.0.2.11', otherHostVtep: '192.0.2.12', neutronMac: prt.mac_address! },
    };
  }

  private report(msg: Msg, index: number, problem: string): void {
    const bytes = msg.grpc?.bytes ?? msg.http?.body;
    this.findings.add({
      target: msg.grpc ? `${msg.grpc.service}.${msg.grpc.method}` : `neutron ${msg.http!.method} ${msg.http!.path.replace(/[0-9a-f-]{36}/g, 'ID').slice(0, 60)}`,
      rule: `${msg.label}: ${problem.replace(/\d+/g, 'N').slice(0, 160)}`, detail: problem, seed: this.o.seed, index,
      ...(bytes ? { hex: bytes.length > 2048 ? `${bytes.subarray(0, 2048).toString('hex')}` : bytes.toString('hex') } : {}),
      replay: `npm run fuzz -- --only control-plane --seed ${this.o.seed} --messages ${index + 1}`,
    });
  }

  async close(): Promise<void> {
    this.raw?.close();
    this.admin?.close();
    this.agent.destroy();
    await this.vsm.stop('SIGTERM');
  }
}
