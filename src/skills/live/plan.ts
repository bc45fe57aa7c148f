import { localMinutes } from '../../bot/send-queue.js';
import { localDayTime, zonedTime } from '../../kernel/clock.js';
import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import type { Prompts } from '../../kernel/prompts.js';
import { LiveInputSchema, parseSpan, splitList, type LiveInput, type MessageKind, type TargetGroup } from './session.js';

const MIN = 60_000;
/** An on-air message later than this after the start is no use. */
export const ONAIR_GRACE_MIN = 15;
/** The recap goes this long after the end, and is worthless a day after the end. */
export const RECAP_AFTER_MIN = 30;
export const RECAP_DEADLINE_MIN = 24 * 60;
const DEFAULT_LEADS = '60m,10m';
const DEFAULT_DURATION_MIN = 120;
const MAX_TITLE = 60;
const MAX_ITEMS = 50;

export interface PlanContext {
  readonly now: number;
  readonly tz: string;
  /** Every group by name and id, to resolve the named ones. */
  readonly groups: readonly TargetGroup[];
  /** "All fan groups". */
  readonly fanGroups: readonly TargetGroup[];
  /** The shop's quiet hours, or null for none. */
  readonly quietHours: { readonly start: string; readonly end: string } | null;
}

/** When one message of the plan goes, and until when it is worth sending. */
export interface PlannedTime {
  readonly kind: MessageKind;
  readonly lead?: number;
  readonly at: Date;
  readonly deadline: Date;
}

/** A live's facts, checked, and when each of its messages goes. */
export interface Plan {
  readonly title: string;
  readonly start: Date;
  readonly end: Date;
  readonly durationMin: number;
  readonly theme?: string;
  readonly offers: readonly string[];
  readonly products: readonly string[];
  readonly host?: string;
  readonly link?: string;
  readonly leads: readonly number[];
  readonly allFanGroups: boolean;
  readonly groups: readonly TargetGroup[];
  readonly times: readonly PlannedTime[];
  /** Sentences for the person scheduling it: messages that quiet hours hold or lose, no group to send to. */
  readonly warnings: readonly string[];
}

/** Everything wrong with a live's input, in one coded error whose prompt lists each problem. */
export function liveInvalid(problems: readonly string[]): UserFacingError {
  return new UserFacingError(ErrorCode.LIVE_INVALID, 'live/invalid', { problems: problems.map((p) => `  - ${p}`).join('\n') }, { details: { problems } });
}

/**
 * Checks a live's input (every problem at once) and plans it: the preannounce at the first lead time,
 * a reminder at each further one, on air at the start, the recap after the end. A first lead time
 * already past (planned late) sends the preannounce now; a reminder already past is left out.
 */
