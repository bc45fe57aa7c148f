import type { Logger } from '../kernel/logger.js';
import { Reason } from './deliveries/reasons.js';
import type { IncomingMessage, Outbound, Platform, SendOptions, SendResult, Transport } from './context.js';
import { drawGap, quietWaitMs, RATE_LIMITED, withinHourlyCap, type Gap } from './send-pacing.js';
import type { Store } from './store/index.js';

export { localMinutes, type Gap } from './send-pacing.js';

export interface SendQueueOptions {
  /** The account's real platform send. */
  readonly transport: Transport;
  /** The hourly caps; every outcome ends in its delivery log. */
  readonly store: Store;
  readonly logger: Logger;
  readonly platform: Platform;
  /** Names the account in logs and store keys (one queue per account). */
  readonly account: string;
  /** The account's platform id for the delivery log, once known (a WeChat login's id). */
  readonly accountId?: () => string | undefined;
  readonly tz: string;
  /** Between two messages to the same chat. Default 2–5 s. */
  readonly gap?: Gap;
  /** Before a message to a different chat than the last. Default 5–10 s. */
  readonly chatSwitchGap?: Gap;
  /** Pushes (not replies) to one chat per clock hour. Default 20. */
  readonly hourlyCapPerChat?: number;
  /** Local `HH:MM` range in which pushes wait; replies are never held. Default 23:00–08:00. */
  readonly quietHours?: { readonly start: string; readonly end: string };
  /** After a rate-limit error ("发送消息过于频繁", 429) nothing is sent for this long. Default 10 min. */
  readonly cooldownMs?: number;
  /** Told once each time sending stops on a rate-limit error, so operators hear of it. */
  readonly onCircuitOpen?: (reason: string) => void;
  /** Pause the whole account on a rate-limit error (WeChat); off where the client retries by itself (Telegram). Default on. */
  readonly circuitBreaker?: boolean;
  /** Seeded in tests. */
  readonly random?: () => number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface Item {
  readonly id: string;
  readonly chatId: string;
  readonly content: Outbound;
  readonly replyTo?: IncomingMessage;
  readonly source: string;
  readonly deadline?: number;
  readonly attempt?: () => Promise<boolean>;
  /** Quiet hours were already waited out (by the outbox): never held, never dropped at a night-time shutdown. */
  readonly pastQuietHours?: boolean;
  /** An attempt reached nothing (the account was offline): its once-marker and cap unit are not taken again. */
  readonly attempted?: boolean;
  readonly resolve: (r: SendResult) => void;
}

/**
 * One queue per account: every write to the platform goes through it, one at a time, with randomized
 * gaps, so a bulk push never leaves as a burst. Replies to someone who just asked go first and are never
 * held by quiet hours; pushes wait out quiet hours and stop at a per-chat hourly cap. Each send ends with
 * an honest status (sent, failed with its reason, dropped, expired past its deadline, or uncertain when
 * an earlier attempt may have sent it), logged and kept in the delivery log.
 */
export class SendQueue implements Transport {
  private readonly replies: Item[] = [];
  private readonly pushes: Item[] = [];
  private lastChat?: string;
  private lastSentAt = -Infinity;
  private pausedUntil = 0;
  private running?: Promise<void>;
  private seq = 0;
  private closed = false;
  /** Several processes may share one store: send ids carry a tag of this queue's own. */
  private readonly tag = Math.random().toString(36).slice(2, 8);
  /** Ends a quiet-hours wait early: a reply arrived, or the queue is draining. */
  private wake?: () => void;
  /** Set while the account is offline (a WeChat logout): sends wait for it to open instead of failing one by one. */
  private offlineGate?: { readonly opened: Promise<void>; readonly open: () => void };

  constructor(private readonly options: SendQueueOptions) {}

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  private draw(gap: Gap): number {
    return drawGap(gap, this.options.random ?? Math.random);
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return (this.options.sleep ?? ((t: number) => new Promise((r) => setTimeout(r, t))))(ms);
  }

