import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Person, Platform, SendResult } from '../../bot/context.js';
import type { Logger } from '../../bot/logger.js';
import type { Middleware } from '../../bot/router.js';
import type { Prompts } from '../../bot/prompts.js';
import type { ActionContext } from '../../bot/skill.js';
import type { Store } from '../../bot/store.js';
import type { Transports } from '../../bot/transports.js';
import type { Suggestion } from './scripts.js';
import type { Intent } from './intents.js';
import { escalationMessages, parsePerson } from './escalation-messages.js';

const DAY = 24 * 3600_000;
/** Escalations (and who handled them) are kept this long. */
const KEEP_MS = 7 * DAY;
/** A pending edit waits this long for the agent's text. */
const EDIT_WAIT_MS = 30 * 60_000;
/** Held while a reply is on its way; if the process dies meanwhile, others may take it after this. */
const CLAIM_MS = 30 * 60_000;
/** A fan's further messages within this long join their open escalation instead of opening another. */
const FOLLOW_UP_MS = 30 * 60_000;

/** A message the bot sent an agent about an escalation, so it can be updated once someone handles it. */
interface Notice {
  readonly platform: Platform;
  readonly chatId: string;
  readonly messageId: string;
  readonly text: string;
}

/** A fan's message a person must follow up, with the suggested replies. */
export interface Escalation {
  readonly id: string;
  readonly createdAt: string;
  /** The fan's message, as the router had it (`time` as ISO). */
  readonly message: Omit<IncomingMessage, 'time'> & { readonly time: string };
  readonly intent: Intent;
  readonly suggestions: readonly Suggestion[];
  readonly notices: readonly Notice[];
  readonly notifiedAt: string;
  readonly reminders: number;
}

/** How an escalation ended: written once, by whoever took it. */
export interface EscalationOutcome {
  readonly status: 'sent' | 'ignored';
  readonly by: Person & { readonly platform: Platform };
  readonly at: string;
  readonly text?: string;
}

export interface EscalationDeskOptions {
  readonly store: Store;
  readonly prompts: Prompts;
  readonly logger: Logger;
  readonly transports: Transports;
  /** Who gets escalations: `platform:userId` of the agents (the admins when there are none). */
  readonly agents: () => readonly string[];
  readonly tz: string;
  /** An unanswered escalation is sent again after this long. Default 10 minutes. */
  readonly remindAfterMs?: number;
  /** At most this many reminders. Default 3. */
  readonly maxReminders?: number;
  readonly now?: () => number;
}

/**
 * Escalations: a fan's complaint (or return, parcel, special request) goes to the agents in Telegram
 * with the suggested replies, each under 发送 / 修改 / 忽略. The first agent to act takes it (one atomic
 * store operation, so two agents or two processes never both answer); what they approve is posted in
 * the fan's chat, mentioning the fan, through the paced send queue; the outcome records who and when,
 * and every agent's copy is updated. Unanswered escalations are sent again after 10 minutes.
 */
