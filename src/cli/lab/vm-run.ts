// Commands in a lab VM, whatever it is: a namespace (nsenter), or a QEMU guest (its console).
// The demo pings and measures through this, so the same checks run on either kind of VM.
import { spawnSync } from 'node:child_process';
import { withConsole } from './console.js';
import type { LabVm } from './plan.js';

export interface VmRun {
  status: number;
  stdout: string;
}

/** The shell command line `cmd` in `vm`; `consoles` maps the guests' names to their console sockets. */
export async function runInVm(vm: LabVm, consoles: Record<string, string>, cmd: string, timeoutMs = 60_000): Promise<VmRun> {
  const sock = consoles[vm.name];
  if (sock) {
    const r = await withConsole(sock, (c) => c.run(cmd, timeoutMs));
    return { status: r.status, stdout: r.output };
  }
  const r = spawnSync('nsenter', [`--net=/run/netns/${vm.netns}`, 'sh', '-c', cmd], { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status ?? 1, stdout: r.stdout ?? '' };
}

/**
 * TCP from a guest (busybox has no iperf3): `megabytes` of zeros through busybox nc to a listener
 * that counts them; the rate is the bytes counted over the sender's wall time, which ends once
 * the receiver has closed (so everything arrived).
 */
export async function guestTcp(from: LabVm, to: LabVm, consoles: Record<string, string>, megabytes: number): Promise<{ bytes: number; seconds: number }> {
  const port = 5201;
  const rx = `/tmp/rx.${port}`;
  // The listener's input is a sleep that outlives the transfer: busybox nc closes when its input ends.
  await runInVm(to, consoles, `rm -f ${rx}; (sleep 90 | nc -l -p ${port} | wc -c >${rx}) >/dev/null 2>&1 &`);
  for (let i = 0; i < 50; i++) {
    if ((await runInVm(to, consoles, `netstat -ltn | grep -q :${port}`)).status === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const t0 = process.hrtime.bigint();
  const sent = await runInVm(from, consoles, `dd if=/dev/zero bs=65536 count=${megabytes * 16} 2>/dev/null | timeout 60 nc ${to.address} ${port}`, 70_000);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sent.status !== 0) return { bytes: 0, seconds };
  for (let i = 0; i < 50; i++) {
    const got = await runInVm(to, consoles, `[ -s ${rx} ] && cat ${rx}`);
    if (got.status === 0) return { bytes: Number(got.stdout.trim()), seconds };
    await new Promise((r) => setTimeout(r, 200));
  }
  return { bytes: 0, seconds };
}
