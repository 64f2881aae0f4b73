// The dataplane fuzzer's loop: one frame per program per round, each run through
// BPF_PROG_TEST_RUN and judged by its program's oracle. The drop and traffic counters are read
// after every frame; the keys a frame may have changed (its source's MAC entry, its port's
// state, the sender's next hop) after every frame that may have changed them; every map,
// against the state accounted for, every `checkEvery` rounds. A change nobody accounts for is
// traced to its frame by putting the last full snapshot back and running the frames since,
// one at a time, reading every map after each.
import { BpfError, native } from '../../native/index.js';
import { parseIpv4 } from '../../src/common/address.js';
import { dropLabel } from '../../src/maps/drop-reasons.js';
import { EventType, MacKind } from '../../src/maps/layout.js';
import { PacketFixture, skbCtx } from '../../testbed/packet-fixture.js';
import { Findings, Histogram } from '../findings.js';
import { TC_ACT_SHOT, type Frame, type Program, type Run } from './judge.js';
import { openFuzzDataplane, openTunnelWrapper } from './loader.js';
import { makeFrame } from './make.js';
import { judgePort } from './oracle-port.js';
import { judgeTunnel, judgeUplink, judgeXdp } from './oracle-uplink.js';
import { Scenario } from './scenario.js';
import { COUNTED, MapState, WATCHED, type Snapshot, type Watched } from './state.js';

export interface DataplaneFuzzOptions {
  /** Frames per program. */
  frames: number;
  seed: number;
  programs: Program[];
  /** Rounds between full checks of every map. */
  checkEvery?: number;
  /** Rounds between resets of the learned state (the MAC table is also reset when it passes 400 entries). */
  resetEvery?: number;
  /** Rounds between changes of configuration (scenario.ts has three). */
  configEvery?: number;
  log?: (line: string) => void;
}

export interface ProgramStats {
  frames: number;
  /** Test runs the kernel refused (not counted as frames). */
  refused: number;
  seconds: number;
  verdicts: Histogram;
  drops: Histogram;
}

export interface DataplaneFuzzResult {
  seed: number;
  seconds: number;
  stats: Record<Program, ProgramStats>;
  findings: Findings;
}

const VERDICTS: Record<Program, Record<number, string>> = {
  from_port: { 0: 'TC_ACT_OK', 2: 'TC_ACT_SHOT', 7: 'TC_ACT_REDIRECT' },
  from_uplink: { 0: 'TC_ACT_OK', 2: 'TC_ACT_SHOT', 7: 'TC_ACT_REDIRECT' },
  from_tunnel: { 0: 'TC_ACT_OK', 2: 'TC_ACT_SHOT', 7: 'TC_ACT_REDIRECT' },
  xdp_uplink: { 1: 'XDP_DROP', 2: 'XDP_PASS', 4: 'XDP_REDIRECT' },
};

const JUDGES = { from_port: judgePort, from_uplink: judgeUplink, xdp_uplink: judgeXdp, from_tunnel: judgeTunnel };

export async function fuzzDataplane(o: DataplaneFuzzOptions): Promise<DataplaneFuzzResult> {
  const fx = new PacketFixture('fz', openFuzzDataplane);
  let wrapper: ReturnType<typeof openTunnelWrapper> | undefined;
  try {
    wrapper = openTunnelWrapper(fx.dp.progFd('from-tunnel', 'from_tunnel'));
    return await new Runner(fx, wrapper.progFd, o).run();
  } finally {
    wrapper?.close();
    fx.close();
  }
}

class Runner {
  private readonly sc: Scenario;
  private readonly state: MapState;
  private readonly fds: Record<Program, number>;
  private readonly findings = new Findings();
  private readonly stats = {} as Record<Program, ProgramStats>;
  /** The next frame index of each program's stream. */
  private readonly next = {} as Record<Program, number>;
  /** Frames since the last full check, and the state of every map at it. */
  private window: Frame[] = [];
  private anchor: Snapshot = {};

