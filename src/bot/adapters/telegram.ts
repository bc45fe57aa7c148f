import { sequentialize } from '@grammyjs/runner';
import { timingSafeEqual } from 'node:crypto';
import { Bot, GrammyError, type Context } from 'grammy';
import type { Update } from 'grammy/types';
import type { IncomingMessage, MembershipEvent, Outbound, Role, SendOptions, SendResult, Transport } from '../context.js';
import type { Logger } from '../../kernel/logger.js';
import type { Prompts } from '../../kernel/prompts.js';
import type { Router } from '../router.js';
import { SendQueue, type SendQueueOptions } from '../send-queue.js';
import { keyboard, splitForTelegram, titleOf } from './telegram-format.js';
import { TelegramConnection, type TelegramStartOptions, type TelegramStatus } from './telegram-connection.js';
import { TelegramSender } from './telegram-send.js';

export type { TelegramStatus } from './telegram-connection.js';
import type { Store } from '../store/index.js';

export { splitForTelegram, TELEGRAM_MAX_TEXT } from './telegram-format.js';

export interface TelegramAdapterOptions {
  readonly token: string;
  /** A self-hosted Bot API server (TELEGRAM_API_ROOT); default the official one. */
  readonly apiRoot?: string;
  readonly router: Router;
  readonly store: Store;
  readonly logger: Logger;
  readonly prompts: Prompts;
  readonly tz: string;
  /** Pacing of sends; Telegram allows about 1 message/s per chat and 20/min per group. */
  readonly pacing?: Partial<Pick<SendQueueOptions, 'gap' | 'chatSwitchGap' | 'hourlyCapPerChat' | 'quietHours' | 'random'>>;
  /** The app's clock: deadlines, quiet hours and caps are read on it (OPSBOT_NOW). */
  readonly now?: () => number;
  /** Told when the bot or others join or leave a group. */
  readonly onMembership?: (event: MembershipEvent, transport: Transport) => Promise<void>;
  /** Staff in Telegram (user ids): each gets the command menu of their role in their private chat. */
  readonly staff?: readonly { readonly id: string; readonly role: Role }[];
  /** The wait between tries while the Bot API cannot be reached, connecting or polling. Default 5 s. */
  readonly retryMs?: number;
  /** Told each time the connection's state changes (unreachable, unauthorized, conflict, and back). */
  readonly onStatus?: (status: TelegramStatus, detail: string) => void;
}

/**
 * Telegram through grammY: long polling with the runner (sequential per chat), or webhook updates
 * handed in by the HTTP server. Repeated deliveries of one update_id have one effect. The connection is
 * a state (`status`), never a crash: an API away is retried every `retryMs`; a refused token (401) or a
 * second process polling the same token (409) is reported once and Telegram stays off in this process.
 * Sends go through the paced queue and `TelegramSender` (bounded retries, Telegram's refusals by kind).
 */
export class TelegramAdapter implements Transport {
  readonly bot: Bot;
  private readonly queue: SendQueue;
  private readonly sender: TelegramSender;
  private readonly connection: TelegramConnection;

  /** The bot's id (the token's first part): the account its outbox entries are sent from. */
  get account(): string {
    return this.options.token.split(':')[0]!;
  }

  /** For /healthz: starting, polling, webhook, unreachable, unauthorized, conflict or stopped. */
  get status(): TelegramStatus {
    return this.connection.status;
  }

  /** True while Telegram does not work in this process (for /healthz's `ok`). */
  get down(): boolean {
    return this.connection.down;
  }

