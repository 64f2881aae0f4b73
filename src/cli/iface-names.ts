// Interface names for the ifindexes in a VEM instance's maps. Those are ifindexes of the network
// namespace the agent drives: this one, the one given with --netns, or else the named namespace
// that holds the instance's uplinks (the ifindex and MAC of each of its VTEPs). The links are
// read with `ip -n`: this process stays where it is (the demo runs `show` in its own process).
import { readdirSync } from 'node:fs';
import { ipJson } from '../common/exec.js';
import type { DataplaneMaps } from '../maps/tables.js';

export interface Link {
  name: string;
  ifindex: number;
  mac: string;
  up: boolean;
}

/** How `ip` names an ifindex it cannot name (`veth0@if7`). */
const unnamed = (ifindex: number): string => `if${ifindex}`;

/** The links of a named network namespace (undefined: this process's own). */
export function linksIn(netns?: string): Link[] {
  const rows = ipJson<{ ifname: string; ifindex: number; address?: string; flags?: string[] }[]>(...(netns === undefined ? [] : ['-n', netns]), 'link', 'show');
  return rows.map((r) => ({ name: r.ifname, ifindex: r.ifindex, mac: (r.address ?? '').toLowerCase(), up: (r.flags ?? []).includes('UP') }));
}

export class InterfaceNames {
  private readonly byIndex: Map<number, Link>;

  /**
   * @param netns the named namespace the links are from (undefined: this process's own)
   * @param known whether the links are the agent's (false: none found; every name is ifN)
   */
  constructor(links: Link[], readonly netns: string | undefined, readonly known: boolean) {
    this.byIndex = new Map(links.map((l) => [l.ifindex, l]));
  }

  link(ifindex: number): Link | undefined {
    return this.known ? this.byIndex.get(ifindex) : undefined;
  }

  /** An interface of the agent's by name. */
  byName(name: string): Link | undefined {
    if (!this.known) return undefined;
    for (const l of this.byIndex.values()) if (l.name === name) return l;
    return undefined;
  }

  name(ifindex: number): string {
    return this.link(ifindex)?.name ?? unnamed(ifindex);
  }

  /**
   * The ifindex of an interface given by name, by ifindex, or by the id of the OpenStack port
   * plugged into it (Nova names a port's tap `tap` + the first 11 characters of its id).
   */
  ifindex(ref: string): number | undefined {
    if (/^\d+$/.test(ref)) return Number(ref);
    const m = /^if(\d+)$/.exec(ref);
    if (m && !this.known) return Number(m[1]);
    return this.byName(/^[0-9a-f]{8}-[0-9a-f]{4}-/.test(ref) ? `tap${ref.slice(0, 11)}` : ref)?.ifindex;
  }
}

type Uplink = Pick<Link, 'ifindex' | 'mac'>;

function uplinksOf(maps: DataplaneMaps): Uplink[] {
  return [...maps.vteps.entries()].filter(([slot, v]) => slot > 0 && v.addr !== '0.0.0.0').map(([, v]) => ({ ifindex: v.ifindex, mac: v.mac }));
}

const holds = (links: Uplink[], want: Uplink[]): boolean => want.every((w) => links.some((l) => l.ifindex === w.ifindex && l.mac === w.mac));

function tryLinksIn(netns: string): Link[] {
  try {
    return linksIn(netns);
  } catch {
    return []; // gone meanwhile, or not a network namespace
  }
}

function namedNetns(): string[] {
  try {
    return readdirSync('/run/netns').sort();
  } catch {
    return [];
  }
}

/**
 * The names of `maps`' interfaces: those of `netns` when given; otherwise of this namespace or
 * else of the named one that holds the uplinks. `warn` hears when none does (names are `ifN`).
 */
export function interfaceNames(maps: DataplaneMaps, netns: string | undefined, warn: (line: string) => void): InterfaceNames {
  if (netns !== undefined) return new InterfaceNames(linksIn(netns), netns, true);
  const want = uplinksOf(maps);
  const here = linksIn();
  if (holds(here, want)) return new InterfaceNames(here, undefined, true);
  for (const n of namedNetns()) {
    const links = tryLinksIn(n);
    if (holds(links, want)) return new InterfaceNames(links, n, true);
  }
  warn('the uplinks of this instance are neither in this network namespace nor in a named one: interfaces are shown by ifindex (ifN); --netns NAME names the namespace');
  return new InterfaceNames(here, undefined, false);
}
