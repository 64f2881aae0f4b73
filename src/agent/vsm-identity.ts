// What a VEM that follows a VSM remembers of it, so that one wrong VSM (an empty or mistyped
// --data) cannot wipe the fabric: the identity of the store it follows, the revision it applied
// last and the segments and ports that view gave it. A view from another store, or an older
// revision of its own, that would remove any of them is refused (the dataplane keeps
// forwarding) until an operator adopts it. The rules are in docs/ha.md, "Identity and bounds".
//
// The record lives in VEM_STATE_ROOT/<instance>/ (bpffs holds only BPF objects), and holds only
// while the instance's pins do: a VEM without pinned state has nothing to lose, so a record
// left behind by a reboot or a cleanup is forgotten at start.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { HostView } from '../../proto/index.js';
import { instancePinDir } from '../maps/paths.js';

export const VEM_STATE_ROOT = '/var/lib/vxvem/vem';
const RECORD = 'vsm-identity.json';
/** Made by `vxvem vem adopt`: the next view, from whatever store, is applied and its identity remembered. */
const ADOPT = 'adopt';

/** The directory of an instance's record (the name is checked as a pin directory's is). */
export function vemStateDir(instance: string): string {
  instancePinDir(instance);
  return join(VEM_STATE_ROOT, instance);
}

export interface Remembered {
  /** The store followed ('' for a VSM from before identities). */
  vsmId: string;
  revision: number;
  segments: number[];
  ports: string[];
}

export type Verdict =
  | { apply: true; why: 'first view' | 'same store' | 'adopted' | 'removes nothing' }
  | { apply: false; why: 'another store' | 'older revision'; segments: number[]; ports: string[] };

/**
 * Whether a VEM that has applied `had` applies `view` of store `vsmId`. A newer (or the same)
 * revision of the same store always; anything when nothing is remembered or when adopting;
 * otherwise (another store, an older revision) only a view that removes none of its segments
 * (by VNI) and ports (by interface).
 */
export function judge(had: Remembered | undefined, view: HostView, vsmId: string, adopt: boolean): Verdict {
  if (adopt) return { apply: true, why: 'adopted' };
  if (!had) return { apply: true, why: 'first view' };
  if (had.vsmId === vsmId && Number(view.revision) >= had.revision) return { apply: true, why: 'same store' };
  const vnis = new Set(view.segments.map((s) => s.vni));
  const ifs = new Set(view.ports.map((p) => p.interface));
  const segments = had.segments.filter((v) => !vnis.has(v));
  const ports = had.ports.filter((i) => !ifs.has(i));
  if (!segments.length && !ports.length) return { apply: true, why: 'removes nothing' };
  return { apply: false, why: had.vsmId === vsmId ? 'older revision' : 'another store', segments, ports };
}

const listed = (what: string, xs: (string | number)[]): string =>
  xs.length ? `${what} ${xs.slice(0, 8).join(', ')}${xs.length > 8 ? ` and ${xs.length - 8} more` : ''}` : '';

/** The error a refusal is logged with: both stores, what would go, how to adopt. */
export function refusalMessage(had: Remembered, view: HostView, vsmId: string, v: Extract<Verdict, { apply: false }>, instance: string): string {
  const loss = [listed('segment(s)', v.segments), listed('port(s)', v.ports)].filter(Boolean).join(' and ');
  const theirs = `VSM store ${vsmId || '(no identity)'} revision ${view.revision}`;
  const ours = `store ${had.vsmId || '(no identity)'} revision ${had.revision}`;
  const head = v.why === 'another store'
    ? `refusing the view of ${theirs}: this host follows ${ours}, and the view would remove ${loss}`
    : `refusing ${theirs}: this host applied ${ours}, and the older view would remove ${loss}`;
  return `${head}; the dataplane keeps forwarding what it has. If that VSM is the one to follow now: vxvem vem adopt --instance ${instance} (or restart with --adopt)`;
}

function readRecord(file: string): Remembered {
  const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<Remembered>;
  if (typeof v.vsmId !== 'string' || !Number.isSafeInteger(v.revision) || !Array.isArray(v.segments) || !Array.isArray(v.ports)) throw new Error('not a VSM identity record');
  return { vsmId: v.vsmId, revision: v.revision!, segments: v.segments.map(Number), ports: v.ports.map(String) };
}

/** Replaces `file` with `text` whole (write, fsync, rename): a crash leaves the old record or the new one. */
function replaceFile(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** An instance's record and adopt request, read at start and written after each applied view. */
export class IdentityRecord {
  private readonly file: string;
  private readonly marker: string;
  remembered?: Remembered;

  /** `pinned`: whether the instance has a pinned dataplane (without one, a record left behind is forgotten). */
  constructor(readonly instance: string, pinned: boolean, private readonly log: { info(m: string): void; error(m: string): void }, private adoptNext = false) {
    const dir = vemStateDir(instance);
    this.file = join(dir, RECORD);
    this.marker = join(dir, ADOPT);
    if (!existsSync(this.file)) return;
    try {
      const r = readRecord(this.file);
      if (pinned) this.remembered = r;
      else {
        log.info(`no pinned dataplane: forgetting the VSM store ${r.vsmId || '(no identity)'} this instance followed (nothing to keep)`);
        rmSync(this.file, { force: true });
      }
    } catch (e) {
      // An unreadable record guards nothing; say so rather than refuse every VSM.
      log.error(`${this.file} cannot be read (${(e as Error).message}): the next view is taken as a first one`);
    }
  }

  /** Whether the next view is to be applied whatever its store (--adopt, or `vxvem vem adopt` since). */
  get adopting(): boolean {
    return this.adoptNext || existsSync(this.marker);
  }

  judge(view: HostView, vsmId: string): Verdict {
    return judge(this.remembered, view, vsmId, this.adopting);
  }

  /** Remembers `view` of store `vsmId` as applied; an adopt request is fulfilled by it. */
  applied(view: HostView, vsmId: string): void {
    this.remembered = { vsmId, revision: Number(view.revision), segments: view.segments.map((s) => s.vni), ports: view.ports.map((p) => p.interface) };
    this.adoptNext = false;
    try {
      mkdirSync(join(this.file, '..'), { recursive: true });
      replaceFile(this.file, `${JSON.stringify(this.remembered)}\n`);
      rmSync(this.marker, { force: true });
    } catch (e) {
      this.log.error(`cannot write ${this.file} (${(e as Error).message}): a restart will not know the VSM store this host follows`);
    }
  }

  /** The instance is gone (cleanup): nothing to remember. */
  forget(): void {
    rmSync(join(this.file, '..'), { recursive: true, force: true });
  }
}

/** `vxvem vem adopt --instance NAME`: the instance's next view, from whatever store, is applied and its store remembered. */
export function requestAdopt(instance: string): string {
  const dir = vemStateDir(instance);
  mkdirSync(dir, { recursive: true });
  replaceFile(join(dir, ADOPT), `${new Date().toISOString()}\n`);
  return join(dir, ADOPT);
}

/** Whether an instance has pinned state (a dataplane that may be forwarding). */
export function hasPins(instance: string): boolean {
  const dir = instancePinDir(instance);
  return existsSync(dir) && readdirSync(dir).length > 0;
}
