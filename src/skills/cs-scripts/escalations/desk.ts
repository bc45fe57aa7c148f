import { randomBytes } from 'node:crypto';
import { Reason } from '../../../bot/deliveries/reasons.js';
import { storedMessage, type IncomingMessage, type SendResult } from '../../../bot/context.js';
import type { Outbox } from '../../../bot/outbox/types.js';
import type { Scheduler } from '../../../bot/scheduler/types.js';
import type { Store } from '../../../bot/store/index.js';
import type { Transports } from '../../../bot/transports.js';
import type { Logger } from '../../../kernel/logger.js';
import type { Prompts } from '../../../kernel/prompts.js';
import type { Intent } from '../intents.js';
import type { Suggestion } from '../scripts.js';
import { EscalationRecords, type Escalation, type EscalationOutcome, type Notice } from './model.js';
import { AgentNotices } from './notices.js';

/** The scheduler's job kind for an unanswered escalation sent again. */
export const REMINDER_JOB = 'escalation-reminder';

/** A reply to a fan that has not gone out within this long is expired, so a retry can never make it twice. */
const REPLY_TTL_MS = 2 * 60_000;

export interface EscalationDeskOptions {
  readonly store: Store;
  readonly outbox: Outbox;
  readonly scheduler: Scheduler;
  readonly transports: Transports;
  readonly prompts: Prompts;
  readonly logger: Logger;
  /** Who gets escalations: `platform:userId` of the agents (the admins when there are none). */
  readonly agents: () => readonly string[];
  readonly tz: string;
  /** An unanswered escalation is sent again after this long. Default 10 minutes. */
  readonly remindAfterMs?: number;
  /** At most this many reminders. Default 3. */
  readonly maxReminders?: number;
  /** How long a reply to the fan may wait in its platform's queue. Default 2 minutes. */
  readonly replyTtlMs?: number;
  readonly now?: () => number;
}

/**
 * Escalations: a fan's complaint (or return, parcel, special request) goes to the agents with the
 * suggested replies, each under 发送 / 修改 / 忽略. The first agent to act takes it (one atomic store
 * operation, so two agents or two processes never both answer); what they approve goes to the fan
 * through the outbox of the fan's platform account, mentioning the fan, whichever process runs it; the
 * outcome records who and when, and every agent's copy is updated. Unanswered escalations are sent
 * again by the scheduler, every 10 minutes, at most three times.
 */
