import { z } from 'zod';
import { definePlugin, provider } from '../../bot/plugin.js';
import type { AnnouncePayload, CouponDesk } from './desk.js';
import { REPEAT_WINDOW_MS } from './fans.js';

declare module '../../bot/plugin.js' {
  interface Services {
    /** Coupon drops: codes in a pool claimed once each, announced in the fan groups, reported to operators. */
    coupons: CouponDesk;
  }
}

/**
 * 优惠券: drops of a limited stock of codes claimed in the fan groups with a keyword (领券), one atomic take
 * each so none is oversold; lucky-bag winners issued codes under the same rules; the drop announced in
 * its groups at its start; progress to the operators; `/coupon` and `/coupons`; /api/coupon.
 */
/** shop.json's `coupons`: how long a fan's repeats of the keyword go unanswered (flood control). */
const CouponConfig = z
  .object({ repeatWindowSeconds: z.number().int().min(0).max(3600).default(REPEAT_WINDOW_MS / 1000).describe('同一位粉丝重复发口令时，多少秒内不再回复') })
  .strict()
  .default({ repeatWindowSeconds: REPEAT_WINDOW_MS / 1000 });

export const couponPlugin = definePlugin({
  name: 'coupon',
  inject: ['coupons', 'store', 'prompts'],
  config: { key: 'coupons', schema: CouponConfig },
  provide: () => ({
    coupons: provider(['store', 'scheduler', 'outbox', 'groups', 'roles', 'prompts', 'logger', 'config', 'clock'], async ({ services: s }) => {
      // The skill's code is loaded when it is used, not by every command that builds the app.
      const { CouponDesk } = await import('./desk.js');
      return new CouponDesk({ ...s, logger: s.logger.child({ plugin: 'coupon' }), tz: s.config.tz, now: () => s.clock.now().getTime() });
    }),
  }),
  async apply(ctx) {
    const [{ createCouponAdminSkill }, { COUPON_CACHE_MS, COUPON_JOB }, { createCouponFansSkill }, { couponRoutes }] = await Promise.all([
      import('./admin.js'),
      import('./desk.js'),
      import('./fans.js'),
      import('./routes.js'),
    ]);
    const { coupons, store, prompts } = ctx.services;
    // Rerunnable: a run cut short pushes again, and the outbox's dedupe key keeps it to one announcement.
    ctx.job<AnnouncePayload>(COUPON_JOB, (job) => coupons.announce(job.payload), { rerunnable: true });
    ctx.skill(createCouponFansSkill({ coupons, store, prompts, repeatWindowMs: ctx.config.repeatWindowSeconds * 1000 }));
    const admin = createCouponAdminSkill({ coupons, store, prompts });
    ctx.skill(admin);
    ctx.middleware(admin.conversation);
    for (const route of couponRoutes(coupons)) ctx.route(route);
    // The keyword is matched on every group message against drops kept fresh here, not read each time.
    const refresh = () => coupons.refresh(true).catch((err: unknown) => ctx.logger.warn({ err }, 'coupon: the drops could not be read; the cache stays as it was'));
    void refresh();
    const timer = setInterval(() => void refresh(), COUPON_CACHE_MS);
    timer.unref();
    ctx.onClose(() => clearInterval(timer));
  },
});
