// `vxvem show macs [--vni N] [--mac M] [--port P] [--count]`: the MAC table, filtered, with how
// many entries matched out of how many there are (a table holds up to 262,144 by default).
import { parseMac } from '../common/address.js';
import { VNI_MAX } from '../common/vxlan.js';
import { MAC_F_STATIC, MacKind, type MacEntry, type MacKey } from '../maps/layout.js';
import type { DataplaneMaps } from '../maps/tables.js';
import { UsageError, flagInt, flagString } from './args.js';
import type { DataplaneView } from './dataplane-view.js';
import type { Row } from './table.js';

export interface MacRow extends Row {
  vni: number;
  mac: string;
  kind: 'local' | 'remote';
  static: boolean;
  /** The port of a local entry, by name. */
  port: string | null;
  /** The VTEP of a remote entry. */
  vtep: string | null;
  /** Since the dataplane last saw the MAC; null for static entries (they do not age). */
  ageSeconds: number | null;
}

/** Every entry of the MAC table (learned and static). */
function* macEntries(m: DataplaneMaps): Generator<[MacKey, MacEntry]> {
  yield* m.macs.entries();
  yield* m.staticMacs.entries();
}

export const macsView: DataplaneView = (d) => {
  const vni = flagInt(d.p, 'vni', 1, VNI_MAX);
  const macFlag = flagString(d.p, 'mac')?.toLowerCase();
  if (macFlag !== undefined) parseMac(macFlag);
  const portFlag = flagString(d.p, 'port');
  const ifindex = portFlag === undefined ? undefined : d.names.ifindex(portFlag);
  if (portFlag !== undefined && ifindex === undefined) throw new UsageError(`--port ${portFlag}: no such interface${d.names.netns ? ` in network namespace ${d.names.netns}` : ''}`);
  const now = process.hrtime.bigint(); // the programs stamp entries with the same monotonic clock
  const rows: MacRow[] = [];
  let total = 0;
  for (const [k, e] of macEntries(d.maps)) {
    total++;
    const local = e.kind === MacKind.Local;
    if ((vni !== undefined && k.vni !== vni) || (macFlag !== undefined && k.mac !== macFlag) || (ifindex !== undefined && (!local || e.ifindex !== ifindex))) continue;
    const fixed = (e.flags & MAC_F_STATIC) !== 0;
    rows.push({
      vni: k.vni, mac: k.mac, kind: local ? 'local' : 'remote', static: fixed,
      port: local ? d.names.name(e.ifindex) : null,
      vtep: local ? null : e.vtep,
      ageSeconds: fixed ? null : Number((now - e.lastSeenNs) / 1_000_000_000n),
    });
  }
  rows.sort((a, b) => a.vni - b.vni || a.mac.localeCompare(b.mac));
  const filtered = vni !== undefined || macFlag !== undefined || ifindex !== undefined;
  const footer = `${rows.length} entr${rows.length === 1 ? 'y' : 'ies'}${filtered ? ` of ${total} in the MAC table` : ''}`;
  if (d.p.flags.get('count')) return { rows: [], count: { entries: rows.length, total }, footer };
  return { rows, footer };
};