export class EscalationDesk {
  readonly records: EscalationRecords;
  private readonly notices: AgentNotices;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly options: EscalationDeskOptions) {
    this.records = new EscalationRecords(options.store);
    this.notices = new AgentNotices({
      ...options,
      now: () => this.now,
      clock: (iso) => this.clock(iso),
      groupName: (e) => this.groupName(e),
      remindAfterMs: this.remindAfterMs,
    });
  }

  /** Epoch ms on the desk's clock. */
  get now(): number {
    return (this.options.now ?? Date.now)();
  }

  private get remindAfterMs(): number {
    return this.options.remindAfterMs ?? 10 * 60_000;
  }

  /** A time as the agents read it: `11/24 10:00`. */
  clock(iso: string): string {
    return new Intl.DateTimeFormat('zh-CN', { timeZone: this.options.tz, month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
  }

  /** The group's name, or "私聊" for a private chat. */
  groupName(e: Escalation): string {
    return e.message.chat.type === 'group' ? e.message.chat.title ?? e.message.chat.id : this.options.prompts.render('cs/esc-private-chat');
  }

  /** The escalation, or undefined once it has expired. */
  get(id: string): Promise<Escalation | undefined> {
    return this.records.get(id);
  }

  /** How the escalation ended, or undefined while it is open. */
  outcome(id: string): Promise<EscalationOutcome | undefined> {
    return this.records.outcome(id);
  }

  /** Records an escalation for `message`, sends it to the agents, and schedules the first reminder. */
  async open(message: IncomingMessage, intent: Intent, suggestions: readonly Suggestion[]): Promise<Escalation> {
    const at = new Date(this.now).toISOString();
    const base: Escalation = { id: randomBytes(6).toString('base64url'), createdAt: at, message: storedMessage(message), intent, suggestions, notices: [], notifiedAt: at, reminders: 0 };
    // Stored before anyone is told: an agent may press a button before the last copy is out.
    await this.records.save(base);
    const notices = await this.notices.notify(base);
    const escalation = await this.addNotices(base, notices);
    await this.records.setFanOpen(message, base.id);
    await this.scheduleReminder(base.id, 1);
    this.options.logger.info({ escalation: escalation.id, intent, chatId: message.chat.id, agents: notices.length }, 'escalated to agents');
    return escalation;
  }

  private async scheduleReminder(id: string, round: number): Promise<void> {
    const at = new Date(this.now + this.remindAfterMs);
    // A reminder later than the next one would be is no use.
    await this.options.scheduler.schedule({ id: `esc:${id}:remind:${round}`, kind: REMINDER_JOB, at, deadline: new Date(at.getTime() + this.remindAfterMs), payload: { id, round } });
  }

  /** The fan's escalation in this chat from the last 30 minutes that nobody has handled yet. */
  async openFor(message: IncomingMessage): Promise<Escalation | undefined> {
    const id = await this.records.fanOpen(message);
    if (!id || (await this.records.outcome(id))) return undefined;
    return this.records.get(id);
  }

  /** A further message from a fan whose escalation is open: the agents see it, no new escalation. */
  async followUp(e: Escalation, message: IncomingMessage): Promise<void> {
    await this.notices.followUp(e, message);
    await this.records.setFanOpen(message, e.id);
  }

  /** Keeps the copies just sent; if someone handled it meanwhile, those copies are updated at once. */
  private async addNotices(e: Escalation, notices: readonly Notice[], changes: Partial<Escalation> = {}): Promise<Escalation> {
    const latest = (await this.records.get(e.id)) ?? e;
    const updated = { ...latest, ...changes, notices: [...latest.notices, ...notices] };
    await this.records.save(updated);
    const outcome = await this.records.outcome(e.id);
    if (outcome) await this.notices.showOutcome(e.id, notices, outcome);
    return updated;
  }

  /** The reminder job: sends the escalation again if nobody has handled it, and schedules the next round. */
  async remind(payload: { readonly id: string; readonly round: number }): Promise<{ note?: string }> {
    const e = await this.records.get(payload.id);
    if (!e || (await this.records.outcome(payload.id))) return { note: 'handled' };
    const notices = await this.notices.notify(e, payload.round);
    await this.addNotices(e, notices, { notifiedAt: new Date(this.now).toISOString(), reminders: payload.round });
    if (payload.round < (this.options.maxReminders ?? 3)) await this.scheduleReminder(e.id, payload.round + 1);
    this.options.logger.info({ escalation: e.id, round: payload.round, agents: notices.length }, 'escalation reminder sent');
    return {};
  }

  /** Runs `task` after the answer, tracked so a shutdown (or a test) can wait for it. */
  background(task: Promise<unknown>, id: string): void {
    const tracked = task.catch((err: unknown) => this.options.logger.error({ err, escalation: id }, 'escalation reply failed'));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** Waits for replies on their way (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /**
   * Posts `text` to the fan (the caller has taken the escalation) through the outbox of the fan's
   * platform account, and waits for its outcome; on failure frees the escalation again (on an uncertain
   * outcome it stays taken). Each try is its own entry with a short deadline, so a try that could not go
   * out can never go out after a retry.
   */
  async deliver(e: Escalation, text: string, by: EscalationOutcome['by']): Promise<SendResult> {
    const { outbox, logger } = this.options;
    const { platform } = e.message;
    let result: SendResult;
    if (!(await outbox.online(platform))) {
      result = { status: 'failed', reason: `${platform} ${Reason.NOT_RUNNING}` };
    } else {
      const ttl = this.options.replyTtlMs ?? REPLY_TTL_MS;
      const { entry } = await outbox.push({
        platform,
        ...(e.message.account ? { account: e.message.account } : {}),
        chat: e.message.chat.id,
        content: { kind: 'text', text },
        source: `escalation:${e.id}`,
        dedupeKey: `escalation:${e.id}:reply:${await this.records.nextTry(e.id)}`,
        // An answer to the fan's message: it mentions the fan in a group, and goes first in the queue.
        replyTo: e.message,
        deadline: new Date(this.now + ttl),
      });
      // No answer by its deadline (and a margin): it might have reached the platform at the last moment.
      result = (await outbox.result(entry, ttl + 15_000)) ?? { status: 'uncertain', reason: Reason.NO_ANSWER };
    }
    if (result.status === 'uncertain') {
      // It may have reached the fan: the escalation stays taken (for CLAIM_MS), so nobody sends it twice.
      logger.warn({ escalation: e.id, reason: result.reason }, 'escalation reply may have been sent; kept taken');
      return result;
    }
    if (result.status !== 'sent') {
      // Not sent: free it again, so the agent (or another) can retry; nothing is lost.
      await this.records.release(e.id);
      logger.warn({ escalation: e.id, reason: result.reason }, 'escalation reply not sent; open again');
      return result;
    }
    await this.finish(e, { status: 'sent', by, at: new Date(this.now).toISOString(), text });
    logger.info({ escalation: e.id, by: by.id }, 'escalation answered');
    return result;
  }

  /** The one atomic step that makes one agent the handler; the others are told who was first. */
  async take(e: Escalation, tell: (t: string) => Promise<void>): Promise<boolean> {
    if (await this.alreadyHandled(e, tell)) return false;
    if (await this.records.claim(e.id)) return true;
    // Taken a moment ago and not finished yet: someone's reply is on its way.
    if (!(await this.alreadyHandled(e, tell))) await tell(this.options.prompts.render('cs/esc-in-progress'));
    return false;
  }

  /** True (and the agent told who and when) if someone has handled it already. */
  async alreadyHandled(e: Escalation, tell: (t: string) => Promise<void>): Promise<boolean> {
    const done = await this.records.outcome(e.id);
    if (done) await tell(this.options.prompts.render('cs/esc-taken', { who: done.by.name, time: this.clock(done.at) }));
    return done !== undefined;
  }

  /** Records the outcome, cancels the reminder still waiting, and updates every agent's copy. */
  async finish(e: Escalation, outcome: EscalationOutcome): Promise<void> {
    await this.records.saveOutcome(e.id, outcome);
    const latest = (await this.records.get(e.id)) ?? e;
    await this.options.scheduler.cancel(`esc:${e.id}:remind:${latest.reminders + 1}`);
    await this.notices.showOutcome(e.id, latest.notices, outcome);
  }
}
