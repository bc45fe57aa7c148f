import type { ChatContext } from '../../bot/context.js';
import type { Skill } from '../../bot/skill.js';
import type { Store } from '../../bot/store/index.js';
import { ErrorCode, hasCode } from '../../kernel/errors.js';
import type { Prompts } from '../../kernel/prompts.js';
import type { CouponDesk } from './desk.js';

/** A fan's repeats of the keyword within this window get no further answer. */
export const REPEAT_WINDOW_MS = 15_000;
const TOLD_MS = 7 * 24 * 3600_000;

/**
 * Fans claiming a drop in its groups with its keyword, no @-mention needed: the code (the reply mentions
 * the fan), their code again, 已抢光 once, when it starts, or that it ended. The keyword elsewhere, and
 * anything else, is not this skill's. Only the drop's rules decide issuance: nothing a fan writes does.
 */
export function createCouponFansSkill(services: { readonly coupons: CouponDesk; readonly store: Store; readonly prompts: Prompts; readonly repeatWindowMs?: number }): Skill {
  const { coupons, store, prompts, repeatWindowMs = REPEAT_WINDOW_MS } = services;
  const userOf = (ctx: ChatContext) => `${ctx.platform}:${ctx.sender.id}`;
  return {
    name: 'coupon-fans',
    roles: ['fan'],
    claimsInGroup(ctx) {
      return ctx.role === 'fan' && coupons.match(ctx.platform, ctx.chat, ctx.text) !== undefined;
    },
    async handle(ctx) {
      const drop = coupons.match(ctx.platform, ctx.chat, ctx.text);
      if (!drop) return;
      const user = userOf(ctx);
      const log = ctx.logger.child({ drop: drop.id });
      const reply = (key: string, params: Record<string, string | number> = {}) => ctx.reply(prompts.render(key, { name: drop.name, keyword: drop.keyword, ...params }));
      try {
        // Answered once, then quiet for a while: a fan typing 领券 ten times gets one reply.
        if (repeatWindowMs > 0 && (await store.increment(`coupon-ask:${drop.id}:${user}`, 1, repeatWindowMs)) > 1) return void log.debug('coupon: a repeat within the window, not answered');
        const outcome = await coupons.claim(drop.id, user, { group: ctx.chat.title ?? ctx.chat.id, name: ctx.sender.name });
        log.info({ user, ok: outcome.ok, ...(outcome.ok ? { taken: outcome.taken } : { reason: outcome.reason }) }, 'coupon: a claim');
        if (outcome.ok) return void (await reply('coupon/fan-issued', { code: outcome.code, ends: drop.endsAt ? prompts.render('coupon/part-use-by', { when: coupons.when(drop.endsAt) }) : '' }));
        switch (outcome.reason) {
          case 'already_claimed':
            return void (await reply('coupon/fan-already', { codes: outcome.codes.join(prompts.render('coupon/list-separator')) }));
          case 'sold_out':
            // 已抢光 once per fan: the hundred who come late are told once each, not on every try.
            if (await store.setIfAbsent(`coupon-told-sold-out:${drop.id}:${user}`, TOLD_MS)) await reply('coupon/fan-sold-out');
            return;
          case 'not_started':
            return void (await reply('coupon/fan-not-started', { when: coupons.when(outcome.startsAt) }));
          case 'ended':
            return void (await reply('coupon/fan-ended'));
        }
      } catch (err) {
        // The store away: fail closed. No code is promised; the fan is asked to try again.
        if (!hasCode(err, ErrorCode.STORE_UNAVAILABLE)) throw err;
        log.error({ err, user }, 'coupon: the store is unreachable; the claim was refused');
        await reply('coupon/fan-try-again');
      }
    },
  };
}
