import { z } from 'zod';
import type { TargetGroup } from '../../bot/groups.js';
import { zonedTime } from '../../kernel/clock.js';
import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import type { Prompts } from '../../kernel/prompts.js';

/** What a drop is made from: the CLI's options, `/coupon`'s lines, the API's body. */
export const DropInputSchema = z.object({
  name: z.string(),
  /** Ignored when codes are given: the stock is then the number of codes. */
  stock: z.number().or(z.nan()).optional(),
  keyword: z.string(),
  perUser: z.number().or(z.nan()).optional(),
  /** ISO-8601, or `YYYY-MM-DD HH:mm` in OPSBOT_TZ. Default now. */
  starts: z.string().optional(),
  ends: z.string().optional(),
  /** Group names; all fan groups when absent or empty. */
  groups: z.array(z.string()).optional(),
  /** Codes the shop platform issued, already read from their file. */
  codes: z.array(z.string()).optional(),
});
export type DropInput = z.input<typeof DropInputSchema>;


/** A coupon drop, as the store keeps it (its codes and claims are in the store's pool of the same id). */
export interface CouponDrop {
  readonly id: string;
  readonly name: string;
  readonly stock: number;
  readonly keyword: string;
  readonly perUser: number;
  /** ISO instants. */
  readonly startsAt: string;
  readonly endsAt?: string;
  readonly allFanGroups: boolean;
  readonly groups: readonly TargetGroup[];
  readonly codes: 'generated' | 'imported';
  readonly status: 'open' | 'cancelled';
  readonly createdAt: string;
}

export const MAX_STOCK = 100_000;
const MAX_PER_USER = 10;
const MAX_NAME = 40;
const MAX_KEYWORD = 12;

export interface DropContext {
  readonly now: number;
  readonly tz: string;
  readonly groups: readonly TargetGroup[];
  readonly fanGroups: readonly TargetGroup[];
  /** Keywords already taken by drops not yet ended, with the groups they run in. */
  readonly taken: readonly { readonly keyword: string; readonly name: string; readonly groups: readonly TargetGroup[] }[];
}

/** A drop's input checked all at once (every problem named), as the fields of a new drop. */
export type PlannedDrop = Omit<CouponDrop, 'id' | 'status' | 'createdAt' | 'codes'> & { readonly importedCodes?: readonly string[] };

export function couponInvalid(problems: readonly string[]): UserFacingError {
  return new UserFacingError(ErrorCode.COUPON_INVALID, 'coupon/invalid', { problems: problems.map((p) => `  - ${p}`).join('\n') }, { details: { problems } });
}

/** The fans' keyword as it is compared: no spaces, punctuation or emoji, Latin letters in lower case. */
export function normalizeKeyword(text: string): string {
  return text.normalize('NFKC').replace(/[\s\p{P}\p{S}]/gu, '').toLowerCase();
}

/** `2026-12-12T20:00:00+08:00`, `2026-12-12T20:00Z`, or `2026-12-12 20:00` in `tz`. */
export function parseWhen(value: string, tz: string): Date | undefined {
  const v = value.trim();
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(v) && /^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})(?::00)?$/.exec(v);
  return m ? zonedTime(m[1]!, m[2]!, tz) : undefined;
}

/** Checks a drop's input against the shop (its groups, the keywords in use) and plans it. */
export function planDrop(raw: DropInput, ctx: DropContext, prompts: Prompts): PlannedDrop {
  const input = DropInputSchema.parse(raw);
  const problems: string[] = [];
  const say = (key: string, params: Record<string, string | number> = {}) => problems.push(prompts.render(key, params));
  const name = input.name.trim();
  if (!name) say('coupon/problem-name-empty');
  else if ([...name].length > MAX_NAME) say('coupon/problem-name-long', { max: MAX_NAME });
  const keyword = input.keyword.trim();
  if (!normalizeKeyword(keyword)) say('coupon/problem-keyword-empty');
  else if ([...keyword].length > MAX_KEYWORD) say('coupon/problem-keyword-long', { max: MAX_KEYWORD });
  const codes = input.codes;
  const stock = codes ? codes.length : input.stock;
  if (codes && codes.length === 0) say('coupon/problem-codes-empty');
  else if (stock === undefined) say('coupon/problem-stock-missing');
  else if (!Number.isInteger(stock) || stock < 1 || stock > MAX_STOCK) say('coupon/problem-stock', { value: Number.isNaN(stock) ? '?' : stock, max: MAX_STOCK });
  const perUser = input.perUser ?? 1;
  if (!Number.isInteger(perUser) || perUser < 1 || perUser > MAX_PER_USER) say('coupon/problem-per-user', { value: Number.isNaN(perUser) ? '?' : perUser, max: MAX_PER_USER });
  const startsAt = input.starts ? parseWhen(input.starts, ctx.tz) : new Date(ctx.now);
  if (!startsAt) say('coupon/problem-when', { value: input.starts ?? '' });
  const endsAt = input.ends ? parseWhen(input.ends, ctx.tz) : undefined;
  if (input.ends && !endsAt) say('coupon/problem-when', { value: input.ends });
  else if (endsAt && endsAt.getTime() <= ctx.now) say('coupon/problem-ends-past', { value: input.ends ?? '' });
  else if (endsAt && startsAt && endsAt <= startsAt) say('coupon/problem-ends-before', { value: input.ends ?? '' });
  const named = (input.groups ?? []).map((g) => g.trim()).filter(Boolean);
  const groups: TargetGroup[] = [];
  for (const g of named) {
    const found = ctx.groups.find((x) => x.name === g || x.id === g);
    if (!found) say('coupon/problem-group', { value: g, known: ctx.groups.map((x) => x.name).join('、') || prompts.render('coupon/no-groups-known') });
    else if (!groups.includes(found)) groups.push(found);
  }
  const targets = named.length > 0 ? groups : [...ctx.fanGroups];
  const clash = keyword ? ctx.taken.find((t) => normalizeKeyword(t.keyword) === normalizeKeyword(keyword) && t.groups.some((g) => targets.some((x) => x.platform === g.platform && x.id === g.id))) : undefined;
  if (clash) say('coupon/problem-keyword-taken', { keyword, name: clash.name });
  if (problems.length > 0 || !startsAt || stock === undefined) throw couponInvalid(problems);
  return {
    name,
    stock,
    keyword,
    perUser,
    startsAt: startsAt.toISOString(),
    ...(endsAt ? { endsAt: endsAt.toISOString() } : {}),
    allFanGroups: named.length === 0,
    groups: targets,
    ...(codes ? { importedCodes: codes } : {}),
  };
}