  /**
   * Queues a message; resolves with its outcome once it has been sent, has failed or was dropped. A reply
   * (`replyTo`) or an `urgent` message (an alert to operators) goes first and is never held by quiet hours.
   */
  send(chatId: string, content: Outbound, options: SendOptions = {}): Promise<SendResult> {
    const id = options.id ?? `${this.options.account}:${this.tag}:${this.now}:${++this.seq}`;
    return new Promise<SendResult>((resolve) => {
      const item: Item = {
        id,
        chatId,
        content,
        ...(options.replyTo ? { replyTo: options.replyTo } : {}),
        source: options.source ?? (options.replyTo ? 'reply' : 'push'),
        ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
        ...(options.attempt ? { attempt: options.attempt } : {}),
        ...(options.pastQuietHours ? { pastQuietHours: true } : {}),
        resolve,
      };
      if (this.closed) return void this.finish(item, { status: 'dropped', reason: Reason.SHUTTING_DOWN });
      (item.replyTo || options.urgent ? this.replies : this.pushes).push(item);
      // A quiet-hours wait ends early for what is never held.
      if (item.replyTo || options.urgent || options.pastQuietHours) this.wake?.();
      this.kick();
    });
  }

  private kick(): void {
    this.running ??= this.work().finally(() => {
      this.running = undefined;
      // A message queued while the worker was finding the queue empty must not be left behind.
      if (this.pending > 0) this.kick();
    });
  }

  /** The account went offline (logged out): what is queued waits until `online()` instead of failing. */
  offline(): void {
    if (this.offlineGate) return;
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.offlineGate = { opened, open };
    this.options.logger.warn({ account: this.options.account, pending: this.pending }, 'account offline: sends wait for it to log in again');
  }

  /** The account is back: what waited goes out, paced as ever. */
  online(): void {
    const gate = this.offlineGate;
    this.offlineGate = undefined;
    gate?.open();
  }

  /** Messages waiting to go out. */
  get pending(): number {
    return this.replies.length + this.pushes.length;
  }

  /**
   * Stops taking messages and resolves once what was queued has gone out, paced as ever. Pushes held by
   * quiet hours are dropped (a shutdown at 23:30 does not wait for morning); their senders are told.
   */
  async drain(): Promise<void> {
    this.closed = true;
    this.wake?.();
    // Logged out at shutdown: what waits for the login is dropped, and its senders told (below).
    this.offlineGate?.open();
    while (this.running) await this.running;
  }

  private async work(): Promise<void> {
    for (;;) {
      const item = this.replies.shift() ?? (await this.nextPush());
      if (!item) return;
      await this.sleep(this.pausedUntil - this.now);
      const gap = this.draw(item.chatId === this.lastChat ? this.options.gap ?? [2_000, 5_000] : this.options.chatSwitchGap ?? [5_000, 10_000]);
      await this.sleep(this.lastSentAt + gap - this.now);
      if (this.offlineGate && !this.closed) await this.offlineGate.opened;
      if (this.offlineGate && this.closed) {
        await this.finish(item, { status: 'dropped', reason: Reason.OFFLINE_SHUTDOWN });
        continue;
      }
      await this.deliver(item);
    }
  }

  /** The next push, after waiting out quiet hours (replies that arrive meanwhile go first). */
  private async nextPush(): Promise<Item | undefined> {
    while (this.pushes.length > 0) {
      const wait = this.quietWaitMs();
      if (wait === 0) return this.pushes.shift();
      // The outbox already held these through quiet hours (in the store): they go now.
      const cleared = this.pushes.findIndex((p) => p.pastQuietHours);
      if (cleared >= 0) return this.pushes.splice(cleared, 1)[0];
      if (this.closed) {
        for (const item of this.pushes.splice(0)) void this.finish(item, { status: 'dropped', reason: Reason.QUIET_SHUTDOWN });
        return undefined;
      }
      this.options.logger.info({ account: this.options.account, waitMs: wait, pending: this.pushes.length }, 'quiet hours: pushes wait');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(wait, 60_000));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      if (this.replies.length > 0) return this.replies.shift();
    }
    return undefined;
  }