  constructor(private readonly fx: PacketFixture, tunnelFd: number, private readonly o: DataplaneFuzzOptions) {
    this.sc = new Scenario(fx);
    this.sc.apply();
    this.state = new MapState(this.sc, fx.dp.maps);
    this.fds = {
      from_port: fx.dp.progFd('from-port', 'from_port'), from_uplink: fx.dp.progFd('from-uplink', 'from_uplink'),
      xdp_uplink: fx.dp.progFd('xdp-uplink', 'xdp_uplink'), from_tunnel: tunnelFd,
    };
    for (const p of o.programs) {
      this.stats[p] = { frames: 0, refused: 0, seconds: 0, verdicts: new Histogram(), drops: new Histogram() };
      this.next[p] = 0;
    }
  }

  async run(): Promise<DataplaneFuzzResult> {
    const { frames, checkEvery = 2000, resetEvery = 5000, configEvery = 20000 } = this.o;
    const start = process.hrtime.bigint();
    this.rebase();
    for (let round = 0; round < frames; round++) {
      if (round && round % configEvery === 0) {
        this.fullCheck();
        this.sc.setConfig(round / configEvery);
        this.rebase();
      }
      if ((round && round % resetEvery === 0) || this.state.macCount > 400) {
        this.fullCheck();
        this.sc.resetLearned();
        this.rebase();
      }
      // A frame the kernel refuses to run (an IPv4 EtherType shorter than an IPv4 header, say) is not counted: the next one is made.
      for (const p of this.o.programs) while (!this.step(makeFrame(this.sc, this.o.seed, p, this.next[p]++)));
      if (round % checkEvery === checkEvery - 1) this.fullCheck();
      if (round % 500 === 499) {
        await new Promise((r) => setImmediate(r)); // the ring buffer's events reach JS between rounds
        await this.checkEvents(round);
        if (round % 50000 === 49999) this.o.log?.(`round ${round + 1}/${frames}: ${this.findings.total} finding(s)`);
      }
    }
    this.fullCheck();
    await new Promise((r) => setTimeout(r, 50));
    await this.checkEvents(frames);
    return { seed: this.o.seed, seconds: Number(process.hrtime.bigint() - start) / 1e9, stats: this.stats, findings: this.findings };
  }

  /** The state as it is, accounted for: the new anchor of replays. */
  private rebase(): void {
    this.anchor = this.state.read(WATCHED);
    this.state.accept(this.anchor);
    this.window = [];
  }

  private testRun(f: Frame): { retval: number; data: Buffer } | undefined {
    const n = native();
    try {
      if (f.program === 'xdp_uplink') return n.progTestRun(this.fds.xdp_uplink, { data: f.data, dataSizeOut: f.data.length + 512 });
      const ctx = skbCtx(f.ifindex, f.gsoSize ? { gsoSize: f.gsoSize } : undefined);
      if (f.key) {
        ctx.writeUInt32LE(f.key.remote, 48);
        ctx.writeUInt32LE(f.key.local, 52);
        ctx.writeUInt32LE(f.key.vni, 56);
        ctx.writeUInt32LE(0x40 << 8, 60); // outer TTL 64, TOS 0
        ctx.writeUInt32LE(f.key.flags, 64);
      }
      return n.progTestRun(this.fds[f.program], { data: f.data, ctx, dataSizeOut: f.data.length + 512 });
    } catch (e) {
      if (e instanceof BpfError && (e.code === 'EINVAL' || e.code === 'ENOSPC')) return undefined;
      throw e;
    }
  }

  /** Runs and judges one frame; false when the kernel refused to run it. */
  private step(f: Frame): boolean {
    const t0 = process.hrtime.bigint();
    const st = this.stats[f.program];
    const res = this.testRun(f);
    if (!res) {
      st.refused++;
      return false;
    }
    this.window.push(f);
    const now = this.state.read(COUNTED);
    const run: Run = { verdict: res.retval, out: res.data, ...this.state.deltas(now) };
    this.state.accept(now);
    const j = JUDGES[f.program](this.state, f, run);
    st.frames++;
    const flooded = res.retval === TC_ACT_SHOT && !run.drops.length && f.program !== 'xdp_uplink';
    st.verdicts.add(`${VERDICTS[f.program][res.retval] ?? `verdict ${res.retval}`}${flooded ? ' (flooded by clones)' : ''}`);
    for (const d of run.drops) st.drops.add(`${d.vni}/${dropLabel(d.reason)}`, Number(d.n));
    for (const p of j.problems) this.report(f, p);
    for (const [map, key] of j.touched) {
      const c = this.state.lookup(map as Watched, key);
      const p = c && j.judgeChange(map, c);
      if (p) this.report(f, p);
    }
    st.seconds += Number(process.hrtime.bigint() - t0) / 1e9;
    return true;
  }