  constructor(private readonly options: TelegramAdapterOptions) {
    // grammY waits 500 s for an answer by default; long polling asks for 30 s, so 45 s bounds every call.
    this.bot = new Bot(options.token, { client: { timeoutSeconds: 45, ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}) } });
    this.sender = new TelegramSender({
      api: this.bot.api,
      account: this.account,
      store: options.store,
      logger: options.logger,
      now: options.now ?? Date.now,
      onMembership: async (event) => options.onMembership?.(event, this),
      ...(options.retryMs ? { retryMs: options.retryMs } : {}),
    });
    this.bot.api.config.use(this.sender.retries);
    this.connection = new TelegramConnection({
      bot: this.bot,
      token: options.token,
      logger: options.logger,
      onConnected: () => this.registerCommands(),
      ...(options.retryMs ? { retryMs: options.retryMs } : {}),
      ...(options.onStatus ? { onStatus: options.onStatus } : {}),
    });
    // Polling's outcome is the connection's state: an outage while polling is seen (and its end).
    this.bot.api.config.use(this.connection.observe);
    this.bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));
    this.bot.use(async (ctx, next) => {
      // Webhook deliveries can repeat: one update id, one effect, across processes (keyed by bot).
      if (await options.store.setIfAbsent(`tg-update:${ctx.me.id}:${ctx.update.update_id}`, 24 * 3600_000)) await next();
    });
    this.bot.on('message:text', (ctx) => this.onText(ctx));
    this.bot.on('callback_query:data', async (ctx) => {
      const q = ctx.callbackQuery;
      const chat = q.message?.chat;
      if (!chat || !q.message) {
        await ctx.answerCallbackQuery().catch(() => {});
        return;
      }
      const name = [q.from.first_name, q.from.last_name].filter(Boolean).join(' ') || q.from.username || String(q.from.id);
      await options.router.handleAction(
        {
          platform: 'telegram',
          id: q.id,
          chat: { id: String(chat.id), type: chat.type === 'private' ? 'private' : 'group' },
          sender: { id: String(q.from.id), name },
          data: q.data,
          messageId: String(q.message.message_id),
          answer: async (text) => {
            await ctx.answerCallbackQuery(text ? { text: text.slice(0, 200) } : undefined);
          },
        },
        this,
      );
    });
    this.bot.on('my_chat_member', async (ctx) => {
      const { chat, new_chat_member: member } = ctx.myChatMember;
      if (chat.type === 'private') return;
      const kind = member.status === 'left' || member.status === 'kicked' ? 'bot-left' : 'bot-joined';
      await options.onMembership?.({ platform: 'telegram', account: this.account, chat: { id: String(chat.id), ...titleOf(chat) }, kind, people: [] }, this);
    });
    // Telegram says so in the old group when it becomes a supergroup: later sends use the new id.
    this.bot.on('message:migrate_to_chat_id', (ctx) => this.sender.moved(String(ctx.message.chat.id), String(ctx.message.migrate_to_chat_id)));
    this.bot.on('message:new_chat_members', async (ctx) => {
      const people = ctx.message.new_chat_members.filter((u) => !u.is_bot).map((u) => ({ id: String(u.id), name: [u.first_name, u.last_name].filter(Boolean).join(' ') }));
      const chat = ctx.message.chat;
      if (people.length > 0) await options.onMembership?.({ platform: 'telegram', account: this.account, chat: { id: String(chat.id), ...titleOf(chat) }, kind: 'members-joined', people }, this);
    });
    this.bot.catch((err) => options.logger.error({ err: err.error, updateId: err.ctx.update.update_id }, 'telegram update failed'));
    this.queue = new SendQueue({
      transport: { send: (chatId, content, o) => this.sender.send(chatId, content, { ...(o?.replyTo ? { replyTo: o.replyTo } : {}), ...(o?.deadline !== undefined ? { deadline: o.deadline } : {}) }) },
      store: options.store,
      logger: options.logger,
      platform: 'telegram',
      account: 'telegram',
      accountId: () => this.account,
      tz: options.tz,
      gap: [1_000, 1_500],
      chatSwitchGap: [50, 300],
      hourlyCapPerChat: 600,
      // auto-retry already honours 429s per request; one slow chat must not pause every other.
      circuitBreaker: false,
      ...(options.now ? { now: options.now } : {}),
      ...options.pacing,
    });
  }

  /**
   * Connects (getMe), registers the command menu, and starts long polling (or, for a webhook, sets it).
   * Never throws for Telegram's sake: a refused token leaves Telegram `unauthorized` (off); an API that
   * cannot be reached leaves it `unreachable` and is tried again every `retryMs` until it answers.
   */
  async start(options: TelegramStartOptions = {}): Promise<void> {
    this.sender.open();
    await this.connection.start(options);
  }

  /** Stops polling (and any reconnecting) and sends what is queued. */
  async stop(): Promise<void> {
    await this.connection.stop();
    this.sender.close();
    await this.queue.drain();
  }

  /**
   * A webhook delivery: refused without the secret token (401) or with a body that is no update (400);
   * otherwise accepted at once (200) and handled after, so a slow answer (a paced send, a model) never
   * makes Telegram resend.
   */
  webhookUpdate(secret: string, givenSecret: string | undefined, body: unknown): number {
    const expected = Buffer.from(secret);
    const given = Buffer.from(givenSecret ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 401;
    const update = body as Update | undefined;
    if (!update || typeof update !== 'object' || typeof update.update_id !== 'number') return 400;
    this.bot.handleUpdate(update).catch((err: unknown) => this.options.logger.error({ err, updateId: update.update_id }, 'telegram: webhook update failed'));
    return 200;
  }

  /** The Transport the router uses: every send goes through the paced queue. */
  send(chatId: string, content: Outbound, options: SendOptions = {}): Promise<SendResult> {
    return this.queue.send(chatId, content, options);
  }

  /** When quiet hours end, if pushes are held now. */
  quietUntil(): number {
    return this.queue.quietUntil();
  }

  /** Replaces the text and buttons of a message the bot sent (no buttons given: the buttons go). */
  async edit(chatId: string, messageId: string, content: Outbound): Promise<SendResult> {
    if (content.kind === 'image') return { status: 'failed', reason: 'a picture cannot replace a text' };
    const text = content.text;
    try {
      await this.bot.api.editMessageText(chatId, Number(messageId), splitForTelegram(text)[0] ?? '', {
        reply_markup: keyboard(content.kind === 'text' ? content.buttons : []),
      });
      return { status: 'sent', messageId };
    } catch (err) {
      // Pressing twice asks for the same text again: that is done, not failed.
      if (err instanceof GrammyError && /not modified/i.test(err.description)) return { status: 'sent', messageId };
      return { status: 'failed', reason: err instanceof GrammyError ? `${err.error_code}: ${err.description}` : (err as Error).message };
    }
  }

  private async registerCommands(): Promise<void> {
    const { router, prompts, logger } = this.options;
    const menu = (role: Role) => router.commandsFor(role).map((c) => ({ command: c.name, description: prompts.render(c.description).slice(0, 256) }));
    try {
      await this.bot.api.setMyCommands(menu('fan'));
    } catch (err) {
      // Optional: the menu is a convenience, the commands work without it.
      logger.warn({ err }, 'telegram: setMyCommands failed; commands still work');
      return;
    }
    // Agents and operators see their own commands (/reply, /kpi…) in their private chat with the bot.
    for (const person of this.options.staff ?? []) {
      if (!/^\d+$/.test(person.id)) continue;
      await this.bot.api
        .setMyCommands(menu(person.role), { scope: { type: 'chat', chat_id: Number(person.id) } })
        .catch((err: unknown) => logger.warn({ err, userId: person.id }, 'telegram: staff command menu not set (has this person started the bot?)'));
    }
  }

  /** The router's message for a grammY text message, or undefined when there is nothing to handle. */
  toIncoming(ctx: Context): IncomingMessage | undefined {
    const m = ctx.message;
    if (!m || !('text' in m) || typeof m.text !== 'string' || !m.from) return undefined;
    const me = this.bot.botInfo;
    const handle = new RegExp(`@${me.username}(?![A-Za-z0-9_])`, 'gi');
    // `/ask@other_bot` is for another bot in the group.
    const target = /^\/[A-Za-z0-9_]+@([A-Za-z0-9_]+)/.exec(m.text)?.[1];
    if (target && target.toLowerCase() !== me.username.toLowerCase()) return undefined;
    const mentioned = handle.test(m.text) || m.reply_to_message?.from?.id === me.id;
    const name = [m.from.first_name, m.from.last_name].filter(Boolean).join(' ') || m.from.username || String(m.from.id);
    return {
      platform: 'telegram',
      account: this.account,
      messageId: String(m.message_id),
      time: new Date(m.date * 1000),
      chat: { id: String(m.chat.id), type: m.chat.type === 'private' ? 'private' : 'group', ...titleOf(m.chat) },
      sender: { id: String(m.from.id), name, isBot: m.from.is_bot },
      text: m.text.replace(handle, '').trim(),
      mentioned,
      self: m.from.id === me.id,
      ...('forward_origin' in m && m.forward_origin ? { forwarded: true } : {}),
    };
  }

  private async onText(ctx: Context): Promise<void> {
    const message = this.toIncoming(ctx);
    if (message) await this.options.router.handle(message, this);
  }
}
