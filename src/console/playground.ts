import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { LocalChat } from '../bot/adapters/local.js';
import type { IncomingAction, Outbound, Role, SendResult, Transport } from '../bot/context.js';
import { App } from '../app/app.js';
import { startBot, type Bot } from '../app/bot.js';
import type { Config } from '../kernel/config.js';
import { PACKAGE_ROOT } from '../kernel/paths.js';
import { seedDemo } from './demo.js';
import type { Pictures } from './pictures.js';

/** The demo shop's fan group: the playground's group chat is this group. */
export const DEMO_GROUP = '示例粉丝群';
/** The demo shop's file (its facts and its one fan group), shipped with opsbot. */
export const DEMO_SHOP_FILE = join(PACKAGE_ROOT, 'demo', 'shop.json');

export type PlaygroundChat = 'group' | 'private';

/** One message the bot sent, as the page draws it. */
export interface PlaygroundReply {
  readonly kind: 'text' | 'mention' | 'image';
  readonly text?: string;
  readonly url?: string;
  readonly mentions?: readonly string[];
  readonly buttons?: readonly (readonly { readonly text: string; readonly data: string }[])[];
}

/** What the bot sent on its own (an announcement, an agent's reply), in the order it came. */
export interface PlaygroundPush {
  readonly seq: number;
  readonly at: string;
  readonly chat: string;
  readonly reply: PlaygroundReply;
}

/**
 * The playground: a demo shop (the default playbook, sample metrics, a sample live and drop, its own
 * data folder `playground/` under the data dir, so nothing touches the shop's real data) running the
 * real router and plugins, where a visitor speaks as a fan, an agent or an operator, in the demo fan
 * group or privately, and sees what the bot would send.
 */
export class Playground {
  private readonly chats = new Map<string, LocalChat>();
  private readonly pushes: PlaygroundPush[] = [];
  private seq = 0;
  private turn: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly app: App,
    readonly bot: Bot,
    private readonly pictures: Pictures,
    private readonly onChange: () => void,
  ) {}

  /** Opens the demo shop beside `shop` (sharing its knowledge base when it runs the default playbook) and seeds its samples. */
  static async open(shop: App, pictures: Pictures, onChange: () => void = () => {}): Promise<Playground> {
    const app = new App({
      config: demoConfig(shop.config),
      prompts: shop.prompts,
      logger: shop.logger.child({ shop: 'playground' }),
      clock: shop.clock,
      llm: shop.llm ?? null,
      ...(shop.config.playbookDirSet ? {} : { knowledge: shop.knowledge }),
      tuning: shop.tuning,
    });
    try {
      await app.knowledge.build({ saveRequired: false });
      const bot = await startBot(app, { platforms: [], http: false });
      const playground = new Playground(app, bot, pictures, onChange);
      // What the demo shop pushes on its own to the playground (platform `local`) shows in the feed.
      await bot.attach('local', playground.feed, 'local');
      // Samples are a convenience: another process seeding at the same moment, say, must not stop the start.
      await seedDemo(app, DEMO_GROUP).catch((err: unknown) => app.logger.warn({ err }, 'playground: the demo shop could not be given its samples'));
      return playground;
    } catch (err) {
      await app.close();
      throw err;
    }
  }

  private readonly feed: Transport = {
    send: async (chatId: string, content: Outbound): Promise<SendResult> => {
      this.push(chatId, content);
      return { status: 'sent' };
    },
  };

  private push(chat: string, content: Outbound): void {
    this.pushes.push({ seq: ++this.seq, at: new Date().toISOString(), chat, reply: this.toReply(content) });
    if (this.pushes.length > 200) this.pushes.splice(0, this.pushes.length - 200);
    this.onChange();
  }

  private chat(as: Role, chat: PlaygroundChat): LocalChat {
    const key = `${as}:${chat}`;
    let c = this.chats.get(key);
    if (!c) {
      c = new LocalChat(this.bot.router, { role: as, ...(chat === 'group' ? { group: DEMO_GROUP } : {}), onPush: ({ chatId, content }) => this.push(chatId, content) });
      this.chats.set(key, c);
    }
    return c;
  }

  /** `text` said as `as` in the demo group or privately; the bot's answers. One visitor's line at a time. */
  say(as: Role, chat: PlaygroundChat, text: string): Promise<PlaygroundReply[]> {
    const run = this.turn.then(async () => (await this.chat(as, chat).say(text)).map((r) => this.toReply(r.content)));
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** A button under one of the bot's messages pressed as `as`; what the bot sent in answer. */
  press(as: Role, chat: PlaygroundChat, data: string): Promise<PlaygroundReply[]> {
    const run = this.turn.then(async () => {
      const sent: Outbound[] = [];
      const transport: Transport = { send: async (_chat, content) => (sent.push(content), { status: 'sent' }) };
      const action: IncomingAction = {
        platform: 'local',
        id: `press-${randomBytes(6).toString('hex')}`,
        chat: chat === 'group' ? { id: `group:${DEMO_GROUP}`, type: 'group' } : { id: `private:${as}`, type: 'private' },
        sender: { id: as, name: as },
        data,
        messageId: 'playground',
        answer: async (text) => {
          if (text) sent.push({ kind: 'text', text });
        },
      };
      await this.bot.router.handleAction(action, transport);
      return sent.map((c) => this.toReply(c));
    });
    this.turn = run.catch(() => undefined);
    return run;
  }

  /** What the bot pushed after `after` (a seq). */
  feedSince(after: number): PlaygroundPush[] {
    return this.pushes.filter((p) => p.seq > after);
  }

  private toReply(content: Outbound): PlaygroundReply {
    switch (content.kind) {
      case 'text':
        return { kind: 'text', text: content.text, ...(content.buttons?.length ? { buttons: content.buttons.map((row) => row.map((b) => ({ text: b.text, data: b.data }))) } : {}) };
      case 'mention':
        return { kind: 'mention', text: content.text, mentions: content.mentions.map((m) => m.name) };
      case 'image':
        return { kind: 'image', url: `/api/playground/pictures/${this.pictures.put(content.data, content.mime)}`, ...(content.caption ? { text: content.caption } : {}) };
    }
  }

  close(): Promise<void> {
    return this.bot.close();
  }
}

/** The shop's configuration with the demo shop's data folder and file, no platforms, no people, no Redis. */
export function demoConfig(shop: Config): Config {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the demo shop runs on no platform and no Redis
  const { telegram, redisUrl, ...rest } = shop;
  return Object.freeze({
    ...rest,
    dataDir: join(shop.dataDir, 'playground'),
    shopFile: DEMO_SHOP_FILE,
    platforms: [],
    wechat: false,
    admins: [],
    agents: [],
    quietHours: null,
  });
}