  /** Every map against the state accounted for: what changed unaccounted is traced to its frame. */
  private fullCheck(): void {
    const now = this.state.read(WATCHED);
    const unexplained = this.state.changes(now).filter(([n, c]) => n !== 'vx_events_lost' || !c.before || !c.after || c.after.readBigUInt64LE(0) < c.before.readBigUInt64LE(0));
    if (unexplained.length) this.trace(unexplained.map(([n, c]) => `${n} key ${c.key.toString('hex')}: ${c.before?.toString('hex') ?? 'absent'} -> ${c.after?.toString('hex') ?? 'absent'}`).join('; '));
    this.rebase();
  }

  /** Puts the anchor back and runs the window's frames again one by one, reading every map after each. */
  private trace(seen: string): void {
    const frames = this.window;
    this.state.restore(this.anchor);
    for (const f of frames) {
      const res = this.testRun(f);
      if (!res) continue;
      const counted = this.state.read(COUNTED);
      const run: Run = { verdict: res.retval, out: res.data, ...this.state.deltas(counted) };
      this.state.accept(counted);
      const j = JUDGES[f.program](this.state, f, run);
      const now = this.state.read(WATCHED.filter((n) => !COUNTED.includes(n)));
      const problems = this.state.changes(now).map(([n, c]) => j.judgeChange(n, c)).filter((p): p is string => p !== undefined);
      this.state.accept(now);
      if (problems.length) {
        for (const p of problems) this.report(f, `${p} (found replaying from the last full check)`);
        return;
      }
    }
    const last = frames.at(-1);
    this.findings.add({
      target: last?.program ?? 'dataplane', rule: 'a map changed and no frame replayed alone changes it', detail: seen.slice(0, 2000),
      seed: this.o.seed, index: last?.index ?? 0, replay: this.replay(last?.index ?? 0),
    });
  }

  /** Learn and move events name only local ports of the VNI, or remote VTEPs the VNI trusts. */
  private async checkEvents(round: number): Promise<void> {
    for (const e of await this.fx.takeEvents(0, 0)) {
      let bad: string | undefined;
      if (e.type === EventType.NeighMiss) bad = e.ifindex === this.sc.uplink ? undefined : `next-hop miss on ifindex ${e.ifindex}`;
      else if (e.kind === MacKind.Local) bad = this.sc.ports.get(e.ifindex)?.vni === e.vni ? undefined : `local learn of ${e.mac} on ifindex ${e.ifindex}, not a port of VNI ${e.vni}`;
      else bad = this.sc.trust(e.vni, parseIpv4(e.vtep)) !== 'unknown' ? undefined : `remote learn of ${e.mac} from ${e.vtep}, a VTEP VNI ${e.vni} does not trust`;
      if (bad) this.findings.add({ target: 'events', rule: 'an event the rules do not allow', detail: bad, seed: this.o.seed, index: round, replay: this.replay(round) });
    }
  }

  private report(f: Frame, problem: string): void {
    this.findings.add({
      target: f.program, rule: problem.replace(/\d+/g, 'N').slice(0, 140), detail: `${problem}; frame: ${f.label}, ifindex ${f.ifindex}${f.key ? `, key ${JSON.stringify(f.key)}` : ''}${f.gsoSize ? `, gso_size ${f.gsoSize}` : ''}`,
      seed: this.o.seed, index: f.index, hex: f.data.toString('hex'), replay: this.replay(f.index),
    });
  }

  private replay(index: number): string {
    const all = this.o.programs.length === 4 ? '' : ` --program ${this.o.programs.join(',')}`;
    return `npm run fuzz -- --only dataplane --seed ${this.o.seed} --frames ${index + 1}${all}`;
  }
}
