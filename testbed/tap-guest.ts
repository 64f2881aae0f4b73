// A stand-in for a virtio-net guest on a tap port: a namespace with a real IP stack whose
// frames reach the host's tap through test/fixtures/tapguest.py, with their virtio-net header
// (as QEMU writes them), so that checksum-partial and GSO frames arrive as a guest's would.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Netns, vethPair } from './netns.js';

const TAPGUEST = join(import.meta.dirname, '..', 'test', 'fixtures', 'tapguest.py');

export interface TapGuest {
  ns: Netns;
  relay: ChildProcess;
  /** What the relay printed (for failure messages). */
  out: string[];
}

/**
 * Namespace `name` with eth0 (MAC `mac`, no address) behind tap `tap` of `host`, up and relayed.
 * `preCreate`: the tap exists before the guest opens it (Nova, libvirt); otherwise the guest's
 * process creates it (QEMU with script=no). Kill `relay` and delete `ns` when done.
 */
export async function startTapGuest(host: Netns, name: string, tap: string, mac: string, preCreate: boolean): Promise<TapGuest> {
  const ns = Netns.create(name);
  const relayDev = `g${tap.slice(-10)}`;
  ns.exec('sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  vethPair(ns, 'eth0', host, relayDev);
  host.exec('sysctl', ['-qw', `net.ipv6.conf.${relayDev}.disable_ipv6=1`]);
  ns.ip('link', 'set', 'eth0', 'address', mac);
  if (preCreate) host.ip('tuntap', 'add', 'dev', tap, 'mode', 'tap', 'vnet_hdr');
  const relay = host.spawn('/usr/bin/python3', [TAPGUEST, tap, relayDev]);
  const out: string[] = [];
  relay.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
  relay.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
  await new Promise<void>((resolve, reject) => {
    relay.stdout!.once('data', () => resolve());
    relay.once('exit', (code) => reject(new Error(`tapguest ${tap} exited ${code}: ${out.join('')}`)));
  });
  relay.removeAllListeners('exit');
  host.ip('link', 'set', tap, 'up');
  host.exec('sysctl', ['-qw', `net.ipv6.conf.${tap}.disable_ipv6=1`]);
  return { ns, relay, out };
}
