// The dataplane's events, from the vx_events ring buffer, decoded: MAC learns and moves, and
// next hops the programs could not resolve (the agent resolves them and fills vx_neigh).
import { native, type RingBufferHandle } from '../../native/index.js';
import { EventType, macEventCodec } from './layout.js';
import type { DataplaneMaps } from './tables.js';

export interface MacLearnEvent {
  type: 'learn' | 'move';
  vni: number;
  mac: string;
  /** The local port the MAC is now behind, or 0 when it is behind a remote VTEP. */
  ifindex: number;
  /** The remote VTEP, or '' when the MAC is local. */
  vtep: string;
}

export interface NeighMissEvent {
  type: 'neigh-miss';
  /** The uplink the frame was to leave by. */
  ifindex: number;
  /** The next hop (remote VTEP or gateway) with no MAC in vx_neigh yet. */
  nextHop: string;
}

export type DataplaneEvent = MacLearnEvent | NeighMissEvent;

export interface EventSubscription {
  /** Stops delivery; events already read are delivered first. */
  close(): void;
}

/** Decodes one ring buffer record; undefined for a record too short or of an unknown type. */
export function decodeEvent(rec: Buffer): DataplaneEvent | undefined {
  if (rec.length < macEventCodec.size) return undefined;
  const ev = macEventCodec.decode(rec);
  switch (ev.type) {
    case EventType.NeighMiss:
      return { type: 'neigh-miss', ifindex: ev.ifindex, nextHop: ev.vtep };
    case EventType.Learn:
    case EventType.Move:
      return { type: ev.type === EventType.Move ? 'move' : 'learn', vni: ev.vni, mac: ev.mac, ifindex: ev.ifindex, vtep: ev.ifindex ? '' : ev.vtep };
    default:
      return undefined;
  }
}

/** Delivers the dataplane's events to `on` (from a poll thread, through the event loop). */
export function subscribeEvents(maps: DataplaneMaps, on: (ev: DataplaneEvent) => void): EventSubscription {
  const ring: RingBufferHandle = native().ringBuffer(maps.eventsFd, (rec) => {
    const ev = decodeEvent(rec);
    if (ev) on(ev);
  });
  return ring;
}
