// The admin service's lists in pages, so that no reply nears gRPC's 4 MiB limit (100,000 ports
// are about 10 MB). The first page takes the whole list at one revision and keeps it under a
// cursor; the next pages are read from it, so a listing is consistent even while the state
// changes, and a page can be asked again. A listing unused for a minute is forgotten, as is
// the oldest beyond 32; a list that fits one page is not kept at all.
import { randomBytes } from 'node:crypto';
import type { PageMsg, PageReply } from '../../proto/index.js';
import { VsmError } from './objects.js';

/** Bytes of a page, estimated by its items' JSON (longer than their protobuf encoding). */
export const PAGE_BYTES = 1024 * 1024;
const IDLE_MS = 60_000;
const MAX_OPEN = 32;

interface Listing {
  items: readonly unknown[];
  usedMs: number;
}

export class Pager {
  private readonly open = new Map<string, Listing>();

  /** The page `req` asks for; `all` is called for a first page only. */
  page<T>(req: Partial<PageMsg>, all: () => readonly T[]): PageReply<T> {
    this.expire();
    let token: string;
    let from: number;
    let items: readonly T[];
    if (req.cursor) {
      const m = /^([0-9a-f]{16}):(\d+)$/.exec(req.cursor);
      const listing = m ? this.open.get(m[1]!) : undefined;
      if (!m || !listing) throw new VsmError('invalid', `list cursor ${JSON.stringify(req.cursor.slice(0, 40))} is unknown or expired (a listing must go on within a minute): list again`);
      [token, from, items] = [m[1]!, Number(m[2]), listing.items as readonly T[]];
      this.open.delete(token); // re-inserted below as the most recent
    } else {
      [token, from, items] = [randomBytes(8).toString('hex'), 0, all()];
    }
    const limit = req.limit || Infinity;
    const out: T[] = [];
    let bytes = 0;
    for (let i = from; i < items.length && out.length < limit; i++) {
      bytes += JSON.stringify(items[i]).length;
      if (out.length && bytes > PAGE_BYTES) break;
      out.push(items[i]!);
    }
    const end = from + out.length;
    if (from === 0 && end >= items.length) return { items: out, next: '' };
    this.open.set(token, { items, usedMs: Date.now() });
    if (this.open.size > MAX_OPEN) this.open.delete(this.open.keys().next().value!);
    return { items: out, next: end >= items.length ? '' : `${token}:${end}` };
  }

  private expire(): void {
    const now = Date.now();
    for (const [token, l] of this.open) if (now - l.usedMs > IDLE_MS) this.open.delete(token);
  }
}
