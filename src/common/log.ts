// Line-oriented logging to stderr, in one of two formats (`--log-format`, see setLogFormat):
//   text  `2026-01-01T12:00:00.000Z warn vsm: message`
//   json  `{"time":"2026-01-01T12:00:00.000Z","level":"warn","component":"vsm","msg":"message"}`
// Under systemd's journal (stderr is the stream JOURNAL_STREAM names) each line starts with its
// sd-daemon priority (`<4>`), which journald takes as the entry's priority, and text lines carry
// no time (journald stamps each entry itself).
// VXVEM_LOG=debug|info|warn|error: the least level written (default info; debug adds the
// dataplane's learn and move events).
import { fstatSync } from 'node:fs';

export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];
export const LOG_FORMATS = ['text', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** sd-daemon(3) priorities: err, warning, info, debug. */
const PRIORITY: Record<Level, number> = { debug: 7, info: 6, warn: 4, error: 3 };

let format: LogFormat = 'text';

/** The format of every logger's lines from now on (`--log-format`). */
export function setLogFormat(f: LogFormat): void {
  format = f;
}

/** Whether `fd` is the journal's stream: JOURNAL_STREAM holds its `DEVICE:INODE` (systemd.exec(5)). */
export function isJournalStream(env: NodeJS.ProcessEnv = process.env, fd = 2): boolean {
  const m = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (!m) return false;
  try {
    const st = fstatSync(fd, { bigint: true });
    return st.dev === BigInt(m[1]!) && st.ino === BigInt(m[2]!);
  } catch {
    return false;
  }
}

let journal: boolean | undefined;

export interface LineFormat {
  format: LogFormat;
  journal: boolean;
}

/** One entry as written: a line, or under the journal one line per line of `msg`, each with the priority. */
export function formatEntry(f: LineFormat, level: Level, component: string, msg: string, time = new Date()): string {
  const prefix = f.journal ? `<${PRIORITY[level]}>` : '';
  if (f.format === 'json') return `${prefix}${JSON.stringify({ time: time.toISOString(), level, component, msg })}\n`;
  const head = f.journal ? `${component}: ` : `${time.toISOString()} ${level} ${component}: `;
  return msg.split('\n').map((l, i) => `${prefix}${i ? '  ' : head}${l}\n`).join('');
}

/** The least level of VXVEM_LOG; an unknown value is info, and `warn` hears of it once. */
function minimum(value: string | undefined, warn: (msg: string) => void): number {
  if (value === undefined || value === '') return 1;
  const i = LEVELS.indexOf(value as Level);
  if (i >= 0) return i;
  warn(`VXVEM_LOG=${value} is not a level (${LEVELS.join(', ')}): logging from info`);
  return 1;
}

export function stderrLogger(component: string, level = process.env.VXVEM_LOG): Logger {
  const write = (l: Level, msg: string): void => {
    journal ??= isJournalStream();
    process.stderr.write(formatEntry({ format, journal }, l, component, msg));
  };
  const min = minimum(level, (msg) => write('warn', msg));
  const line = (l: number) => (msg: string): void => {
    if (l >= min) write(LEVELS[l]!, msg);
  };
  return { debug: line(0), info: line(1), warn: line(2), error: line(3) };
}

/**
 * What the VSM's parts log through: a function for info lines that may also have the other
 * levels (a plain function logs everything at its one level).
 */
export type LineLog = ((line: string) => void) & Partial<Logger>;

/** A LineLog with every level, over `l`. */
export function lineLog(l: Logger): LineLog & Logger {
  return Object.assign((line: string) => l.info(line), { debug: l.debug, info: l.info, warn: l.warn, error: l.error });
}

/** Logs `line` at `level` if `log` has levels; at its one level otherwise. */
export function logAt(log: LineLog, level: Level, line: string): void {
  (log[level] ?? log)(line);
}
