// Frame `index` of a program's stream under a seed: the same frame on every run, made again
// from (seed, program, index) alone.
import { Rng } from '../rng.js';
import { randomFrame, tunnelKey, uplinkOther, vmFrame, vxlanToUs, type Made } from './frames.js';
import { PROGRAMS, type Frame, type Program } from './judge.js';
import { mutate } from './mutate.js';
import type { Scenario } from './scenario.js';

/** Half valid frames, a third of them broken, some of the program's other traffic, some random bytes. */
const MIX = [[50, 0], [30, 1], [8, 2], [4, 3], [8, 4]] as const;

function pickMade(rng: Rng, valid: () => Made, other: (() => Made) | undefined, uplinkMac: string): Made {
  switch (rng.weighted(MIX)) {
    case 0: return valid();
    case 1: return mutate(rng, valid());
    case 2: return (other ?? valid)();
    case 3: return mutate(rng, (other ?? valid)());
    default: return randomFrame(rng, uplinkMac);
  }
}

export function makeFrame(sc: Scenario, seed: number, program: Program, index: number): Frame {
  const rng = new Rng(seed, PROGRAMS.indexOf(program), index);
  const { uplinkMac } = sc;
  if (program === 'from_port') {
    const ports = [...sc.ports.values()];
    const secure = ports.find((p) => p.secure)!.ifindex;
    const where = rng.weighted([[35, 0], [45, 1], [10, 2]]);
    const ifindex = where === 0 ? secure : where === 1 ? rng.pick(ports.filter((p) => !p.secure)).ifindex : rng.pick(sc.notPorts);
    const m = pickMade(rng, () => vmFrame(rng), undefined, uplinkMac);
    return { program, index, data: m.data, ifindex, label: m.label, ...(rng.chance(0.03) ? { gsoSize: rng.int(200, 1500) } : {}) };
  }
  if (program === 'from_tunnel') {
    const m = pickMade(rng, () => vmFrame(rng), undefined, uplinkMac);
    return { program, index, data: m.data, ifindex: sc.uplink, label: m.label, key: tunnelKey(rng) };
  }
  const m = pickMade(rng, () => vxlanToUs(rng, uplinkMac), () => uplinkOther(rng, uplinkMac), uplinkMac);
  return { program, index, data: m.data, ifindex: sc.uplink, label: m.label };
}
