import type { ChatContext, IncomingAction, IncomingMessage, Outbound, Role, SendResult, Transport } from './context.js';
import { toOutbound } from './context.js';
import { politeFailure } from './boundary.js';
import { ErrorCode, hasCode } from '../kernel/errors.js';
import type { Logger } from '../kernel/logger.js';
import type { Prompts } from '../kernel/prompts.js';
import { cleanText } from '../kernel/text.js';
import { holdFloods, type FloodLimit } from './flood.js';
import type { RoleDirectory } from './roles.js';
import { fallbackRoles, validateSkill, type ActionContext, type Skill, type SkillInput } from './skill.js';
import type { Store } from './store/index.js';

export type Middleware = (ctx: ChatContext, next: () => Promise<void>) => Promise<unknown>;

export interface RouterOptions {
  readonly store: Store;
  readonly prompts: Prompts;
  readonly logger: Logger;
  readonly roles: RoleDirectory;
  /** The flood allowances (see holdFloods): per person, and per group for fans (default 15 a window). */
  readonly rateLimit?: FloodLimit;
  /** How long a message id is remembered to drop a second delivery. */
  readonly dedupeTtlMs?: number;
  /** Whether `skill` may act in this chat (a group's policy); all may when absent. */
  readonly allows?: (ctx: ChatContext, skill: string) => Promise<boolean>;
  /** Told of every message from someone else before it is routed (the group registry learns a group from it). */
  readonly observe?: (ctx: ChatContext) => Promise<void>;
}

/** Where a message goes: the skill that takes it (if any), what it gets, and whether it counts as addressed to the bot. */
interface Route {
  readonly skill?: Skill;
  readonly input: SkillInput;
  readonly command?: string;
  readonly addressed: boolean;
  /** Taken by a skill's keyword or group claim (a coupon drop's 领券): each fan is answered, whatever the group's flood. */
  readonly claimed?: boolean;
}

/** A group claim is asked of every group message: one that takes longer than this is logged. */
const CLAIM_BUDGET_MS = 5;

