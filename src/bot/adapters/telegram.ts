import { autoRetry } from '@grammyjs/auto-retry';
import { run, sequentialize, type RunnerHandle } from '@grammyjs/runner';
import { Bot, GrammyError, InputFile, type Context } from 'grammy';
import type { IncomingMessage, MembershipEvent, Outbound, SendResult, Transport } from '../context.js';
import type { Logger } from '../logger.js';
import type { Prompts } from '../prompts.js';
import type { Router } from '../router.js';
import { SendQueue, type SendQueueOptions } from '../send-queue.js';
import type { Store } from '../store.js';

/** Telegram refuses longer texts. */
export const TELEGRAM_MAX_TEXT = 4096;

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
  /** Told when the bot or others join or leave a group. */
  readonly onMembership?: (event: MembershipEvent, transport: Transport) => Promise<void>;
}

/** Splits text Telegram would refuse into pieces, at line ends where it can. */
export function splitForTelegram(text: string, max = TELEGRAM_MAX_TEXT): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = rest.lastIndexOf('\n', max);
    const at = cut > max / 2 ? cut : max;
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, '');
  }
  if (rest || pieces.length === 0) pieces.push(rest);
  return pieces;
}

/**
 * Telegram through grammY: long polling with the runner (sequential per chat), or webhook updates
 * handed in by the HTTP server. Repeated deliveries of one update_id have one effect; 429s wait their
 * `retry_after` and 5xx back off, both bounded; a second process polling the same token (409) is
 * reported once and Telegram stays off in that process instead of crash-looping.
 */
export class TelegramAdapter implements Transport {
  readonly bot: Bot;
  private readonly queue: SendQueue;
  private runner?: RunnerHandle;

