// One VEM's watch stream, as the VSM holds it: the view it has been sent, updates stamped with
// the store's identity and written in parts when the VEM joins parts, and a bound on what the
// VEM may leave unread (a VEM that stops reading is dropped, not buffered without end).
import type * as grpc from '@grpc/grpc-js';
import { splitUpdate, updateWeight } from '../../proto/chunks.js';
import type { HostUpdate, WatchRequest } from '../../proto/index.js';
import { endNow } from './stream-bounds.js';
import type { ViewParts } from './views.js';

/** Entries a stream may hold unread (written, not yet taken by HTTP/2), or twice its snapshot if more. */
export const QUEUE_BOUND = 250_000;

export class WatchStream {
  /** The view this stream has been sent: deltas are computed from it. */
  view?: ViewParts;
  /** Entries written and not yet taken by HTTP/2 (the VEM's flow-control window is full). */
  private queued = 0;
  private bound = QUEUE_BOUND;

  constructor(readonly call: grpc.ServerWritableStream<WatchRequest, HostUpdate>, private readonly vsmId: string) {}

  /** Unread entries past the bound: the stream is to be dropped rather than written. */
  get overBound(): { queued: number; bound: number } | undefined {
    return this.queued > this.bound ? { queued: this.queued, bound: this.bound } : undefined;
  }

  /** Writes `u`, the update that brings this stream to `view`. */
  send(u: HostUpdate, view: ViewParts): void {
    const whole = { ...u, vsmId: this.vsmId };
    if (u.snapshot) this.bound = Math.max(QUEUE_BOUND, 2 * updateWeight(whole));
    for (const part of this.call.request.chunked ? splitUpdate(whole) : [whole]) {
      const w = updateWeight(part);
      this.queued += w;
      this.call.write(part, () => (this.queued -= w));
    }
    this.view = view;
  }

  /** Ends the stream after what it has queued (the VSM stops). */
  end(): void {
    this.call.end();
  }

  /** Ends the stream now with a status, dropping what it has queued. */
  close(code: grpc.status, details: string): void {
    endNow(this.call, code, details);
  }
}
