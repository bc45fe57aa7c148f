import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GroupRegistry } from '../../bot/groups.js';
import type { Outbox } from '../../bot/outbox/types.js';
import type { Scheduler } from '../../bot/scheduler/types.js';
import { ReadCache } from '../../bot/read-cache.js';
import type { Store } from '../../bot/store/index.js';
import { isoInZone } from '../../kernel/clock.js';
import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import type { LlmService } from '../../kernel/llm.js';
import type { Logger } from '../../kernel/logger.js';
import type { Prompts } from '../../kernel/prompts.js';
import { inputOfSession, posterFacts, scriptFactsOf, type ScriptFacts } from './desk-format.js';
import { planLive, type Plan } from './plan.js';
import type { LiveInput, LiveMessage, LiveSession, TargetGroup } from './session.js';
import { composeTexts, recapText } from './texts.js';

/** The scheduler's job kind: one message of a live to one group. */
export const LIVE_JOB = 'live-message';
const SESSION = 'live-session:';
const POSTER = 'live-poster:';
const KEEP_MS = 90 * 24 * 3600_000;
/** How stale the cache the fans' questions are answered from may be. */
export const LIVE_CACHE_MS = 3_000;

export interface LiveDeskOptions {
  readonly store: Store;
  readonly scheduler: Scheduler;
  readonly outbox: Outbox;
  readonly groups: GroupRegistry;
  readonly prompts: Prompts;
  readonly logger: Logger;
  readonly tz: string;
  readonly dataDir: string;
  readonly quietHours: { readonly start: string; readonly end: string } | null;
  readonly now: () => number;
  readonly llm?: LlmService;
  /** Units sold per product on a day, where the shop's metrics have them (the recap's sales line). */
  readonly unitsByProduct?: (day: string) => { product: string; units: number }[];
}

/** A live as planned but not saved: what a preview shows. */
export interface LivePreview {
  readonly plan: Plan;
  readonly messages: readonly LiveMessage[];
  readonly poster: Buffer;
}

export interface JobPayload {
  readonly id: string;
  readonly revision: number;
  readonly key: string;
  readonly platform: TargetGroup['platform'];
  readonly chat: string;
}

/** `preannounce`, `reminder:10m`, `onair`, `recap`: one message of the plan. */
export const messageKey = (m: Pick<LiveMessage, 'kind' | 'lead'>) => (m.kind === 'reminder' ? `reminder:${m.lead}m` : m.kind);

/**
 * Lives: planned from their facts, saved in the shared store, each (message, group) a scheduler job
 * that pushes through the outbox of the group's account once, never late. Cancel and reschedule take
 * back every pending job and waiting push; a reschedule is a new revision, so the old times never go.
 */
export class LiveDesk {
  private readonly cache = new ReadCache<LiveSession>(() => this.list(), () => this.now, LIVE_CACHE_MS);

  constructor(private readonly options: LiveDeskOptions) {}

  private get now(): number {
    return this.options.now();
  }

  /** Plans a live, writes its texts and draws its poster, without saving anything. */
  async preview(input: LiveInput): Promise<LivePreview> {
    const { prompts, tz, groups, quietHours, logger, llm } = this.options;
    const all = (await groups.list()).filter((g) => g.status === 'active').map(({ platform, id, name }) => ({ platform, id, name }));
    const fans = (await groups.fanGroups()).map(({ platform, id, name }) => ({ platform, id, name }));
    const plan = planLive(input, { now: this.now, tz, groups: all, fanGroups: fans, quietHours }, prompts);
    const texts = await composeTexts(plan, { prompts, tz, logger, ...(llm ? { llm } : {}) });
    const messages = plan.times.map((t, i): LiveMessage => ({ kind: t.kind, ...(t.lead !== undefined ? { lead: t.lead } : {}), at: t.at.toISOString(), deadline: t.deadline.toISOString(), text: texts[i]! }));
    // The poster's renderer (resvg, fonts) is loaded when a live is planned, not by every command.
    const { renderPoster } = await import('./poster.js');
    const poster = await renderPoster(posterFacts(plan, tz, prompts));
    return { plan, messages, poster };
  }

