import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import qrcodeTerminal from 'qrcode-terminal';
import { WechatyBuilder, type Message, type Wechaty } from 'wechaty';
import type { ContactInterface, RoomInterface } from 'wechaty/impls';
import type { Puppet } from 'wechaty-puppet';
import { FileBox } from 'file-box';
import type { IncomingMessage, MembershipEvent, Outbound, SendOptions, SendResult, Transport } from '../context.js';
import type { Logger } from '../../kernel/logger.js';
import { Reason } from '../deliveries/reasons.js';
import type { Router } from '../router.js';
import { SendQueue, type SendQueueOptions } from '../send-queue.js';
import { within } from '../../kernel/timeout.js';
import type { Store } from '../store/index.js';

export interface WechatAdapterOptions {
  readonly router: Router;
  readonly store: Store;
  readonly logger: Logger;
  readonly tz: string;
  /** The session file (a credential) lives here, owner-only. */
  readonly dataDir: string;
  /** Tests inject wechaty-puppet-mock; otherwise wechaty picks the puppet from WECHATY_PUPPET and its own variables. */
  readonly puppet?: Puppet;
  /** How long a stop waits for the puppet (a puppet service away at shutdown never answers); default 10 s. */
  readonly stopTimeoutMs?: number;
  readonly pacing?: Partial<Pick<SendQueueOptions, 'gap' | 'chatSwitchGap' | 'hourlyCapPerChat' | 'quietHours' | 'random' | 'cooldownMs'>>;
  /** The app's clock: deadlines, quiet hours and caps are read on it (OPSBOT_NOW). */
  readonly now?: () => number;
  /** Told when sending stops on a rate-limit error or the account logs out, so operators hear of it. */
  readonly onAlert?: (what: 'rate-limited' | 'logged-out', detail: string) => void;
  /** Told when the bot or others join or leave a room. */
  readonly onMembership?: (event: MembershipEvent, transport: Transport) => Promise<void>;
  /** Told each time the account logs in, with its id (the app starts sending its outbox then). */
  readonly onLogin?: (accountId: string) => void;
}

/**
 * WeChat groups through wechaty, with any puppet (a puppet service, padlocal, wechat4u). Every send goes
 * through one paced queue for the account; a reply in a group @-mentions the fan who asked. Logout,
 * relogin and puppet errors are logged and survived; the process does not exit.
 */
export class WechatAdapter implements Transport {
  readonly bot: Wechaty;
  private readonly queue: SendQueue;
  private readonly sessionDir: string;
  private stopping = false;
  /** Rooms and people seen in incoming messages: sends reuse them instead of looking them up (WeChat locks accounts that look up too fast). */
  private readonly rooms = new Map<string, RoomInterface>();
  private readonly contacts = new Map<string, ContactInterface>();
  /** Accounts of opsbot processes (ours and others): their messages are never answered, so two bots in a room cannot loop. */
  private botAccounts = new Set<string>();

  constructor(private readonly options: WechatAdapterOptions) {
    this.sessionDir = join(options.dataDir, 'wechaty');
    // The memory card (the login session) is written next to this name: keep it under the data dir.
    this.bot = WechatyBuilder.build({ name: join(this.sessionDir, 'opsbot'), ...(options.puppet ? { puppet: options.puppet } : {}) });
    const log = options.logger;
    this.bot.on('scan', (qrcode, status) => {
      log.info({ status }, 'wechat: scan the QR code to log in');
      qrcodeTerminal.generate(qrcode, { small: true }, (art) => process.stderr.write(`${art}\n`));
    });
    this.bot.on('login', (user) => {
      log.info({ user: user.name() }, 'wechat: logged in');
      this.queue.online();
      void this.protectSession();
      void this.registerAccount(user.id);
      options.onLogin?.(user.id);
    });
    this.bot.on('logout', (user, reason) => {
      // stop() logs out by design: that is no news for the operators.
      if (this.stopping) return;
      log.warn({ user: user.name(), reason }, 'wechat: logged out; waiting for the account to log in again');
      // What is queued waits for the login instead of failing group after group.
      this.queue.offline();
      options.onAlert?.('logged-out', String(reason ?? ''));
    });
    // Puppets report transient trouble as 'error' events; unhandled, Node would end the process.
    this.bot.on('error', (err) => log.error({ err }, 'wechat: puppet error'));
    this.bot.on('message', (msg) => {
      if (this.stopping) return;
      this.onMessage(msg).catch((err: unknown) => log.error({ err, msgId: msg.id }, 'wechat: message handling failed'));
    });
    const membership = (event: MembershipEvent) =>
      options.onMembership?.({ ...event, ...(this.account ? { account: this.account } : {}) }, this).catch((err: unknown) => log.error({ err, chatId: event.chat.id }, 'wechat: membership handling failed'));
    this.bot.on('room-join', (room, invitees) => {
      const handle = async () => {
        this.rooms.set(room.id, room);
        for (const c of invitees) this.contacts.set(c.id, c);
        const chat = { id: room.id, title: await room.topic() };
        if (invitees.some((c) => c.self())) await membership({ platform: 'wechat', chat, kind: 'bot-joined', people: [] });
        const people = invitees.filter((c) => !c.self()).map((c) => ({ id: c.id, name: c.name() }));
        if (people.length > 0) await membership({ platform: 'wechat', chat, kind: 'members-joined', people });
      };
      handle().catch((err: unknown) => log.error({ err, roomId: room.id }, 'wechat: room-join handling failed'));
    });
    this.bot.on('room-leave', async (room, leavers) => {
      if (leavers.some((c) => c.self())) await membership({ platform: 'wechat', chat: { id: room.id }, kind: 'bot-left', people: [] });
    });
    this.queue = new SendQueue({
      transport: { send: (chatId, content, o) => this.sendNow(chatId, content, o ?? {}) },
      store: options.store,
      logger: options.logger,
      platform: 'wechat',
      account: 'wechat',
      accountId: () => this.account,
      tz: options.tz,
      onCircuitOpen: (reason) => options.onAlert?.('rate-limited', reason),
      ...(options.now ? { now: options.now } : {}),
      ...options.pacing,
    });
  }