/** `/ask@shop_bot 直播几点` → { name: 'ask', args: '直播几点' }. */
export function parseCommand(text: string): { name: string; args: string } | undefined {
  const m = /^\/([A-Za-z][A-Za-z0-9_]{0,31})(?:@\S+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  return m ? { name: m[1]!.toLowerCase(), args: (m[2] ?? '').trim() } : undefined;
}

/**
 * Every message from every platform goes through one chain: drop the bot's own and other bots' messages,
 * decide the route, drop duplicates of what is addressed to the bot, hold back floods, then the middleware
 * added with `use()`, then dispatch to one skill inside an error boundary. In groups the bot speaks only
 * when spoken to.
 */
export class Router {
  private readonly middleware: Middleware[] = [];
  private readonly skills: Skill[] = [];
  private started = false;

  constructor(private readonly options: RouterOptions) {}

  /**
   * Adds middleware, run in order after the built-in checks and before dispatch. A message addressed to
   * no one (group talk) reaches it without a duplicate check: a redelivery of one may be seen twice.
   */
  use(mw: Middleware): this {
    if (this.started) throw new Error('middleware must be added before the router starts');
    this.middleware.push(mw);
    return this;
  }

  /** Registers a skill; its triggers are checked now, with a message listing what is valid. */
  register(skill: Skill): this {
    if (this.started) throw new Error('skills must be registered before the router starts');
    validateSkill(skill, this.skills);
    this.skills.push(skill);
    return this;
  }

  /** Freezes the chain: nothing can be added once messages flow. */
  start(): this {
    this.started = true;
    return this;
  }

  /** The commands `role` may use, with their descriptions' prompt keys (for menus and /help). */
  commandsFor(role: Role): { name: string; description: string }[] {
    return [
      { name: 'help', description: 'cmd/help' },
      ...this.skills
        .filter((s) => s.roles.includes(role))
        .flatMap((s) => s.commands ?? [])
        .filter((c) => !c.listedFor || c.listedFor.includes(role)),
    ];
  }

  /** Runs one incoming message through the chain. Never throws: failures are logged and answered politely. */
  async handle(message: IncomingMessage, transport: Transport): Promise<void> {
    if (!this.started) this.start();
    const { logger, prompts } = this.options;
    const log = logger.child({ platform: message.platform, chatId: message.chat.id, msgId: message.messageId });
    const role = this.options.roles.roleOf(message.platform, message.sender.id);
    const send = (chatId: string, content: Outbound | string, replyTo?: IncomingMessage): Promise<SendResult> =>
      transport.send(chatId, toOutbound(content), replyTo ? { replyTo } : {}).catch((err: unknown) => {
        log.error({ err }, 'send failed');
        return { status: 'failed', reason: (err as Error).message };
      });
    const ctx: ChatContext = {
      ...message,
      // Whatever a platform hands over (NUL bytes, lone surrogates): skills, the store and other platforms get clean text.
      text: cleanText(message.text),
      role,
      logger: log,
      reply: (content) => send(message.chat.id, content, message),
      send: (chatId, content) => send(chatId, content),
    };
    // Where the message goes is decided once (its command parsed once), before the flood check counts it.
    let route: Route | undefined;
    const chain: Middleware[] = [
      // The bot's own messages (WeChat hands every one back) and other bots': dropped before any store call.
      (c, next) => (c.self || c.sender.isBot ? Promise.resolve() : next()),
      async (c, next) => {
        await this.options.observe?.(c);
        route = await this.route(c);
        await next();
      },
      // Only what the bot acts on needs its duplicate check (one store write): the group talking among
      // itself, most of what the bot hears, is answered by no one however often it is delivered.
      (c, next) => (route!.addressed ? this.dropDuplicates(c, next) : next()),
      (c, next) => holdFloods(c, route!, next, this.options),
      ...this.middleware,
      (c) => this.dispatch(c, route!),
    ];
    const run = async (i: number): Promise<void> => {
      const mw = chain[i];
      if (mw) await mw(ctx, () => run(i + 1));
    };
    try {
      await run(0);
    } catch (err) {
      // The store down before the message was routed (the group registry's note of it): route it now, so a
      // fan who typed a keyword (领券) hears that it did not work, rather than nothing.
      if (!route && hasCode(err, ErrorCode.STORE_UNAVAILABLE)) route = await this.route(ctx).catch(() => undefined);
      // The store is down, a middleware or the skill failed: answer only if spoken to, never with internals.
      const failed = route?.skill ? log.child({ skill: route.skill.name }) : log;
      const text = politeFailure(err, prompts, failed, route?.skill ? 'skill failed' : 'message handling failed', { staff: role !== 'fan' });
      if (route ? route.addressed : this.spokenTo(ctx)) await ctx.reply(text);
    }
  }

  /**
   * Runs one button press: dropped if delivered twice, refused for a role the owning skill does not
   * allow, handled inside an error boundary. The press is always answered (Telegram shows a spinner
   * until it is). Never throws.
   */
  async handleAction(action: IncomingAction, transport: Transport): Promise<void> {
    if (!this.started) this.start();
    const { logger, prompts, store } = this.options;
    const log = logger.child({ platform: action.platform, chatId: action.chat.id, actionId: action.id });
    let answered = false;
    const answer = async (text?: string) => {
      if (answered) return;
      answered = true;
      await action.answer(text).catch((err: unknown) => log.warn({ err }, 'action answer failed'));
    };
    const skill = this.skills.find((s) => s.actions && action.data.startsWith(`${s.actions.prefix}:`));
    try {
      if (!skill?.actions) {
        log.warn({ data: action.data }, 'action for no skill');
        return;
      }
      if (!(await store.setIfAbsent(`dedupe-action:${action.platform}:${action.id}`, this.options.dedupeTtlMs ?? 24 * 3600_000))) {
        log.debug('duplicate action dropped');
        return;
      }
      const role = this.options.roles.roleOf(action.platform, action.sender.id);
      const skillLog = log.child({ skill: skill.name });
      if (!skill.roles.includes(role)) {
        skillLog.warn({ userId: action.sender.id, role }, 'refused: role not allowed');
        await answer(prompts.render('bot/not-allowed'));
        return;
      }
      const ctx: ActionContext = {
        ...action,
        role,
        logger: skillLog,
        answer,
        reply: (content) =>
          transport.send(action.chat.id, toOutbound(content), { urgent: true, source: 'reply' }).catch((err: unknown) => {
            skillLog.error({ err }, 'send failed');
            return { status: 'failed', reason: (err as Error).message };
          }),
      };
      await skill.actions.handle(ctx);
    } catch (err) {
      await answer(politeFailure(err, prompts, log.child({ data: action.data }), 'action failed'));
    } finally {
      await answer();
    }
  }

  /** Spoken to on the face of it (before any skill is asked): a private chat, an @-mention, a command or a keyword. */
  private spokenTo(ctx: IncomingMessage): boolean {
    return (
      ctx.chat.type === 'private' ||
      ctx.mentioned ||
      parseCommand(ctx.text) !== undefined ||
      this.skills.some((s) => s.keywords?.some((re) => re.test(ctx.text)))
    );
  }

  private async dropDuplicates(ctx: ChatContext, next: () => Promise<void>): Promise<void> {
    const key = `dedupe:${ctx.platform}:${ctx.chat.id}:${ctx.messageId}`;
    if (await this.options.store.setIfAbsent(key, this.options.dedupeTtlMs ?? 24 * 3600_000)) await next();
    else ctx.logger.debug('duplicate delivery dropped');
  }

  /**
   * Which skill takes the message, and whether it was addressed to the bot at all: a command, a forward
   * (private), a keyword, a claim (a private message, or a group message while a skill has something
   * running there), then the role's fallback for private messages and @-mentions.
   */
  private async route(ctx: ChatContext): Promise<Route> {
    const spoken = ctx.chat.type === 'private' || ctx.mentioned;
    const command = parseCommand(ctx.text);
    if (command) return { command: command.name, input: { command: command.name, args: command.args }, addressed: true, ...this.ownerOf(command.name) };
    const input = { args: ctx.text };
    const found = (skill: Skill | undefined): Route | undefined => (skill ? { skill, input, addressed: true } : undefined);
    if (ctx.forwarded && ctx.chat.type === 'private') {
      // A customer's message an agent passes on; from anyone else it is just a message.
      const taken = found(this.skills.find((s) => s.forwards && s.roles.includes(ctx.role)));
      if (taken) return taken;
    }
    const byKeyword = found(this.skills.find((s) => s.keywords?.some((re) => re.test(ctx.text))));
    if (byKeyword) return { ...byKeyword, claimed: true };
    if (ctx.chat.type === 'private') {
      const claimed = found(this.skills.find((s) => s.claims && s.roles.includes(ctx.role) && s.claims(ctx)));
      if (claimed) return claimed;
    } else {
      const claimed = found(await this.groupClaimer(ctx));
      if (claimed) return { ...claimed, claimed: true };
    }
    if (spoken) return found(this.skills.find((s) => fallbackRoles(s).includes(ctx.role))) ?? { input, addressed: true };
    return { input, addressed: false };
  }

  /** The first skill that claims this group message; each is asked in turn, and a slow one is logged. */
  private async groupClaimer(ctx: ChatContext): Promise<Skill | undefined> {
    for (const skill of this.skills) {
      if (!skill.claimsInGroup) continue;
      const t0 = performance.now();
      const claimed = await skill.claimsInGroup(ctx);
      const ms = performance.now() - t0;
      if (ms > CLAIM_BUDGET_MS) ctx.logger.warn({ skill: skill.name, ms: Math.round(ms) }, 'a group claim took longer than its budget');
      if (claimed) return skill;
    }
    return undefined;
  }

  private ownerOf(command: string): { skill?: Skill } {
    const skill = this.skills.find((s) => s.commands?.some((c) => c.name === command));
    return skill ? { skill } : {};
  }

  private async dispatch(ctx: ChatContext, route: Route): Promise<void> {
    const { prompts } = this.options;
    const { skill, input, command } = route;
    if (command === 'help' || command === 'start') {
      const lines = this.commandsFor(ctx.role).map((c) => prompts.render('bot/help-line', { name: c.name, description: prompts.render(c.description) }));
      await ctx.reply(prompts.render('bot/help', { commands: lines.join('\n') }));
      return;
    }
    if (!skill) {
      // An unknown command in a group may be meant for another bot; say so only when it was for us.
      if (command && (ctx.chat.type === 'private' || ctx.mentioned)) {
        await ctx.reply(prompts.render('bot/unknown-command', { name: command }));
      }
      return;
    }
    const log = ctx.logger.child({ skill: skill.name });
    if (this.options.allows && !(await this.options.allows(ctx, skill.name))) {
      log.debug('skill not allowed in this group by its policy');
      return;
    }
    if (!skill.roles.includes(ctx.role)) {
      log.warn({ userId: ctx.sender.id, role: ctx.role }, 'refused: role not allowed');
      await ctx.reply(prompts.render('bot/not-allowed'));
      return;
    }
    // A failure here reaches the one error boundary in handle().
    await skill.handle({ ...ctx, logger: log }, input);
  }
}
