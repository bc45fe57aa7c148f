import { randomBytes } from 'node:crypto';
import type { Platform } from '../../bot/context.js';
import type { GroupRegistry, TargetGroup } from '../../bot/groups.js';
import type { Outbox } from '../../bot/outbox/types.js';
import type { RoleDirectory } from '../../bot/roles.js';
import type { Scheduler } from '../../bot/scheduler/types.js';
import { ReadCache } from '../../bot/read-cache.js';
import type { Store } from '../../bot/store/index.js';
import type { PoolClaim } from '../../bot/store/pools.js';
import { isoInZone, localDayTime } from '../../kernel/clock.js';
import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { Prompts } from '../../kernel/prompts.js';
import { generateCodes } from './codes.js';
import { normalizeKeyword, planDrop, type CouponDrop, type DropInput, type PlannedDrop } from './drop.js';

/** The scheduler's job kind: a drop's announcement in one group at its start. */
export const COUPON_JOB = 'coupon-announce';
const DROP = 'coupon-drop:';
const KEEP_MS = 180 * 24 * 3600_000;
/** How stale the drops the fans' keyword is matched against may be. */
export const COUPON_CACHE_MS = 3_000;
/** A drop answers its keyword this long after it ended (that it ended); one without an end, this long after it began. */
const ANSWER_AFTER_END_MS = 24 * 3600_000;
const ANSWER_WITHOUT_END_MS = 30 * 24 * 3600_000;
/** Operators hear of a drop at these shares of its stock (100: sold out). */
const PROGRESS = [25, 50, 75, 100] as const;

export interface CouponDeskOptions {
  readonly store: Store;
  readonly scheduler: Scheduler;
  readonly outbox: Outbox;
  readonly groups: GroupRegistry;
  readonly roles: RoleDirectory;
  readonly prompts: Prompts;
  readonly logger: Logger;
  readonly tz: string;
  readonly now: () => number;
}

export interface AnnouncePayload {
  readonly id: string;
  readonly platform: Platform;
  readonly chat: string;
}

/** How a claim ended: the code issued, or why none was (the `--json` reasons of `coupon issue`). */
export type ClaimOutcome =
  | { readonly ok: true; readonly code: string; readonly taken: number; readonly total: number }
  | { readonly ok: false; readonly reason: 'already_claimed'; readonly codes: readonly string[] }
  | { readonly ok: false; readonly reason: 'sold_out' | 'ended' }
  | { readonly ok: false; readonly reason: 'not_started'; readonly startsAt: string };

export interface DropStatus {
  readonly id: string;
  readonly stock: number;
  readonly claimed: number;
  readonly remaining: number;
}

const poolOf = (id: string) => `coupon:${id}`;

/**
 * Coupon drops: a stock of codes (generated or the shop's own) in the store's pool, claimed by fans with
 * the drop's keyword in its groups, or issued to a list of winners; each claim one atomic take, so a drop
 * is never oversold and no fan gets more than the limit, across every process. The drop is announced in
 * its groups at its start; the operators hear how it goes.
 */
export class CouponDesk {
  private readonly cache = new ReadCache<CouponDrop>(() => this.list(), () => this.now, COUPON_CACHE_MS);

  constructor(private readonly options: CouponDeskOptions) {}

  private get now(): number {
    return this.options.now();
  }

  /** Checks a drop against the shop's groups and the keywords in use; nothing is saved. */
  async plan(input: DropInput): Promise<PlannedDrop> {
    const { groups, prompts, tz } = this.options;
    const all = (await groups.list()).filter((g) => g.status === 'active').map(({ platform, id, name }) => ({ platform, id, name }));
    const fans = (await groups.fanGroups()).map(({ platform, id, name }) => ({ platform, id, name }));
    // A keyword is free again once the drop that used it has ended or run out.
    const taken: CouponDrop[] = [];
    for (const d of await this.list()) {
      if (d.status === 'open' && (!d.endsAt || Date.parse(d.endsAt) > this.now) && (await this.status(d.id)).remaining > 0) taken.push(d);
    }
    return planDrop(input, { now: this.now, tz, groups: all, fanGroups: fans, taken }, prompts);
  }