  /** Plans and saves a live, and schedules each of its messages for each target group. */
  async schedule(input: LiveInput): Promise<{ session: LiveSession; warnings: readonly string[] }> {
    const preview = await this.preview(input);
    const id = randomBytes(4).toString('hex');
    const session = this.toSession(id, 1, preview, new Date(this.now).toISOString());
    await this.save(session, preview.poster);
    await this.scheduleJobs(session);
    this.options.logger.info({ live: id, title: session.title, start: session.start, groups: session.groups.length, messages: session.messages.length }, 'live scheduled');
    return { session: (await this.get(id)) ?? session, warnings: preview.plan.warnings };
  }

  private toSession(id: string, revision: number, p: LivePreview, createdAt: string): LiveSession {
    const { plan } = p;
    return {
      id,
      revision,
      status: 'scheduled',
      title: plan.title,
      start: plan.start.toISOString(),
      end: plan.end.toISOString(),
      ...(plan.theme ? { theme: plan.theme } : {}),
      offers: plan.offers,
      products: plan.products,
      ...(plan.host ? { host: plan.host } : {}),
      ...(plan.link ? { link: plan.link } : {}),
      leads: plan.leads,
      durationMin: plan.durationMin,
      allFanGroups: plan.allFanGroups,
      groups: plan.groups,
      messages: p.messages,
      createdAt,
      updatedAt: new Date(this.now).toISOString(),
    };
  }

