// The lab's daemons (VSM, VEM agents, smcroute, QEMU guests): started detached with their output in log
// files, found again by pid or, after a crash lost the state, by their command lines.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { LAB_INSTANCE_PREFIX, LAB_PREFIX } from './plan.js';

export class LabStartError extends Error {}

/** argv that runs this same vxvem (compiled or through tsx) with other arguments. */
export function selfCommand(args: string[]): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1]!, ...args];
}

export function startDaemon(argv: string[], logPath: string): number {
  const fd = openSync(logPath, 'a');
  try {
    const p = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', fd, fd] });
    p.unref();
    if (p.pid === undefined) throw new LabStartError(`could not start ${argv[0]}`);
    return p.pid;
  } finally {
    closeSync(fd);
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the log contains `needle`; fails with the log's tail if the process exits first. */
export async function waitForLog(pid: number, logPath: string, needle: string, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const log = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
    if (log.includes(needle)) return;
    const tail = log.trim().split('\n').slice(-8).join('\n');
    if (!alive(pid)) throw new LabStartError(`${what} exited:\n${tail}`);
    if (Date.now() > end) throw new LabStartError(`${what} not ready after ${ms / 1000} s:\n${tail}`);
    await sleep(100);
  }
}

/** Pids of lab daemons by command line: VEMs of lab instances, the lab VSM, the lab smcroute, lab guests' QEMUs. */
export function findLabProcesses(stateDir: string): number[] {
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    const qemu = cmd.startsWith('qemu-system') && cmd.includes(` -name ${LAB_PREFIX}-`);
    if (cmd.includes(`--instance ${LAB_INSTANCE_PREFIX}`) || cmd.includes(`--data ${stateDir}/`) || (cmd.includes('smcrouted') && cmd.includes(`-i ${LAB_PREFIX}`)) || qemu) {
      pids.push(Number(d));
    }
  }
  return pids;
}

/** SIGTERM, up to `ms` for them to go, then SIGKILL; returns how many were running. */
export async function stopAll(pids: number[], ms = 8000): Promise<number> {
  const running = pids.filter(alive);
  for (const pid of running) process.kill(pid, 'SIGTERM');
  const end = Date.now() + ms;
  while (running.some(alive) && Date.now() < end) await sleep(100);
  for (const pid of running.filter(alive)) process.kill(pid, 'SIGKILL');
  return running.length;
}