  /** Creates a drop: its codes into the pool, the drop into the store, its announcements scheduled. */
  async create(input: DropInput): Promise<CouponDrop> {
    const plan = await this.plan(input);
    const id = randomBytes(4).toString('hex');
    const codes = plan.importedCodes ? [...plan.importedCodes] : generateCodes(plan.stock);
    const { importedCodes, ...facts } = plan;
    const drop: CouponDrop = { id, ...facts, codes: importedCodes ? 'imported' : 'generated', status: 'open', createdAt: new Date(this.now).toISOString() };
    await this.options.store.pools.create(poolOf(id), codes, { limit: drop.perUser, startsAt: Date.parse(drop.startsAt), ...(drop.endsAt ? { endsAt: Date.parse(drop.endsAt) } : {}) });
    await this.options.store.set(`${DROP}${id}`, drop, KEEP_MS);
    const at = new Date(drop.startsAt);
    // Worthless once the drop has ended; one without an end is announced within the hour or not at all.
    const deadline = new Date(drop.endsAt ? Date.parse(drop.endsAt) : at.getTime() + 3600_000);
    // All in one step: a process killed half way must not leave the later groups unannounced.
    await this.options.scheduler.scheduleAll(
      drop.groups.map((g) => {
        const payload: AnnouncePayload = { id, platform: g.platform, chat: g.id };
        return { id: `coupon:${id}:announce:${g.platform}:${g.id}`, kind: COUPON_JOB, at, deadline, payload };
      }),
    );
    await this.refresh(true);
    this.options.logger.info({ drop: id, name: drop.name, stock: drop.stock, groups: drop.groups.length, codes: drop.codes }, 'coupon drop created');
    return drop;
  }

  get(id: string): Promise<CouponDrop | undefined> {
    return this.options.store.get<CouponDrop>(`${DROP}${id}`);
  }

  async mustGet(id: string): Promise<CouponDrop> {
    const d = await this.get(id);
    if (!d) throw new UserFacingError(ErrorCode.COUPON_NOT_FOUND, 'coupon/not-found', { id });
    return d;
  }

