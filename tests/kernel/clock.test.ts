import { describe, expect, it } from 'vitest';
import { createClock } from '../../src/kernel/clock.js';

describe('createClock', () => {
  it('starts at OPSBOT_NOW and runs on with real time', () => {
    let t = 1000;
    const clock = createClock(new Date('2026-11-24T01:00:00Z'), () => t);
    expect(clock.now().toISOString()).toBe('2026-11-24T01:00:00.000Z');
    t += 90_000;
    expect(clock.now().toISOString()).toBe('2026-11-24T01:01:30.000Z');
  });

  it('is the system clock without a start', () => {
    const before = Date.now();
    const now = createClock().now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
