// Neutron's list queries: `?name=a&name=b` keeps objects whose field is one of the values,
// `fixed_ips=ip_address=A` (also subnet_id, ip_address_substr) keeps ports holding such an
// allocation, `fields=` selects attributes. Paging parameters are accepted and ignored (no paging).
import { badRequest } from './errors.js';

type View = Record<string, unknown>;

const PAGING = new Set(['fields', 'limit', 'marker', 'sort_key', 'sort_dir', 'page_reverse', 'verbose']);
const FIXED_IP_KEYS = ['ip_address', 'subnet_id', 'ip_address_substr'] as const;
type FixedIpKey = (typeof FIXED_IP_KEYS)[number];

/** `fixed_ips=KEY=VALUE` parameters grouped by key; 400 for anything else, as Neutron answers. */
function fixedIpFilter(values: string[]): Record<FixedIpKey, string[]> {
  const out: Record<FixedIpKey, string[]> = { ip_address: [], subnet_id: [], ip_address_substr: [] };
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = v.slice(0, eq) as FixedIpKey;
    if (eq < 0) throw badRequest(`Invalid input for fixed_ips. Reason: '${v}' is not of the form <key>=[value].`, 'InvalidInput');
    if (!FIXED_IP_KEYS.includes(key)) throw badRequest(`Invalid input for fixed_ips. Reason: '${key}' is not one of ${FIXED_IP_KEYS.join(', ')}.`, 'InvalidInput');
    out[key].push(v.slice(eq + 1));
  }
  return out;
}

/**
 * As Neutron's query over a port's IP allocations: one allocation must satisfy every key given
 * (its address among the ip_address values, its subnet among the subnet_id values, its address
 * containing one of the substrings).
 */
function holdsFixedIp(o: View, f: Record<FixedIpKey, string[]>): boolean {
  const ips = Array.isArray(o.fixed_ips) ? (o.fixed_ips as { ip_address?: unknown; subnet_id?: unknown }[]) : [];
  return ips.some((a) => {
    const ip = String(a.ip_address);
    return (!f.ip_address.length || f.ip_address.includes(ip))
      && (!f.subnet_id.length || f.subnet_id.includes(String(a.subnet_id)))
      && (!f.ip_address_substr.length || f.ip_address_substr.some((s) => ip.includes(s)));
  });
}

/** A query value as the attribute's text: booleans also as 1/0 (Neutron converts them). */
function asText(v: unknown, want: string): string {
  const w = want.toLowerCase();
  if (typeof v === 'boolean') return w === '1' ? 'true' : w === '0' ? 'false' : w;
  return w;
}

/**
 * The items the query keeps, with only the `fields=` asked for (all when none). `hidden` gives
 * attributes an item is filtered on but does not show (a subnet's `shared` is its network's).
 */
export function applyQuery(items: View[], q: URLSearchParams, hidden: (o: View) => View = () => ({})): View[] {
  const keys = [...new Set(q.keys())].filter((k) => !PAGING.has(k));
  const fixed = keys.includes('fixed_ips') ? fixedIpFilter(q.getAll('fixed_ips')) : undefined;
  let out = items.filter((o) => keys.every((k) => {
    if (k === 'fixed_ips') return holdsFixedIp(o, fixed!);
    const v = k in o ? o[k] : hidden(o)[k];
    if (v !== null && typeof v === 'object') return true; // not a scalar: not filtered (as documented)
    return q.getAll(k).some((w) => asText(v, w) === String(v).toLowerCase());
  }));
  const fields = q.getAll('fields');
  if (fields.length) out = out.map((o) => Object.fromEntries(fields.filter((f) => f in o).map((f) => [f, o[f]])));
  return out;
}
