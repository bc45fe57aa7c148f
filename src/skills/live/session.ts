import { z } from 'zod';

/** What a person gives to plan a live (CLI flags, Telegram lines, the API's body). */
export const LiveInputSchema = z.object({
  title: z.string(),
  /** `YYYY-MM-DD HH:mm` in OPSBOT_TZ. */
  start: z.string(),
  theme: z.string().optional(),
  offers: z.array(z.string()).default([]),
  products: z.array(z.string()).default([]),
  host: z.string().optional(),
  link: z.string().optional(),
  /** Group names; all fan groups when absent or empty. */
  groups: z.array(z.string()).optional(),
  /** `2h`, `90m`, `1h30m`. Default 2 h. */
  duration: z.string().optional(),
  /** Lead times before the start, `60m,10m` or `1d,60m,10m,1m`. Default 60m,10m. */
  reminders: z.string().optional(),
});

export type LiveInput = z.input<typeof LiveInputSchema>;

export const MESSAGE_KINDS = ['preannounce', 'reminder', 'onair', 'recap'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** One message of a live's plan (the same text to every target group). */
export interface LiveMessage {
  readonly kind: MessageKind;
  /** For a reminder (and the preannounce): minutes before the start. */
  readonly lead?: number;
  /** ISO instants. */
  readonly at: string;
  /** Worthless after this: skipped and reported, never sent late. */
  readonly deadline: string;
  readonly text: string;
}

import type { TargetGroup } from '../../bot/groups.js';

export type { TargetGroup };

/** A planned live, as the store keeps it. */
export interface LiveSession {
  readonly id: string;
  /** Bumped by each reschedule: jobs and pushes of an older revision are never sent. */
  readonly revision: number;
  readonly status: 'scheduled' | 'cancelled';
  readonly title: string;
  readonly start: string;
  readonly end: string;
  readonly theme?: string;
  readonly offers: readonly string[];
  readonly products: readonly string[];
  readonly host?: string;
  readonly link?: string;
  /** Minutes before the start, largest first: the first is the preannounce, the others reminders. */
  readonly leads: readonly number[];
  readonly durationMin: number;
  /** True when no group was named: every fan group (as they were when it was planned). */
  readonly allFanGroups: boolean;
  readonly groups: readonly TargetGroup[];
  readonly messages: readonly LiveMessage[];
  /** The poster PNG under the data dir. */
  readonly poster?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

const UNIT_MINUTES: Record<string, number> = { d: 1440, h: 60, m: 1 };

/** `1d`, `60m`, `2h`, `1h30m` → minutes; undefined when it is none of those (or zero). */
export function parseSpan(value: string): number | undefined {
  const text = value.trim().toLowerCase().replace(/\s+/g, '').replace(/天/g, 'd').replace(/小时/g, 'h').replace(/分钟?/g, 'm');
  if (!/^(\d{1,4}[dhm])+$/.test(text)) return undefined;
  let minutes = 0;
  for (const [, n, unit] of text.matchAll(/(\d{1,4})([dhm])/g)) minutes += Number(n) * UNIT_MINUTES[unit!]!;
  return minutes > 0 ? minutes : undefined;
}

/** A list from one string: `a;b`, `a，b`, `a、b`, or one item per line. */
export function splitList(value: string | undefined, separators = /[;；,，、\n]/): string[] {
  return (value ?? '')
    .split(separators)
    .map((s) => s.trim())
    .filter(Boolean);
}