export function planLive(raw: LiveInput, ctx: PlanContext, prompts: Prompts): Plan {
  const input = LiveInputSchema.parse(raw);
  const problems: string[] = [];
  const say = (key: string, params: Record<string, string | number> = {}) => problems.push(prompts.render(key, params));
  const title = input.title.trim();
  if (!title) say('live/problem-title-empty');
  else if ([...title].length > MAX_TITLE) say('live/problem-title-long', { max: MAX_TITLE });
  const [day = '', time = ''] = input.start.trim().split(/\s+/);
  const start = zonedTime(day, time, ctx.tz);
  if (!start) say('live/problem-start-format', { value: input.start });
  else if (start.getTime() <= ctx.now) say('live/problem-start-past', { value: input.start });
  const leadTexts = splitList(input.reminders ?? DEFAULT_LEADS, /[,，、\s]+/);
  const leads: number[] = [];
  for (const text of leadTexts) {
    const minutes = parseSpan(text);
    if (minutes === undefined) say('live/problem-lead-format', { value: text });
    else if (leads.includes(minutes)) say('live/problem-lead-duplicate', { value: text });
    else leads.push(minutes);
  }
  if (leadTexts.length === 0) say('live/problem-lead-none');
  const durationMin = input.duration === undefined ? DEFAULT_DURATION_MIN : parseSpan(input.duration);
  if (durationMin === undefined) say('live/problem-duration', { value: input.duration ?? '' });
  const link = input.link?.trim() || undefined;
  if (link && !/^https?:\/\/\S+$/i.test(link)) say('live/problem-link', { value: link });
  const offers = input.offers.map((s) => s.trim()).filter(Boolean);
  const products = input.products.map((s) => s.trim()).filter(Boolean);
  if (offers.length > MAX_ITEMS || products.length > MAX_ITEMS) say('live/problem-too-many', { max: MAX_ITEMS });
  const named = (input.groups ?? []).map((g) => g.trim()).filter(Boolean);
  const groups: TargetGroup[] = [];
  for (const name of named) {
    const found = ctx.groups.find((g) => g.name === name || g.id === name);
    if (!found) say('live/problem-group', { value: name, known: ctx.groups.map((g) => g.name).join('、') || prompts.render('live/no-groups-known') });
    else if (!groups.includes(found)) groups.push(found);
  }
  if (problems.length > 0 || !start || durationMin === undefined) throw liveInvalid(problems);

  leads.sort((a, b) => b - a);
  const end = new Date(start.getTime() + durationMin * MIN);
  const times: PlannedTime[] = [];
  leads.forEach((lead, i) => {
    const at = new Date(start.getTime() - lead * MIN);
    if (i === 0) times.push({ kind: 'preannounce', lead, at: at.getTime() < ctx.now ? new Date(ctx.now) : at, deadline: start });
    else if (at.getTime() >= ctx.now) times.push({ kind: 'reminder', lead, at, deadline: start });
  });
  times.push({ kind: 'onair', at: start, deadline: new Date(start.getTime() + ONAIR_GRACE_MIN * MIN) });
  times.push({ kind: 'recap', at: new Date(end.getTime() + RECAP_AFTER_MIN * MIN), deadline: new Date(end.getTime() + RECAP_DEADLINE_MIN * MIN) });
  const allFanGroups = named.length === 0;
  const targets = allFanGroups ? [...ctx.fanGroups] : groups;
  const warnings = [...quietWarnings(times, ctx, prompts)];
  if (targets.length === 0) warnings.push(prompts.render('live/warn-no-groups'));
  return {
    title,
    start,
    end,
    durationMin,
    ...(input.theme?.trim() ? { theme: input.theme.trim() } : {}),
    offers,
    products,
    ...(input.host?.trim() ? { host: input.host.trim() } : {}),
    ...(link ? { link } : {}),
    leads,
    allFanGroups,
    groups: targets,
    times,
    warnings,
  };
}

/** The message in words, for warnings and previews: 直播预告, 提醒（10 分钟前）, 开播, 回顾. */
export function messageName(t: Pick<PlannedTime, 'kind' | 'lead'>, prompts: Prompts): string {
  return prompts.render(`live/kind-${t.kind}`, { lead: t.lead === undefined ? '' : leadInWords(t.lead, prompts) });
}

/** `10 分钟`, `1 小时`, `1 天`. */
export function leadInWords(minutes: number, prompts: Prompts): string {
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts = [days && prompts.render('live/unit-day', { n: days }), hours && prompts.render('live/unit-hour', { n: hours }), mins && prompts.render('live/unit-minute', { n: mins })];
  return parts.filter(Boolean).join('');
}

/** Messages that fall in quiet hours: held until they end, or lost when that is past their deadline. */
function* quietWarnings(times: readonly PlannedTime[], ctx: PlanContext, prompts: Prompts): Generator<string> {
  const quiet = ctx.quietHours;
  if (!quiet) return;
  const [s, e] = [quiet.start, quiet.end].map((hhmm) => {
    const [h = 0, m = 0] = hhmm.split(':').map(Number);
    return h * 60 + m;
  }) as [number, number];
  const inQuiet = (ms: number) => {
    const n = localMinutes(ms, ctx.tz);
    return s <= e ? n >= s && n < e : n >= s || n < e;
  };
  const range = `${quiet.start}-${quiet.end}`;
  for (const t of times) {
    if (!inQuiet(t.at.getTime())) continue;
    let until = t.at.getTime();
    while (inQuiet(until) && until - t.at.getTime() < 24 * 60 * MIN) until += MIN;
    const what = messageName(t, prompts);
    const when = localDayTime(t.at, ctx.tz).time;
    if (until > t.deadline.getTime()) yield prompts.render('live/warn-quiet-lost', { what, time: when, range });
    else yield prompts.render('live/warn-quiet-held', { what, time: when, range, until: localDayTime(new Date(until), ctx.tz).time });
  }
}
