import type { ChatContext } from './context.js';
import type { Prompts } from '../kernel/prompts.js';
import type { Store } from './store/index.js';

/**
 * Messages a person may send per window before the bot goes quiet for the rest of it; `perChat`: fans'
 * messages a group gets answered per window, however many people write.
 */
export interface FloodLimit {
  readonly max: number;
  readonly windowMs: number;
  readonly perChat?: number;
}

/**
 * Fans' messages answered per group and window by default: a flood from many accounts is not answered
 * one by one. About what the paced queue sends to one group in a minute (a reply every 2–5 s), so the
 * replies waiting in memory cannot pile up however long a flood lasts.
 */
const DEFAULT_PER_CHAT = 15;

/**
 * The router's flood middleware. Only what is addressed to the bot counts. Each person has an allowance
 * per window (staff ten times a fan's): past it, one notice, then silence. A group has an allowance for
 * fans' messages, so many accounts at once are not answered one by one; a skill's keyword or group claim
 * (`claimed`, a coupon drop's 领券) is not counted against it.
 */
export async function holdFloods(
  ctx: ChatContext,
  route: { readonly addressed: boolean; readonly claimed?: boolean },
  next: () => Promise<void>,
  options: { readonly store: Store; readonly prompts: Prompts; readonly rateLimit?: FloodLimit },
): Promise<void> {
  if (!route.addressed) return next();
  const limit = options.rateLimit ?? { max: 10, windowMs: 60_000 };
  const windowMs = limit.windowMs;
  // Staff work in bursts (an agent forwards a dozen customers' messages): ten times a fan's allowance.
  const max = ctx.role === 'fan' ? limit.max : limit.max * 10;
  const window = Math.floor(Date.now() / windowMs);
  // The sender's own allowance first: one fan past it is not counted against the group as well.
  const count = await options.store.increment(`flood:${ctx.platform}:${ctx.sender.id}:${window}`, 1, windowMs);
  if (count > max) {
    if (count === max + 1) {
      ctx.logger.warn({ userId: ctx.sender.id, count }, 'flood: one notice, then silence for the window');
      await ctx.reply(options.prompts.render('bot/slow-down', { minutes: Math.max(1, Math.round(windowMs / 60_000)) }));
    }
    return;
  }
  if (ctx.chat.type === 'group' && ctx.role === 'fan' && !route.claimed) {
    const perChat = limit.perChat ?? DEFAULT_PER_CHAT;
    const inChat = await options.store.increment(`flood-chat:${ctx.platform}:${ctx.chat.id}:${window}`, 1, windowMs);
    if (inChat > perChat) {
      if (inChat === perChat + 1) ctx.logger.warn({ count: inChat }, 'flood in a group: fans are not answered for the rest of the window');
      return;
    }
  }
  return next();
}
