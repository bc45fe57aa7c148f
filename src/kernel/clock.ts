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

/** Noon of a day (YYYY-MM-DD) in a time zone: an instant safely inside that day there. */
export function noonIn(day: string, tz: string): Date {
  const guess = new Date(`${day}T12:00:00Z`);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(guess);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return new Date(guess.getTime() - (local - guess.getTime()));
}