  /** Every drop kept, newest first. */
  async list(): Promise<CouponDrop[]> {
    const drops = (await this.options.store.list<CouponDrop>(DROP)).map(([, d]) => d);
    return drops.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Claimed and remaining, as the ledger has them now. */
  async status(id: string): Promise<DropStatus> {
    const d = await this.mustGet(id);
    const stats = await this.options.store.pools.stats(poolOf(id));
    const claimed = stats?.taken ?? 0;
    return { id, stock: d.stock, claimed, remaining: d.stock - claimed };
  }

  /**
   * A code for `user` (`platform:userId`), if the drop's rules allow it now: one atomic take. `meta` is
   * kept with the claim for audit (the group, the fan's display name).
   */
  async claim(id: string, user: string, meta: { readonly group?: string; readonly name?: string } = {}): Promise<ClaimOutcome> {
    const drop = await this.mustGet(id);
    const r = await this.options.store.pools.take(poolOf(id), user, this.now, { ...(meta.group ? { group: meta.group } : {}), ...(meta.name ? { name: meta.name } : {}) });
    switch (r.status) {
      case 'taken':
        await this.progress(drop, r.taken, r.total).catch((err: unknown) => this.options.logger.warn({ err, drop: id }, 'coupon: the operators could not be told of the progress'));
        return { ok: true, code: r.item, taken: r.taken, total: r.total };
      case 'held':
        return { ok: false, reason: 'already_claimed', codes: r.items };
      case 'not_started':
        return { ok: false, reason: 'not_started', startsAt: new Date(r.startsAt).toISOString() };
      case 'ended':
        return { ok: false, reason: 'ended' };
      case 'empty':
        return { ok: false, reason: 'sold_out' };
      default:
        throw new UserFacingError(ErrorCode.COUPON_NOT_FOUND, 'coupon/not-found', { id });
    }
  }

  /** Hands codes to a list of users (lucky-bag winners) under the same rules, in the order given. */
  async issue(id: string, users: readonly string[], onEach?: (done: number) => void): Promise<{ user: string; outcome: ClaimOutcome }[]> {
    await this.mustGet(id);
    const out: { user: string; outcome: ClaimOutcome }[] = [];
    for (const user of users) {
      out.push({ user, outcome: await this.claim(id, user, { group: this.options.prompts.render('coupon/issued-by-operator') }) });
      onEach?.(out.length);
    }
    return out;
  }

  /** Every claim, in the order taken. */
  async claims(id: string): Promise<PoolClaim[]> {
    await this.mustGet(id);
    return this.options.store.pools.claims(poolOf(id));
  }

  /** The claims as CSV for Excel: a BOM, a header in Chinese, times in the shop's zone. */
  async exportCsv(id: string): Promise<string> {
    const { prompts, tz } = this.options;
    const rows = (await this.claims(id)).map((c) => [String(c.seq), isoInZone(new Date(c.at), tz), c.meta.group ?? '', c.holder, c.meta.name ?? '', c.item]);
    const cell = (v: string) => (/[",\r\n]/.test(v) || /^[=+\-@]/.test(v) ? `"${(/^[=+\-@]/.test(v) ? `'${v}` : v).replaceAll('"', '""')}"` : v);
    const lines = [prompts.render('coupon/csv-header'), ...rows.map((r) => r.map(cell).join(','))];
    return `\uFEFF${lines.join('\r\n')}\r\n`;
  }

  /** The job: announces a drop in one group at its start, unless it was taken off. */
  async announce(p: AnnouncePayload): Promise<{ note?: string }> {
    const drop = await this.get(p.id);
    if (!drop || drop.status !== 'open') return { note: 'the drop is gone' };
    const { prompts, outbox } = this.options;
    const text = prompts.render('coupon/announce', {
      name: drop.name,
      keyword: drop.keyword,
      stock: drop.stock,
      perUser: drop.perUser,
      ends: drop.endsAt ? prompts.render('coupon/part-ends', { when: this.when(drop.endsAt) }) : '',
    });
    await outbox.push({
      platform: p.platform,
      chat: p.chat,
      content: { kind: 'text', text },
      source: `coupon:${drop.id}:announce`,
      dedupeKey: `coupon:${drop.id}:announce:${p.platform}:${p.chat}`,
      deadline: new Date(drop.endsAt ? Date.parse(drop.endsAt) : Date.parse(drop.startsAt) + 3600_000),
    });
    return {};
  }

  /** Tells the operators in Telegram when a take crosses a quarter of the stock (each take crosses at most one). */
  private async progress(drop: CouponDrop, taken: number, total: number): Promise<void> {
    const crossed = PROGRESS.filter((p) => taken * 100 >= p * total && (taken - 1) * 100 < p * total).at(-1);
    if (crossed === undefined) return;
    const { prompts, outbox, roles } = this.options;
    const text = crossed === 100 ? prompts.render('coupon/progress-sold-out', { name: drop.name, stock: total, id: drop.id }) : prompts.render('coupon/progress', { name: drop.name, pct: crossed, taken, stock: total, id: drop.id });
    for (const admin of roles.admins.filter((a) => a.startsWith('telegram:'))) {
      const chat = admin.slice('telegram:'.length);
      await outbox.push({ platform: 'telegram', chat, content: { kind: 'text', text }, source: `coupon:${drop.id}:progress`, dedupeKey: `coupon:${drop.id}:progress:${crossed}:${chat}`, urgent: true });
    }
  }

  /** Whether the drop still answers its keyword (open, or ended less than a day ago). */
  answering(d: CouponDrop): boolean {
    if (d.status !== 'open') return false;
    const until = d.endsAt ? Date.parse(d.endsAt) + ANSWER_AFTER_END_MS : Date.parse(d.startsAt) + ANSWER_WITHOUT_END_MS;
    return this.now < until;
  }

  /** The drop a group message's keyword is for, from the cache: the one open now, else the next, else the last. */
  match(platform: Platform, chat: { readonly id: string; readonly title?: string }, text: string): CouponDrop | undefined {
    const said = normalizeKeyword(text);
    if (!said) return undefined;
    // The playground's group (opsbot chat --group 粉丝1群) stands for the shop's group of that name.
    const inGroup = (g: TargetGroup) => (platform === 'local' ? g.name === chat.title : g.platform === platform && g.id === chat.id);
    const candidates = this.cache.items.filter((d) => this.answering(d) && d.groups.some(inGroup) && saysKeyword(said, normalizeKeyword(d.keyword)));
    const open = candidates.find((d) => Date.parse(d.startsAt) <= this.now && (!d.endsAt || Date.parse(d.endsAt) > this.now));
    const next = candidates.filter((d) => Date.parse(d.startsAt) > this.now).sort((a, b) => a.startsAt.localeCompare(b.startsAt))[0];
    return open ?? next ?? candidates[0];
  }

  /** Reads the drops into the cache if it is older than COUPON_CACHE_MS. */
  async refresh(force = false): Promise<void> {
    await this.cache.refresh(force);
  }

  /** `12月12日 20:00` (with the day when it is not today). */
  when(iso: string): string {
    const { day, time } = localDayTime(new Date(iso), this.options.tz);
    const today = localDayTime(new Date(this.now), this.options.tz).day;
    return day === today ? time : this.options.prompts.render('coupon/date-time', { month: Number(day.slice(5, 7)), day: Number(day.slice(8, 10)), time });
  }

  /** `20:00 开始，22:00 结束`, or `20:00 开始，领完为止`. */
  window(d: Pick<CouponDrop, 'startsAt' | 'endsAt'>): string {
    const { prompts } = this.options;
    return d.endsAt ? prompts.render('coupon/window', { starts: this.when(d.startsAt), ends: this.when(d.endsAt) }) : prompts.render('coupon/window-open', { starts: this.when(d.startsAt) });
  }

  /** ISO with the shop's offset, as the `--json` output shows times. */
  iso(at: string): string {
    return isoInZone(new Date(at), this.options.tz);
  }
}

/** A message is the keyword when it is the keyword, or the keyword with a few words around it (我要领券). */
function saysKeyword(said: string, keyword: string): boolean {
  return said === keyword || (said.includes(keyword) && [...said].length <= [...keyword].length + 4);
}
