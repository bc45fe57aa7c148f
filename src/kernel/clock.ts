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

function zoneParts(at: Date, tz: string): Record<string, number> {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  return Object.fromEntries(parts.filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));
}

/** Minutes `tz` is ahead of UTC at `at` (480 for Asia/Shanghai). */
export function offsetMinutes(at: Date, tz: string): number {
  const p = zoneParts(at, tz);
  const local = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** `2026-12-12` `20:00` in `tz` as an instant; undefined when the day or time does not exist. */
export function zonedTime(day: string, hhmm: string, tz: string): Date | undefined {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const t = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!d || !t) return undefined;
  const [year, month, date, hour, minute] = [Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2])];
  if (month < 1 || month > 12 || date < 1 || date > 31 || hour > 23 || minute > 59) return undefined;
  const guess = Date.UTC(year, month - 1, date, hour, minute);
  // Two passes settle the offset even across a change of it (daylight saving elsewhere).
  let at = new Date(guess - offsetMinutes(new Date(guess), tz) * 60_000);
  at = new Date(guess - offsetMinutes(at, tz) * 60_000);
  const back = zoneParts(at, tz);
  if (back.year !== year || back.month !== month || back.day !== date || back.hour !== hour || back.minute !== minute) return undefined;
  return at;
}

/** The instant as ISO-8601 in `tz` with its offset: `2026-12-12T20:00:00+08:00`. */
export function isoInZone(at: Date, tz: string): string {
  const p = zoneParts(at, tz);
  const off = offsetMinutes(at, tz);
  const pad = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
  const sign = off >= 0 ? '+' : '-';
  return `${pad(p.year!, 4)}-${pad(p.month!)}-${pad(p.day!)}T${pad(p.hour!)}:${pad(p.minute!)}:${pad(p.second!)}${sign}${pad(Math.trunc(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
}

/** The local calendar day (YYYY-MM-DD) and time (HH:mm) of an instant in `tz`. */
export function localDayTime(at: Date, tz: string): { day: string; time: string; weekday: number } {
  const p = zoneParts(at, tz);
  const pad = (n: number) => String(n).padStart(2, '0');
  const weekday = new Date(Date.UTC(p.year!, p.month! - 1, p.day!)).getUTCDay();
  return { day: `${p.year}-${pad(p.month!)}-${pad(p.day!)}`, time: `${pad(p.hour!)}:${pad(p.minute!)}`, weekday };
}
