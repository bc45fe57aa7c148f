/**
 * Calendar days as `YYYY-MM-DD` strings, and the periods KPI questions name. Day arithmetic runs on UTC
 * midnights, so a daylight-saving change can never shift a day.
 */

export interface Period {
  readonly from: string;
  readonly to: string;
}

const DAY_MS = 86_400_000;

/** A day string from a UTC-midnight Date. */
function fmt(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The UTC midnight of a day string. */
function parse(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** True for a real calendar day in YYYY-MM-DD form. */
export function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = parse(s);
  return !Number.isNaN(d.getTime()) && fmt(d) === s;
}

/** `y-m-d` as a day string, or undefined when no such day exists (2月30日). */
export function makeDay(y: number, m: number, d: number): string | undefined {
  const s = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return isDay(s) ? s : undefined;
}

export function addDays(day: string, n: number): string {
  return fmt(new Date(parse(day).getTime() + n * DAY_MS));
}

/** Days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((parse(b).getTime() - parse(a).getTime()) / DAY_MS);
}

/** The number of days in a period, both ends included. */
export function lengthOf(p: Period): number {
  return daysBetween(p.from, p.to) + 1;
}

/** Every day of a period, in order. */
export function daysOf(p: Period): string[] {
  const out: string[] = [];
  for (let d = p.from; d <= p.to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** 1 = Monday … 7 = Sunday. */
export function isoWeekday(day: string): number {
  return parse(day).getUTCDay() || 7;
}

export function yearOf(day: string): number {
  return Number(day.slice(0, 4));
}

export function monthOf(day: string): number {
  return Number(day.slice(5, 7));
}

/** The last day of a month. */
export function monthEnd(y: number, m: number): string {
  return fmt(new Date(Date.UTC(y, m, 0)));
}

/** A whole month (m: 1–12; 0 or 13 roll into the neighbouring year). */
export function monthPeriod(y: number, m: number): Period {
  const first = new Date(Date.UTC(y, m - 1, 1));
  return { from: fmt(first), to: monthEnd(first.getUTCFullYear(), first.getUTCMonth() + 1) };
}

/** Monday of the week `day` is in. */
export function weekStart(day: string): string {
  return addDays(day, 1 - isoWeekday(day));
}

/** The same day a year earlier (29 February → 28 February). */
export function yearEarlier(day: string): string {
  const y = yearOf(day) - 1;
  const m = monthOf(day);
  const d = Number(day.slice(8, 10));
  return makeDay(y, m, d) ?? monthEnd(y, m);
}

/** The period of equal length just before `p` (环比). */
export function previousPeriod(p: Period): Period {
  const n = lengthOf(p);
  return { from: addDays(p.from, -n), to: addDays(p.from, -1) };
}

/**
 * The period to compare with for 环比: a month so far (or a whole month) against the same days of the
 * month before (11-01..11-25 → 10-01..10-25; March → February); anything else against the period of
 * equal length just before it.
 */
export function previousComparable(p: Period): Period {
  if (p.from.endsWith('-01') && p.from.slice(0, 7) === p.to.slice(0, 7)) {
    const y = yearOf(p.from);
    const m = monthOf(p.from);
    const before = monthPeriod(y, m - 1);
    const lastDay = Number(p.to.slice(8, 10));
    const to = p.to === monthEnd(y, m) ? before.to : (makeDay(yearOf(before.from), monthOf(before.from), lastDay) ?? before.to);
    return { from: before.from, to: to < before.to ? to : before.to };
  }
  return previousPeriod(p);
}

/** The same dates a year earlier (同比); a whole month is the whole month (February 2025 → all of February 2024). */
export function periodYearEarlier(p: Period): Period {
  const y = yearOf(p.from);
  const m = monthOf(p.from);
  if (p.from.endsWith('-01') && p.to === monthEnd(y, m)) return monthPeriod(y - 1, m);
  return { from: yearEarlier(p.from), to: yearEarlier(p.to) };
}

/** The same period seven days earlier (和上周比). */
export function periodWeekEarlier(p: Period): Period {
  return { from: addDays(p.from, -7), to: addDays(p.to, -7) };
}

const DAY_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** Today's date in a time zone, as a day string. */
export function todayIn(tz: string, now: Date): string {
  // A formatter per zone, made once: making one costs far more than formatting (this runs on every staff message).
  let format = DAY_FORMATS.get(tz);
  if (!format) DAY_FORMATS.set(tz, (format = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const parts = format.formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}
