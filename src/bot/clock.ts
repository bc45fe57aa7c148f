/** The process clock. With `OPSBOT_NOW` it starts at that instant and runs on from there. */
export interface Clock {
  now(): Date;
}

/** A clock that reads `start` at creation and advances with real time; the system clock without one. */
export function createClock(start?: Date, monotonic: () => number = () => performance.now()): Clock {
  if (!start) return { now: () => new Date() };
  const startMs = start.getTime();
  const t0 = monotonic();
  return { now: () => new Date(startMs + (monotonic() - t0)) };
}