export class EscalationDesk {
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: EscalationDeskOptions) {}

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  private clock(iso: string): string {
    return new Intl.DateTimeFormat('zh-CN', { timeZone: this.options.tz, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
  }

  private groupName(e: Escalation): string {
    return e.message.chat.type === 'group' ? e.message.chat.title ?? e.message.chat.id : this.options.prompts.render('cs/esc-private-chat');
  }

  /** Records an escalation for `message` and sends it to the agents. */
  async open(message: IncomingMessage, intent: Intent, suggestions: readonly Suggestion[]): Promise<Escalation> {
    const at = new Date(this.now).toISOString();
    const base: Escalation = {
      id: randomBytes(6).toString('base64url'),
      createdAt: at,
      // Only the message itself: the context the router passes also carries functions and a logger.
      message: {
        platform: message.platform,
        messageId: message.messageId,
        time: message.time.toISOString(),
        chat: message.chat,
        sender: { id: message.sender.id, name: message.sender.name },
        text: message.text,
        mentioned: message.mentioned,
        self: false,
      },
      intent,
      suggestions,
      notices: [],
      notifiedAt: at,
      reminders: 0,
    };
    // Stored before anyone is told: an agent may press a button before the last copy is out.
    await this.options.store.set(`esc:${base.id}`, base, KEEP_MS);
    const notices = await this.notify(base);
    const escalation = await this.addNotices(base, notices);
    await this.options.store.set(this.fanKey(message), base.id, FOLLOW_UP_MS);
    this.options.logger.info({ escalation: escalation.id, intent, chatId: message.chat.id, agents: notices.length }, 'escalated to agents');
    return escalation;
  }

  private fanKey(m: Pick<IncomingMessage, 'platform' | 'chat' | 'sender'>): string {
    return `esc-fan:${m.platform}:${m.chat.id}:${m.sender.id}`;
  }

  /** The fan's escalation in this chat from the last 30 minutes that nobody has handled yet. */
  async openFor(message: IncomingMessage): Promise<Escalation | undefined> {
    const id = await this.options.store.get<string>(this.fanKey(message));
    if (!id || (await this.outcome(id))) return undefined;
    return this.get(id);
  }

  /** A further message from a fan whose escalation is open: the agents see it, no new escalation. */
  async followUp(e: Escalation, message: IncomingMessage): Promise<void> {
    const { prompts, transports, logger } = this.options;
    const text = prompts.render('cs/esc-follow-up', { fan: message.sender.name, message: message.text });
    for (const person of this.options.agents()) {
      const { platform, id: chatId } = parsePerson(person);
      const result = await transports.get(platform)?.send(chatId, { kind: 'text', text }, { urgent: true });
      if (result && result.status !== 'sent') logger.warn({ escalation: e.id, agent: person, reason: result.reason }, 'follow-up not delivered to an agent');
    }
    await this.options.store.set(this.fanKey(message), e.id, FOLLOW_UP_MS);
  }

  /** True when some agent can be reached from this process (their platform runs here). */
  reachable(): boolean {
    return this.options.agents().some((p) => this.options.transports.get(parsePerson(p).platform) !== undefined);
  }

  /** Keeps the copies just sent; if someone handled it meanwhile, those copies are updated at once. */
  private async addNotices(e: Escalation, notices: readonly Notice[], changes: Partial<Escalation> = {}): Promise<Escalation> {
    const latest = (await this.get(e.id)) ?? e;
    const updated = { ...latest, ...changes, notices: [...latest.notices, ...notices] };
    await this.options.store.set(`esc:${e.id}`, updated, KEEP_MS);
    const outcome = await this.outcome(e.id);
    if (outcome) await this.updateNotices(e.id, notices, outcome);
    return updated;
  }

  /** Sends the escalation to every agent: a header, then each suggestion under its buttons. */
  private async notify(e: Escalation, reminder?: number): Promise<Notice[]> {
    const { prompts, logger, transports } = this.options;
    const people = this.options.agents();
    const messages = escalationMessages(e, prompts, {
      group: this.groupName(e),
      time: this.clock(e.message.time),
      ...(reminder ? { reminder: { round: reminder, minutes: Math.round((this.options.remindAfterMs ?? 600_000) / 60_000) * reminder } } : {}),
    });
    const notices: Notice[] = [];
    for (const person of people) {
      const { platform, id: chatId } = parsePerson(person);
      const transport = transports.get(platform);
      if (!transport) continue;
      for (const m of messages) {
        // Agents are at work, not fans: never held by quiet hours.
        const result = await transport.send(chatId, m, { urgent: true });
        if (result.status === 'sent' && result.messageId) notices.push({ platform, chatId, messageId: result.messageId, text: m.text });
        else if (result.status !== 'sent') logger.warn({ escalation: e.id, agent: person, reason: result.reason }, 'escalation not delivered to an agent');
      }
    }
    if (notices.length === 0) logger.error({ escalation: e.id, agents: people.length }, 'no agent could be told of an escalation: set OPSBOT_AGENTS (telegram:<id>) and TELEGRAM_BOT_TOKEN');
    return notices;
  }

  /** The escalation, or undefined once it has expired. */
  get(id: string): Promise<Escalation | undefined> {
    return this.options.store.get<Escalation>(`esc:${id}`);
  }

  /** How the escalation ended, or undefined while it is open. */
  outcome(id: string): Promise<EscalationOutcome | undefined> {
    return this.options.store.get<EscalationOutcome>(`esc-outcome:${id}`);
  }

  /** Handles 发送 / 修改 / 忽略 under an escalation. */
  async handleAction(ctx: ActionContext): Promise<void> {
    const { prompts } = this.options;
    const [, id = '', op = '', n = ''] = ctx.data.split(':');
    const e = await this.get(id);
    if (!e) return ctx.answer(prompts.render('cs/esc-gone'));
    const by = { platform: ctx.platform, id: ctx.sender.id, name: ctx.sender.name };
    if (op === 'e') {
      const text = e.suggestions[Number(n)]?.text ?? '';
      if (await this.alreadyHandled(e, (t) => ctx.answer(t))) return;
      await this.options.store.set(`esc-editing:${ctx.platform}:${ctx.sender.id}`, { id }, EDIT_WAIT_MS);
      await ctx.answer(prompts.render('cs/esc-toast-edit'));
      await ctx.reply(prompts.render('cs/esc-edit-prompt', { group: this.groupName(e), fan: e.message.sender.name, text: text || '—' }));
      return;
    }
    if (op === 'i') {
      if (!(await this.take(e, (t) => ctx.answer(t)))) return;
      await this.finish(e, { status: 'ignored', by, at: new Date(this.now).toISOString() });
      ctx.logger.info({ escalation: id, by: ctx.sender.id }, 'escalation ignored');
      return ctx.answer(prompts.render('cs/esc-toast-ignored'));
    }
    const suggestion = e.suggestions[Number(n)];
    if (op !== 's' || !suggestion) return ctx.answer(prompts.render('cs/esc-gone'));
    if (!(await this.take(e, (t) => ctx.answer(t)))) return;
    // The press is answered now; the reply waits its turn in the fan platform's paced queue, and the
    // agent hears how it went (the copies are updated on success, a message on failure).
    await ctx.answer(prompts.render('cs/esc-toast-sending', { group: this.groupName(e), fan: e.message.sender.name }));
    this.background(
      this.deliver(e, suggestion.text, by).then(async (result) => {
        if (result.status !== 'sent') await ctx.reply(prompts.render('cs/esc-send-failed', { fan: e.message.sender.name, reason: result.reason ?? '' }));
      }),
      e.id,
    );
  }

  private readonly pending = new Set<Promise<unknown>>();

  private background(task: Promise<unknown>, id: string): void {
    const tracked = task.catch((err: unknown) => this.options.logger.error({ err, escalation: id }, 'escalation reply failed'));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** Waits for replies on their way (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /**
   * Middleware: an agent who pressed 修改 sends the edited reply as their next private message (or
   * 取消). Everything else passes on.
   */
  editMiddleware(): Middleware {
    return async (ctx, next) => {
      // A forwarded customer message is a request for suggestions, never the edited reply.
      if (ctx.chat.type !== 'private' || ctx.role === 'fan' || ctx.forwarded || ctx.text.startsWith('/')) return next();
      const key = `esc-editing:${ctx.platform}:${ctx.sender.id}`;
      const pending = await this.options.store.get<{ id: string }>(key);
      if (!pending) return next();
      const { prompts } = this.options;
      if (new RegExp(`^(${prompts.render('cs/esc-cancel-words')})$`, 'i').test(ctx.text.trim())) {
        await this.options.store.delete(key);
        await ctx.reply(prompts.render('cs/esc-edit-cancelled'));
        return;
      }
      const e = await this.get(pending.id);
      if (!e) {
        await this.options.store.delete(key);
        await ctx.reply(prompts.render('cs/esc-gone'));
        return;
      }
      if (!(await this.take(e, async (t) => void (await ctx.reply(t))))) {
        await this.options.store.delete(key);
        return;
      }
      const text = ctx.text.trim();
      const by = { platform: ctx.platform, id: ctx.sender.id, name: ctx.sender.name };
      this.background(
        this.deliver(e, text, by).then(async (result) => {
          if (result.status === 'sent') {
            await this.options.store.delete(key);
            await ctx.reply(prompts.render('cs/esc-edit-sent', { group: this.groupName(e), fan: e.message.sender.name }));
          } else {
            await ctx.reply(prompts.render('cs/esc-edit-failed', { reason: result.reason ?? '' }));
          }
        }),
        e.id,
      );
    };
  }

  /** Posts `text` to the fan (the caller has taken the escalation); on failure frees it again. */
  private async deliver(e: Escalation, text: string, by: EscalationOutcome['by']): Promise<SendResult> {
    const transport = this.options.transports.get(e.message.platform);
    const replyTo: IncomingMessage = { ...e.message, time: new Date(e.message.time) };
    // An answer to the fan's message: it mentions the fan in a group, and goes through the paced queue.
    const result: SendResult = transport
      ? await transport.send(e.message.chat.id, { kind: 'text', text }, { replyTo }).catch((err: unknown) => ({ status: 'failed' as const, reason: (err as Error).message }))
      : { status: 'failed', reason: `${e.message.platform} is not running in this process` };
    if (result.status !== 'sent') {
      // Not sent: free it again, so the agent (or another) can retry; nothing is lost.
      await this.options.store.release(`esc-claim:${e.id}`);
      this.options.logger.warn({ escalation: e.id, reason: result.reason }, 'escalation reply not sent; open again');
      return result;
    }
    await this.finish(e, { status: 'sent', by, at: new Date(this.now).toISOString(), text });
    this.options.logger.info({ escalation: e.id, by: by.id, sendId: result.id }, 'escalation answered');
    return result;
  }

  /** The one atomic step that makes one agent the handler; the others are told who was first. */
  private async take(e: Escalation, tell: (t: string) => Promise<void>): Promise<boolean> {
    if (await this.alreadyHandled(e, tell)) return false;
    if (await this.options.store.setIfAbsent(`esc-claim:${e.id}`, CLAIM_MS)) return true;
    // Taken a moment ago and not finished yet: someone's reply is on its way.
    if (!(await this.alreadyHandled(e, tell))) await tell(this.options.prompts.render('cs/esc-in-progress'));
    return false;
  }

  private async alreadyHandled(e: Escalation, tell: (t: string) => Promise<void>): Promise<boolean> {
    const done = await this.outcome(e.id);
    if (done) await tell(this.options.prompts.render('cs/esc-taken', { who: done.by.name, time: this.clock(done.at) }));
    return done !== undefined;
  }

  /** Records the outcome and updates every agent's copy: the status under the header, no more buttons. */
  private async finish(e: Escalation, outcome: EscalationOutcome): Promise<void> {
    const { store } = this.options;
    await store.set(`esc-outcome:${e.id}`, outcome, KEEP_MS);
    await this.updateNotices(e.id, ((await this.get(e.id)) ?? e).notices, outcome);
  }

  private async updateNotices(id: string, notices: readonly Notice[], outcome: EscalationOutcome): Promise<void> {
    const { prompts, transports, logger } = this.options;
    const status =
      outcome.status === 'sent'
        ? prompts.render('cs/esc-handled-sent', { who: outcome.by.name, time: this.clock(outcome.at), text: outcome.text ?? '' })
        : prompts.render('cs/esc-handled-ignored', { who: outcome.by.name, time: this.clock(outcome.at) });
    for (const notice of notices) {
      const transport = transports.get(notice.platform);
      if (!transport?.edit) continue;
      const result = await transport.edit(notice.chatId, notice.messageId, { kind: 'text', text: `${notice.text}\n\n${status}` });
      if (result.status !== 'sent') logger.warn({ escalation: id, reason: result.reason }, 'could not update an agent\'s copy');
    }
  }

  /** Sends again what has waited `remindAfterMs` without an answer; returns how many. Once per round across processes. */
  async remind(): Promise<number> {
    const { store, logger } = this.options;
    const after = this.options.remindAfterMs ?? 10 * 60_000;
    const max = this.options.maxReminders ?? 3;
    let count = 0;
    // A process that cannot reach the agents must not take a round it cannot send.
    if (!this.reachable()) return 0;
    for (const [, e] of await store.list<Escalation>('esc:')) {
      if (e.reminders >= max || this.now - Date.parse(e.notifiedAt) < after) continue;
      if (await this.outcome(e.id)) continue;
      const round = e.reminders + 1;
      if (!(await store.setIfAbsent(`esc-remind:${e.id}:${round}`, KEEP_MS))) continue;
      const notices = await this.notify(e, round);
      await this.addNotices(e, notices, { notifiedAt: new Date(this.now).toISOString(), reminders: round });
      logger.info({ escalation: e.id, round }, 'escalation reminder sent');
      count++;
    }
    return count;
  }

  /** Checks for unanswered escalations every `everyMs` until stop(). */
  start(everyMs = 60_000): void {
    this.timer ??= setInterval(() => {
      this.remind().catch((err: unknown) => this.options.logger.error({ err }, 'escalation reminders failed'));
    }, everyMs);
    this.timer.unref();
  }

  /** Stops the reminders. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
