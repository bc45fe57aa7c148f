import type { Store } from './store/index.js';

// The send queue's bookkeeping, apart from its queueing: the gaps it draws, the quiet-hours clock, the
// per-chat hourly cap and what counts as a rate-limit error.

/** `[min, max]` milliseconds; each wait is drawn between them. */
export type Gap = readonly [number, number];

/** A wait drawn uniformly from the gap, in whole milliseconds. */
export function drawGap([min, max]: Gap, random: () => number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** A platform's "too many messages" refusal ("发送消息过于频繁", 429, flood). */
export const RATE_LIMITED = /频繁|too many requests|rate.?limit|flood/i;

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Minutes since local midnight in `tz`. */
export function localMinutes(ms: number, tz: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(ms);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/** How long until the quiet hours (`HH:MM` to `HH:MM` local, default 23:00–08:00) end, if `now` is in them; else 0. */
export function quietWaitMs(now: number, tz: string, quietHours?: { readonly start: string; readonly end: string }): number {
  const { start, end } = quietHours ?? { start: '23:00', end: '08:00' };
  const [s, e, n] = [minutesOf(start), minutesOf(end), localMinutes(now, tz)];
  const quiet = s <= e ? n >= s && n < e : n >= s || n < e;
  if (!quiet) return 0;
  const minutes = (e - n + 1440) % 1440;
  return Math.max(1, minutes * 60_000 - (Math.floor(now / 1000) % 60) * 1000);
}

/** Counts one push to the chat in this clock hour (in the store, shared by processes); false once past `cap`. */
export async function withinHourlyCap(store: Store, account: string, chatId: string, now: number, cap: number): Promise<boolean> {
  const hour = Math.floor(now / 3_600_000);
  const count = await store.increment(`sendcap:${account}:${chatId}:${hour}`, 1, 3_600_000);
  return count <= cap;
}
