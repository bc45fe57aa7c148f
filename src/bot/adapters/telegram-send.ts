import { autoRetry } from '@grammyjs/auto-retry';
import { AsyncLocalStorage } from 'node:async_hooks';
import { GrammyError, HttpError, InputFile, type Api, type Transformer } from 'grammy';
import type { Logger } from '../../kernel/logger.js';
import type { IncomingMessage, MembershipEvent, Outbound, SendResult } from '../context.js';
import { Reason } from '../deliveries/reasons.js';
import type { Store } from '../store/index.js';
import { escapeHtml, escapeHtmlWithin, keyboard, splitForTelegram, TELEGRAM_MAX_TEXT } from './telegram-format.js';

/** The longest 429 wait held inside a send; a longer one fails the send. */
const MAX_WAIT_S = 30;

/** Calls that the adapter retries on its own schedule (connecting, polling): auto-retry must not wait inside them. */
const OWN_RETRIES = new Set(['getMe', 'getUpdates']);

/** Network errors of a call that never reached Telegram: safe to make again (a timeout or a reset is not: it may have been sent). */
const NEVER_REACHED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

function neverReached(err: unknown): err is HttpError {
  return err instanceof HttpError && NEVER_REACHED.has(String((err.error as { code?: unknown } | undefined)?.code));
}

export interface TelegramSenderOptions {
  readonly api: Api;
  /** The bot's id: the account in membership events and the key of moved chats. */
  readonly account: string;
  readonly store: Store;
  readonly logger: Logger;
  /** The app's clock, on which deadlines are read. */
  readonly now: () => number;
  /** Told of a group that removed the bot (bot-left) or moved to a new id (migrated). */
  readonly onMembership: (event: MembershipEvent) => Promise<void>;
  /** While the API cannot be reached, a send tries again this often... Default 5 s. */
  readonly retryMs?: number;
  /** ...for at most this long (and never past its deadline). Default 60 s. */
  readonly holdMs?: number;
}

export interface SendNowOptions {
  readonly replyTo?: IncomingMessage;
  /** Epoch ms (app clock) after which the send is stale: a 429 wait must not run past it. */
  readonly deadline?: number;
}

/**
 * Telegram's sends, for the paced queue: texts split to Telegram's size, mentions as links, pictures with
 * their caption as a fallback, and Telegram's refusals handled by kind (see `send`). Its transformer
 * bounds auto-retry: 429s are waited out when short (and within the send's deadline), 5xx back off.
 */
export class TelegramSender {
  /** Chats that asked for a wait too long to hold, until when, and why (sends to them fail meanwhile). */
  private readonly waitUntil = new Map<string, { until: number; reason: string }>();
  /** Groups upgraded to supergroups: old id → new id (also kept in the store). */
  private readonly movedChats = new Map<string, string>();
  /** The send being made (its deadline), for the retry transformer. */
  private readonly sending = new AsyncLocalStorage<{ readonly deadline?: number }>();

  private closed = false;
  private readonly pauses = new Set<() => void>();

  constructor(private readonly options: TelegramSenderOptions) {}

  /** Ends the waits for an API that is away: those sends are dropped now (the process is stopping). */
  close(): void {
    this.closed = true;
    for (const wake of this.pauses) wake();
  }

  /** Takes sends again after `close` (the adapter started again). */
  open(): void {
    this.closed = false;
  }

