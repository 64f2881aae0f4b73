// What the dataplane's `show` commands read: the pinned maps of an instance, the names of the
// interfaces they hold (found on first use: iface-names.ts), and the command's flags.
import { openPinnedMaps } from '../maps/dataplane.js';
import type { DataplaneMaps } from '../maps/tables.js';
import { flagString, type Parsed } from './args.js';
import { interfaceNames, type InterfaceNames } from './iface-names.js';
import type { Row } from './table.js';

export interface Dataplane {
  maps: DataplaneMaps;
  readonly names: InterfaceNames;
  p: Parsed;
}

export interface ViewResult {
  rows: Row[];
  /** A line after the table (not in --json): how many, or where to look next. */
  footer?: string;
  /** With --count: what is printed instead of the rows. */
  count?: Record<string, number>;
}

export type DataplaneView = (d: Dataplane) => ViewResult;

/** A warning on stderr, in the CLI's own voice. */
export const warnLine = (line: string): void => void process.stderr.write(`vxvem: warning: ${line}\n`);

/** The pinned maps of `--instance` (default `default`), to close after use. */
export function openDataplane(p: Parsed): Dataplane & { close(): void } {
  const pinned = openPinnedMaps(flagString(p, 'instance') ?? 'default');
  let names: InterfaceNames | undefined;
  return {
    maps: pinned.maps,
    p,
    get names() {
      names ??= interfaceNames(pinned.maps, flagString(p, 'netns'), warnLine);
      return names;
    },
    close: pinned.close,
  };
}

/** Runs `f` on the pinned maps of `--instance`, closed after. */
export function withDataplane<T>(p: Parsed, f: (d: Dataplane) => T): T {
  const d = openDataplane(p);
  try {
    return f(d);
  } finally {
    d.close();
  }
}
