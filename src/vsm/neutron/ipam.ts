// IPv4 address management for Neutron subnets: default gateway and allocation pools, and the
// first free address of a subnet's pools for a port.
import { formatIpv4, parseCidr, parseIpv4 } from '../../common/address.js';
import { badRequest } from './errors.js';

export interface Pool { start: string; end: string }

/** First and last address of a CIDR, as 32-bit values. */
export function cidrRange(cidr: string): { base: number; last: number } {
  const c = parseCidr(cidr);
  return { base: c.network, last: c.network + 2 ** (32 - c.prefixLength) - 1 };
}

/** Neutron's defaults: the gateway is the first host; the pool is every host but the gateway. */
export function defaultGateway(cidr: string): string {
  return formatIpv4(cidrRange(cidr).base + 1);
}

export function defaultPools(cidr: string, gateway: string | null): Pool[] {
  const { base, last } = cidrRange(cidr);
  const first = base + 1;
  const end = last - 1;
  if (end < first) return [];
  const g = gateway ? parseIpv4(gateway) : -1;
  const pools: Pool[] = [];
  if (g > first) pools.push({ start: formatIpv4(first), end: formatIpv4(Math.min(g - 1, end)) });
  if (g < end) pools.push({ start: formatIpv4(Math.max(g + 1, first)), end: formatIpv4(end) });
  return pools;
}

/** gateway_ip as given: an IPv4 address (or none); anything else is the client's error, before any pool is computed from it. */
export function checkGateway(gateway: string | null): void {
  if (!gateway) return;
  try {
    parseIpv4(gateway);
  } catch {
    throw badRequest(`Invalid input for gateway_ip. Reason: '${gateway}' is not a valid IP address.`, 'InvalidInput');
  }
}

/** Pools as given: inside the CIDR, start <= end, not overlapping, not holding the gateway. */
export function checkPools(cidr: string, gateway: string | null, raw: unknown[]): Pool[] {
  const { base, last } = cidrRange(cidr);
  const pools = raw.map((p) => {
    const x = p as { start?: unknown; end?: unknown };
    if (typeof x !== 'object' || x === null || typeof x.start !== 'string' || typeof x.end !== 'string') throw badRequest('Invalid input for allocation_pools: each pool needs "start" and "end".', 'InvalidInput');
    let s: number;
    let e: number;
    try {
      s = parseIpv4(x.start);
      e = parseIpv4(x.end);
    } catch {
      throw badRequest(`Invalid input for allocation_pools: ${x.start}-${x.end} is not an IPv4 range.`, 'InvalidInput');
    }
    if (s > e || s <= base || e >= last) throw badRequest(`The allocation pool ${x.start}-${x.end} spans beyond the subnet cidr ${cidr}.`, 'OutOfBoundsAllocationPool');
    return { s, e, start: x.start, end: x.end };
  }).sort((a, b) => a.s - b.s);
  for (let i = 1; i < pools.length; i++) {
    if (pools[i]!.s <= pools[i - 1]!.e) throw badRequest(`Found overlapping allocation pools: ${pools[i - 1]!.start}-${pools[i - 1]!.end} and ${pools[i]!.start}-${pools[i]!.end}.`, 'OverlappingAllocationPools');
  }
  if (gateway) {
    const g = parseIpv4(gateway);
    const hit = pools.find((p) => g >= p.s && g <= p.e);
    if (hit) throw badRequest(`Gateway ip ${gateway} conflicts with allocation pool ${hit.start}-${hit.end}.`, 'GatewayConflictWithAllocationPools');
  }
  return pools.map(({ start, end }) => ({ start, end }));
}

export function inPools(pools: Pool[], ip: string): boolean {
  const v = parseIpv4(ip);
  return pools.some((p) => v >= parseIpv4(p.start) && v <= parseIpv4(p.end));
}

/** The lowest address of the pools not in `used`; undefined when the pools are exhausted. */
export function firstFree(pools: Pool[], used: Set<string>): string | undefined {
  for (const p of pools) {
    for (let v = parseIpv4(p.start); v <= parseIpv4(p.end); v++) {
      const ip = formatIpv4(v);
      if (!used.has(ip)) return ip;
    }
  }
  return undefined;
}