  /** Epoch ms when quiet hours end, if a push would be held now; else 0. */
  quietUntil(): number {
    const wait = this.quietWaitMs();
    return wait === 0 ? 0 : this.now + wait;
  }

  private quietWaitMs(): number {
    return quietWaitMs(this.now, this.options.tz, this.options.quietHours);
  }

  private async deliver(item: Item): Promise<void> {
    let result: SendResult;
    try {
      if (item.deadline !== undefined && this.now > item.deadline) {
        result = { status: 'expired', reason: `${Reason.PAST_DEADLINE} ${new Date(item.deadline).toISOString()}` };
      } else if (!item.replyTo && !item.attempted && !(await this.withinCap(item.chatId))) {
        result = { status: 'dropped', reason: Reason.HOURLY_CAP };
      } else if (item.attempt && !item.attempted && !(await item.attempt())) {
        result = { status: 'uncertain', reason: Reason.MAY_HAVE_SENT };
      } else {
        try {
          // The deadline goes along: a platform's wait (a 429's retry_after) must not run past it.
          result = await this.options.transport.send(item.chatId, item.content, {
            ...(item.replyTo ? { replyTo: item.replyTo } : {}),
            ...(item.deadline !== undefined ? { deadline: item.deadline } : {}),
          });
        } catch (err) {
          result = { status: 'failed', reason: (err as Error).message };
        }
        this.lastChat = item.chatId;
        this.lastSentAt = this.now;
        if (result.status === 'failed' && result.notSent && this.offlineGate && !this.closed) {
          // It reached nothing because the account is offline: it goes first once the account is back.
          (item.replyTo ? this.replies : this.pushes).unshift({ ...item, attempted: true });
          return;
        }
        if (result.status === 'failed' && this.options.circuitBreaker !== false && RATE_LIMITED.test(result.reason ?? '')) {
          this.openCircuit(result.reason ?? '');
        }
      }
    } catch (err) {
      // The store is down (the cap could not be checked): fail this send, keep the queue alive.
      result = { status: 'failed', reason: (err as Error).message };
    }
    await this.finish(item, result);
  }

  /** Logs the outcome, keeps it in the delivery log (a store outage is logged, the sender still told), and tells the sender. */
  private async finish(item: Item, result: SendResult): Promise<void> {
    const { store, logger, account, platform } = this.options;
    const level = result.status === 'sent' ? 'info' : 'warn';
    logger[level]({ account, sendId: item.id, chatId: item.chatId, source: item.source, status: result.status, reason: result.reason }, 'send');
    const accountId = this.options.accountId?.();
    await store.tables.deliveries
      .record({
        id: item.id,
        at: new Date(this.now).toISOString(),
        platform,
        ...(accountId ? { account: accountId } : {}),
        chat: item.chatId,
        source: item.source,
        status: result.status,
        ...(result.reason ? { reason: result.reason } : {}),
        ...(result.messageId ? { messageId: result.messageId } : {}),
      })
      .catch((err: unknown) => logger.error({ err, sendId: item.id }, 'delivery not logged'));
    item.resolve({ ...result, id: item.id });
  }

  private withinCap(chatId: string): Promise<boolean> {
    return withinHourlyCap(this.options.store, this.options.account, chatId, this.now, this.options.hourlyCapPerChat ?? 20);
  }

  private openCircuit(reason: string): void {
    this.pausedUntil = this.now + (this.options.cooldownMs ?? 10 * 60_000);
    this.options.logger.error({ account: this.options.account, reason, until: new Date(this.pausedUntil).toISOString() }, 'rate limited: sending paused');
    this.options.onCircuitOpen?.(reason);
  }
}
