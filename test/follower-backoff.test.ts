// The VEM's reconnect backoff has jitter: each wait is the backoff and up to half as much again,
// drawn anew, so that VEMs that lost the same VSM do not retry in step.
import { describe, expect, it } from 'vitest';
import { jittered } from '../src/agent/vsm-follower.js';

describe('reconnect backoff', () => {
  it('waits from the backoff to half as much again', () => {
    expect(jittered(1000, () => 0)).toBe(1000);
    expect(jittered(1000, () => 0.5)).toBe(1250);
    expect(jittered(1000, () => 0.999)).toBeCloseTo(1499.5);
  });

  it('spreads the waits of many VEMs over the round', () => {
    const waits = Array.from({ length: 1000 }, () => jittered(8000));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(8000);
    expect(Math.max(...waits)).toBeLessThan(12000);
    // Ten bins of 400 ms: each gets some of the thousand waits (all in one would mean no jitter).
    const bins = new Set(waits.map((w) => Math.floor((w - 8000) / 400)));
    expect(bins.size).toBe(10);
  });
});