  /**
   * The API transformer to install: auto-retry's defaults retry forever, wait as long as Telegram asks
   * and retry network errors without limit; here waits and tries are bounded, network errors go through
   * (the send fails with its reason; polling and connecting retry on their own schedule).
   */
  readonly retries: Transformer = (prev, method, payload, signal) => {
    if (OWN_RETRIES.has(method)) return prev(method, payload, signal);
    // A send due by a deadline waits only as long as its deadline allows (a stale push is not sent late).
    const deadline = this.sending.getStore()?.deadline;
    const left = deadline === undefined ? MAX_WAIT_S : Math.floor((deadline - this.options.now()) / 1000);
    return autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: Math.max(0, Math.min(MAX_WAIT_S, left)), rethrowHttpErrors: true })(prev, method, payload, signal);
  };

  /** Sends one message now (the queue has paced it). */
  send(chatId: string, content: Outbound, options: SendNowOptions): Promise<SendResult> {
    return this.sending.run(options.deadline !== undefined ? { deadline: options.deadline } : {}, () => this.sendNow(chatId, content, options));
  }

  /**
   * One send through the queue, with Telegram's refusals handled by kind: a chat moved to a supergroup
   * is followed (and remembered), a 429 whose wait is too long to hold fails, and so does every later
   * send to that chat until the wait is over, without asking again; a group that removed the bot fails
   * and is marked left.
   */
  private async sendNow(chatId: string, content: Outbound, options: SendNowOptions, hops = 0): Promise<SendResult> {
    const target = await this.currentId(chatId);
    const wait = this.waitUntil.get(target);
    if (wait && wait.until > Date.now()) return { status: 'failed', reason: wait.reason };
    try {
      return await this.sendTo(target, content, options);
    } catch (err) {
      if (neverReached(err) && options.deadline !== undefined && this.options.now() + (this.options.retryMs ?? 5_000) > options.deadline) {
        return { status: 'expired', reason: `${Reason.PAST_DEADLINE} ${new Date(options.deadline).toISOString()} (${err.message})` };
      }
      if (neverReached(err) && this.closed) return { status: 'dropped', reason: Reason.SHUTTING_DOWN };
      if (!(err instanceof GrammyError)) return { status: 'failed', reason: (err as Error).message };
      const movedTo = err.parameters?.migrate_to_chat_id;
      if (movedTo !== undefined && hops < 2) {
        await this.moved(target, String(movedTo));
        return this.sendNow(String(movedTo), content, options, hops + 1);
      }
      const said = `${err.error_code}: ${err.description}`;
      const retryAfter = err.parameters?.retry_after;
      if (err.error_code === 429 && retryAfter !== undefined) {
        // auto-retry has waited out the short ones; this one is past the bound, or past the send's deadline.
        if (retryAfter <= MAX_WAIT_S && options.deadline !== undefined && this.options.now() + retryAfter * 1000 > options.deadline) {
          return { status: 'expired', reason: `${Reason.PAST_DEADLINE} ${new Date(options.deadline).toISOString()} (${said})` };
        }
        const reason = `${Reason.RATE_LIMITED} (${said})`;
        this.waitUntil.set(target, { until: Date.now() + retryAfter * 1000, reason });
        return { status: 'failed', reason };
      }
      if (err.error_code === 403 && target.startsWith('-')) {
        await this.options.onMembership({ platform: 'telegram', account: this.options.account, chat: { id: target }, kind: 'bot-left', people: [] });
        return { status: 'failed', reason: `${Reason.BOT_REMOVED} (${said})` };
      }
      return { status: 'failed', reason: said };
    }
  }

  /** The id a chat has now: a group upgraded to a supergroup answers on its new id. */
  private async currentId(chatId: string): Promise<string> {
    const known = this.movedChats.get(chatId) ?? (await this.options.store.get<string>(`tg-moved:${this.options.account}:${chatId}`).catch(() => undefined));
    if (known) this.movedChats.set(chatId, known);
    return known ?? chatId;
  }

  /** Remembers (for every process) that `from` is now `to`, and tells the group registry. */
  async moved(from: string, to: string): Promise<void> {
    this.movedChats.set(from, to);
    this.options.logger.info({ chatId: from, movedTo: to }, 'telegram: the group was upgraded to a supergroup; its new id is used from now on');
    await this.options.store.set(`tg-moved:${this.options.account}:${from}`, to);
    await this.options.onMembership({ platform: 'telegram', account: this.options.account, chat: { id: from }, kind: 'migrated', movedTo: to, people: [] });
  }

  private async sendTo(chatId: string, content: Outbound, options: { replyTo?: IncomingMessage }): Promise<SendResult> {
    // Quote the question in a group, and a forwarded message (several may be waiting for their
    // suggestions); still answer if it was deleted meanwhile.
    const reply =
      options.replyTo && (options.replyTo.chat.type === 'group' || options.replyTo.forwarded)
        ? { reply_parameters: { message_id: Number(options.replyTo.messageId), allow_sending_without_reply: true } }
        : {};
    if (content.kind === 'image') {
      try {
        await this.untilReached(() => this.options.api.sendPhoto(chatId, new InputFile(content.data), { ...(content.caption ? { caption: content.caption } : {}) }));
        return { status: 'sent' };
      } catch (err) {
        // A picture is extra; the words must still arrive.
        this.options.logger.warn({ err, chatId }, 'telegram: sendPhoto failed; sending the caption as text');
        if (!content.caption) throw err;
        return this.sendTo(chatId, { kind: 'text', text: content.caption }, options);
      }
    }
    if (content.kind === 'mention') {
      // A real mention: a link to the person, which notifies them, not just their name as text.
      const links = content.mentions.map((p) => `<a href="tg://user?id=${encodeURIComponent(p.id)}">${escapeHtml(p.name)}</a>`).join(' ');
      // Cut before escaping: a cut after could split an entity (`&amp;`), and Telegram refuses the whole message.
      const text = `${links} ${escapeHtmlWithin(content.text, Math.max(0, TELEGRAM_MAX_TEXT - links.length - 1))}`;
      const sent = await this.untilReached(() => this.options.api.sendMessage(chatId, text, { ...reply, parse_mode: 'HTML' }));
      return { status: 'sent', messageId: String(sent.message_id) };
    }
    const pieces = splitForTelegram(content.text);
    let last: { message_id: number } | undefined;
    for (const [i, piece] of pieces.entries()) {
      // Buttons go under the last piece, where the reader ends up.
      const markup = i === pieces.length - 1 && content.buttons?.length ? { reply_markup: keyboard(content.buttons) } : {};
      // Each piece on its own: a piece already sent is never sent again.
      last = await this.untilReached(() => this.options.api.sendMessage(chatId, piece, { ...reply, ...markup }));
    }
    return { status: 'sent', ...(last ? { messageId: String(last.message_id) } : {}) };
  }

  /**
   * Makes one API call, again every `retryMs` while it cannot reach Telegram at all (an outage): for at
   * most `holdMs`, never past the send's deadline, not once the process stops. Anything else is thrown.
   */
  private async untilReached<T>(call: () => Promise<T>): Promise<T> {
    const retryMs = this.options.retryMs ?? 5_000;
    const since = Date.now();
    let said = false;
    for (;;) {
      try {
        return await call();
      } catch (err) {
        const deadline = this.sending.getStore()?.deadline;
        const late = (deadline !== undefined && this.options.now() + retryMs > deadline) || Date.now() - since + retryMs > (this.options.holdMs ?? 60_000);
        if (!neverReached(err) || this.closed || late) throw err;
        if (!said) this.options.logger.warn({ reason: String((err.error as { code?: unknown } | undefined)?.code) }, 'telegram: the Bot API cannot be reached; a send waits for it');
        said = true;
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            this.pauses.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, retryMs);
          this.pauses.add(wake);
        });
      }
    }
  }
}