  constructor(private readonly options: TelegramAdapterOptions) {
    this.bot = new Bot(options.token, options.apiRoot ? { client: { apiRoot: options.apiRoot } } : {});
    // The plugin's defaults retry forever and wait as long as Telegram asks: bound both.
    this.bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 }));
    this.bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));
    this.bot.use(async (ctx, next) => {
      // Webhook deliveries can repeat: one update id, one effect, across processes.
      if (await options.store.setIfAbsent(`tg-update:${ctx.update.update_id}`, 24 * 3600_000)) await next();
    });
    this.bot.on('message:text', (ctx) => this.onText(ctx));
    this.bot.on('my_chat_member', async (ctx) => {
      const { chat, new_chat_member: member } = ctx.myChatMember;
      if (chat.type === 'private') return;
      const kind = member.status === 'left' || member.status === 'kicked' ? 'bot-left' : 'bot-joined';
      await options.onMembership?.({ platform: 'telegram', chat: { id: String(chat.id), ...('title' in chat ? { title: chat.title } : {}) }, kind, people: [] }, this);
    });
    this.bot.on('message:new_chat_members', async (ctx) => {
      const people = ctx.message.new_chat_members.filter((u) => !u.is_bot).map((u) => ({ id: String(u.id), name: [u.first_name, u.last_name].filter(Boolean).join(' ') }));
      const chat = ctx.message.chat;
      if (people.length > 0) {
        await options.onMembership?.({ platform: 'telegram', chat: { id: String(chat.id), ...('title' in chat ? { title: chat.title } : {}) }, kind: 'members-joined', people }, this);
      }
    });
    this.bot.catch((err) => options.logger.error({ err: err.error, updateId: err.ctx.update.update_id }, 'telegram update failed'));
    this.queue = new SendQueue({
      transport: { send: (chatId, content, o) => this.sendNow(chatId, content, o ?? {}) },
      store: options.store,
      logger: options.logger,
      account: 'telegram',
      tz: options.tz,
      gap: [1_000, 1_500],
      chatSwitchGap: [50, 300],
      hourlyCapPerChat: 600,
      ...options.pacing,
    });
  }

  /** Connects (getMe), registers the command menu, and starts long polling unless `webhook` is true. */
  async start(options: { webhook?: boolean } = {}): Promise<void> {
    await this.bot.init();
    await this.registerCommands();
    if (options.webhook) return;
    // Polling is refused while a webhook is set (say, from an earlier run in webhook mode).
    await this.bot.api.deleteWebhook().catch((err: unknown) => this.options.logger.warn({ err }, 'telegram: deleteWebhook failed'));
    this.runner = run(this.bot, { runner: { silent: true } });
    this.runner.task()?.catch((err: unknown) => {
      const conflict = err instanceof GrammyError && err.error_code === 409;
      this.options.logger.error(
        { err },
        conflict
          ? 'telegram: another process is already polling this bot token (409 Conflict); Telegram is off in this process'
          : 'telegram: polling stopped',
      );
    });
  }

  /** Stops polling and sends what is queued. */
  async stop(): Promise<void> {
    if (this.runner?.isRunning()) await this.runner.stop();
    await this.queue.drain();
  }

  /** The Transport the router uses: every send goes through the paced queue. */
  send(chatId: string, content: Outbound, options: { replyTo?: IncomingMessage } = {}): Promise<SendResult> {
    return this.queue.send(chatId, content, options);
  }

  private async registerCommands(): Promise<void> {
    const { router, prompts, logger } = this.options;
    const commands = router.commandsFor('fan').map((c) => ({ command: c.name, description: prompts.render(c.description).slice(0, 256) }));
    try {
      await this.bot.api.setMyCommands(commands);
    } catch (err) {
      // Optional: the menu is a convenience, the commands work without it.
      logger.warn({ err }, 'telegram: setMyCommands failed; commands still work');
    }
  }

  /** The router's message for a grammY text message, or undefined when there is nothing to handle. */
  toIncoming(ctx: Context): IncomingMessage | undefined {
    const m = ctx.message;
    if (!m || !('text' in m) || typeof m.text !== 'string' || !m.from) return undefined;
    const me = this.bot.botInfo;
    const handle = `@${me.username}`;
    const mentioned = m.text.includes(handle) || m.reply_to_message?.from?.id === me.id;
    const name = [m.from.first_name, m.from.last_name].filter(Boolean).join(' ') || m.from.username || String(m.from.id);
    return {
      platform: 'telegram',
      messageId: String(m.message_id),
      time: new Date(m.date * 1000),
      chat: {
        id: String(m.chat.id),
        type: m.chat.type === 'private' ? 'private' : 'group',
        ...('title' in m.chat && m.chat.title ? { title: m.chat.title } : {}),
      },
      sender: { id: String(m.from.id), name, isBot: m.from.is_bot },
      text: m.text.split(handle).join('').trim(),
      mentioned,
      self: m.from.id === me.id,
    };
  }

  private async onText(ctx: Context): Promise<void> {
    const message = this.toIncoming(ctx);
    if (message) await this.options.router.handle(message, this);
  }

  private async sendNow(chatId: string, content: Outbound, options: { replyTo?: IncomingMessage }): Promise<SendResult> {
    const reply = options.replyTo && options.replyTo.chat.type === 'group' ? { reply_to_message_id: Number(options.replyTo.messageId) } : {};
    try {
      if (content.kind === 'image') {
        try {
          await this.bot.api.sendPhoto(chatId, new InputFile(content.data), { ...(content.caption ? { caption: content.caption } : {}) });
          return { status: 'sent' };
        } catch (err) {
          // A picture is extra; the words must still arrive.
          this.options.logger.warn({ err, chatId }, 'telegram: sendPhoto failed; sending the caption as text');
          if (!content.caption) return { status: 'failed', reason: (err as Error).message };
          return this.sendNow(chatId, { kind: 'text', text: content.caption }, options);
        }
      }
      const text = content.kind === 'mention' ? `${content.mentions.map((p) => `@${p.name}`).join(' ')} ${content.text}` : content.text;
      for (const piece of splitForTelegram(text)) await this.bot.api.sendMessage(chatId, piece, reply);
      return { status: 'sent' };
    } catch (err) {
      return { status: 'failed', reason: err instanceof GrammyError ? `${err.error_code}: ${err.description}` : (err as Error).message };
    }
  }
}