  /** Saves the session and its poster (in the shared store: the process that sends may be on another machine), and a copy of the poster to open. */
  private async save(session: LiveSession, poster: Buffer): Promise<void> {
    const { store, dataDir } = this.options;
    const dir = join(dataDir, 'live');
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${session.id}-r${session.revision}.png`);
    await writeFile(file, poster);
    await store.set(`${POSTER}${session.id}:${session.revision}`, poster.toString('base64'), KEEP_MS);
    await store.set(`${SESSION}${session.id}`, { ...session, poster: file }, KEEP_MS);
    this.cache.clear();
  }

  private jobId(s: Pick<LiveSession, 'id' | 'revision'>, m: Pick<LiveMessage, 'kind' | 'lead'>, g: TargetGroup): string {
    return `live:${s.id}:r${s.revision}:${messageKey(m)}:${g.platform}:${g.id}`;
  }

  private async scheduleJobs(s: LiveSession): Promise<void> {
    // All in one step: a process killed half way must not leave the later groups without their job.
    await this.options.scheduler.scheduleAll(
      s.messages.flatMap((m) =>
        s.groups.map((g) => {
          const payload: JobPayload = { id: s.id, revision: s.revision, key: messageKey(m), platform: g.platform, chat: g.id };
          return { id: this.jobId(s, m, g), kind: LIVE_JOB, at: new Date(m.at), deadline: new Date(m.deadline), payload };
        }),
      ),
    );
  }

  /** Takes back what is still to go of one revision: the pending jobs, and the pushes still waiting. */
  private async takeBack(s: LiveSession): Promise<void> {
    const { scheduler, outbox } = this.options;
    for (const m of s.messages) {
      for (const g of s.groups) {
        const id = this.jobId(s, m, g);
        await scheduler.cancel(id);
        const push = { platform: g.platform, chat: g.id, source: `live:${s.id}:${m.kind}` };
        await outbox.cancel({ ...push, dedupeKey: id });
        if (m.kind === 'preannounce') await outbox.cancel({ ...push, dedupeKey: `${id}:poster` });
      }
    }
  }

  /** The poster of the session's current revision (PNG), from the shared store. */
  async posterOf(id: string): Promise<Buffer | undefined> {
    const b64 = await this.options.store.get<string>(`${POSTER}${id}:${(await this.mustGet(id)).revision}`);
    return b64 ? Buffer.from(b64, 'base64') : undefined;
  }

  get(id: string): Promise<LiveSession | undefined> {
    return this.options.store.get<LiveSession>(`${SESSION}${id}`);
  }

  private async mustGet(id: string): Promise<LiveSession> {
    const s = await this.get(id);
    if (!s) throw new UserFacingError(ErrorCode.LIVE_NOT_FOUND, 'live/not-found', { id });
    return s;
  }

  /** Every live kept, soonest first. */
  async list(): Promise<LiveSession[]> {
    const sessions = (await this.options.store.list<LiveSession>(SESSION)).map(([, s]) => s);
    return sessions.sort((a, b) => a.start.localeCompare(b.start));
  }

  /** Cancels a live: nothing more of it is sent. */
  async cancel(id: string): Promise<LiveSession> {
    const s = await this.mustGet(id);
    if (s.status === 'cancelled') throw new UserFacingError(ErrorCode.LIVE_NOT_PENDING, 'live/already-cancelled', { id, title: s.title });
    await this.takeBack(s);
    const cancelled: LiveSession = { ...s, status: 'cancelled', updatedAt: new Date(this.now).toISOString() };
    await this.options.store.set(`${SESSION}${id}`, cancelled, KEEP_MS);
    this.cache.clear();
    this.options.logger.info({ live: id }, 'live cancelled');
    return cancelled;
  }

  /** Moves a live to a new start: a new revision planned from the same facts; the old times are taken back. */
  async reschedule(id: string, start: string): Promise<{ session: LiveSession; warnings: readonly string[] }> {
    const s = await this.mustGet(id);
    if (s.status === 'cancelled') throw new UserFacingError(ErrorCode.LIVE_NOT_PENDING, 'live/already-cancelled', { id, title: s.title });
    const preview = await this.preview({ ...this.inputOf(s), start });
    await this.takeBack(s);
    const next = this.toSession(id, s.revision + 1, preview, s.createdAt);
    await this.save(next, preview.poster);
    await this.scheduleJobs(next);
    this.options.logger.info({ live: id, revision: next.revision, start: next.start }, 'live rescheduled');
    return { session: (await this.get(id)) ?? next, warnings: preview.plan.warnings };
  }

  /** The facts of a saved live, as input again (its groups by name, or all fan groups). */
  inputOf(s: LiveSession): LiveInput {
    return inputOfSession(s, this.options.tz);
  }

  /** The job: pushes one message of a live to one group (and the poster after the preannounce), unless the live changed since. */
  async send(payload: JobPayload): Promise<{ note?: string }> {
    const s = await this.get(payload.id);
    if (!s || s.status !== 'scheduled' || s.revision !== payload.revision) return { note: 'the live was cancelled or moved' };
    const m = s.messages.find((x) => messageKey(x) === payload.key);
    if (!m) return { note: 'no such message' };
    const { outbox } = this.options;
    const dedupeKey = `live:${s.id}:r${s.revision}:${payload.key}:${payload.platform}:${payload.chat}`;
    const base = { platform: payload.platform, chat: payload.chat, source: `live:${s.id}:${m.kind}`, deadline: new Date(m.deadline) };
    const { entry } = await outbox.push({ ...base, content: { kind: 'text', text: m.kind === 'recap' ? recapText(s, m, this.options.tz, this.options.prompts, this.options.unitsByProduct) : m.text }, dedupeKey });
    if (m.kind === 'preannounce') {
      const poster = await this.options.store.get<string>(`${POSTER}${s.id}:${s.revision}`);
      if (poster) await outbox.push({ ...base, content: { kind: 'image', data: Buffer.from(poster, 'base64'), mime: 'image/png' }, dedupeKey: `${dedupeKey}:poster`, after: entry });
    }
    return {};
  }


  /** The lives as of a moment ago (fans' questions are asked on every group message: no store call each time). */
  cached(): readonly LiveSession[] {
    return this.cache.items;
  }

  /** Reads the lives into the cache if it is older than LIVE_CACHE_MS. */
  refresh(force = false): Promise<readonly LiveSession[]> {
    return this.cache.refresh(force);
  }

  /** The next live not yet ended, and the last one with a replay link, from the cache. */
  upcoming(): { next?: LiveSession; lastWithReplay?: LiveSession } {
    const live = this.cached().filter((s) => s.status === 'scheduled');
    const next = live.find((s) => Date.parse(s.end) > this.now);
    const past = live.filter((s) => Date.parse(s.end) <= this.now && s.link).at(-1);
    return { ...(next ? { next } : {}), ...(past ? { lastWithReplay: past } : {}) };
  }

  /** The next live and the last replay in words, for the customer-service `live` scripts and the fans' questions. */
  scriptFacts(): ScriptFacts {
    return scriptFactsOf(this.upcoming(), this.now, this.options.tz, this.options.prompts);
  }

  /** ISO with the shop's offset, as the `--json` contract shows times. */
  iso(at: string): string {
    return isoInZone(new Date(at), this.options.tz);
  }
}