  /** Starts the puppet; a QR code is printed when the puppet asks for a login. */
  async start(): Promise<void> {
    await mkdir(this.sessionDir, { recursive: true, mode: 0o700 });
    await this.bot.start();
  }

  /** Stops taking messages, sends what is queued, then stops the puppet. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.queue.drain();
    const ms = this.options.stopTimeoutMs ?? 10_000;
    const stopped = await within(this.bot.stop().then(() => true), ms, false);
    if (!stopped) this.options.logger.warn({ waitedMs: ms }, 'wechat: the puppet did not stop in time; going on without it');
  }

  private async registerAccount(id: string): Promise<void> {
    const { store, logger } = this.options;
    try {
      await store.set(`wechat-account:${id}`, true);
      this.botAccounts = new Set((await store.list('wechat-account:')).map(([k]) => k.slice('wechat-account:'.length)));
    } catch (err) {
      logger.warn({ err }, 'wechat: could not register this account among the opsbot accounts');
    }
  }

  /** The logged-in account's id, once logged in: the account its outbox entries are sent from. */
  get account(): string | undefined {
    return this.bot.isLoggedIn ? this.bot.currentUser.id : undefined;
  }

  /** The Transport the router uses: every send goes through the account's paced queue. */
  send(chatId: string, content: Outbound, options: SendOptions = {}): Promise<SendResult> {
    return this.queue.send(chatId, content, options);
  }

  /** When quiet hours end, if pushes are held now. */
  quietUntil(): number {
    return this.queue.quietUntil();
  }

  /** Any id may be a room (wechat4u's start with @@, others end with @chatroom): ask once, then remember. */
  private async findRoom(id: string): Promise<RoomInterface | undefined> {
    const room = await this.bot.Room.find({ id }).catch(() => undefined);
    if (room) this.rooms.set(id, room);
    return room;
  }

  private async protectSession(): Promise<void> {
    // The session file is a credential: owner-only.
    await chmod(this.sessionDir, 0o700).catch(() => {});
    await chmod(join(this.sessionDir, 'opsbot.memory-card.json'), 0o600).catch(() => {});
  }

  /** The router's message for a wechaty text message, or undefined for anything else. */
  async toIncoming(msg: Message): Promise<IncomingMessage | undefined> {
    if (msg.type() !== this.bot.Message.Type.Text) return undefined;
    const room = msg.room();
    const talker = msg.talker();
    if (room) this.rooms.set(room.id, room);
    this.contacts.set(talker.id, talker);
    return {
      platform: 'wechat',
      ...(this.account ? { account: this.account } : {}),
      messageId: msg.id,
      time: msg.date(),
      chat: room ? { id: room.id, type: 'group', title: await room.topic() } : { id: talker.id, type: 'private' },
      sender: { id: talker.id, name: talker.name(), isBot: this.botAccounts.has(talker.id) && !msg.self() },
      // Without the "@bot" mention and the U+2005 WeChat puts after it.
      text: (room ? await msg.mentionText() : msg.text()).replace(/\u2005/g, ' ').trim(),
      mentioned: room ? await msg.mentionSelf() : false,
      self: msg.self(),
    };
  }

  private async onMessage(msg: Message): Promise<void> {
    const incoming = await this.toIncoming(msg);
    if (incoming) await this.options.router.handle(incoming, this);
  }

  private async sendNow(chatId: string, content: Outbound, options: { replyTo?: IncomingMessage }): Promise<SendResult> {
    // Logged out (the event may not have arrived yet): nothing is tried, so it can wait and go once.
    if (!this.bot.isLoggedIn && !this.stopping) {
      this.queue.offline();
      return { status: 'failed', reason: Reason.LOGGED_OUT, notSent: true };
    }
    try {
      const room = this.rooms.get(chatId) ?? (await this.findRoom(chatId));
      const target = room ?? this.contacts.get(chatId) ?? (await this.bot.Contact.find({ id: chatId }));
      if (!target) return { status: 'failed', reason: `${Reason.NO_SUCH_CHAT}: ${chatId}` };
      if (content.kind === 'image') {
        await target.say(FileBox.fromBuffer(content.data, 'image.png'));
        if (content.caption) await target.say(content.caption);
        return { status: 'sent' };
      }
      if (room) {
        const ids = content.kind === 'mention' ? content.mentions.map((m) => m.id) : options.replyTo ? [options.replyTo.sender.id] : [];
        // One at a time, and only for people not seen yet: look-ups in bursts get accounts locked.
        const contacts: ContactInterface[] = [];
        for (const id of ids) {
          const c = this.contacts.get(id) ?? (await this.bot.Contact.find({ id }));
          if (c) contacts.push(c);
        }
        await room.say(content.text, ...contacts);
      } else {
        await target.say(content.text);
      }
      return { status: 'sent' };
    } catch (err) {
      // Logged out during the send: said in the runtime's words (the puppet's are English).
      return { status: 'failed', reason: this.bot.isLoggedIn ? (err as Error).message : Reason.LOGGED_OUT };
    }
  }
}
