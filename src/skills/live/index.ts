import { definePlugin, provider } from '../../bot/plugin.js';
import type { JobPayload, LiveDesk } from './desk.js';

declare module '../../bot/plugin.js' {
  interface Services {
    /** Lives: planned, pushed to the fan groups on time, once; what fans are told about the next one. */
    lives: LiveDesk;
  }
}

/**
 * 直播预告: the playbook's timeline for each live (preannounce with a poster, reminders, on air, recap),
 * pushed to every target group on time, once, through the scheduler and the outbox; fans' questions
 * about the next live answered in the groups; `/live` and `/lives` for the operators; /api/live.
 */
export const livePlugin = definePlugin({
  name: 'live',
  inject: ['lives', 'cs', 'groups', 'store', 'prompts', 'config', 'clock'],
  provide: () => ({
    lives: provider(['store', 'scheduler', 'outbox', 'groups', 'prompts', 'logger', 'config', 'clock', 'llm', 'metrics?'], async ({ services: s }) => {
      // The skill's code is loaded when it is used, not by every command that builds the app.
      const { LiveDesk } = await import('./desk.js');
      const metrics = s.metrics;
      return new LiveDesk({
        ...s,
        logger: s.logger.child({ plugin: 'live' }),
        tz: s.config.tz,
        dataDir: s.config.dataDir,
        quietHours: s.config.quietHours,
        now: () => s.clock.now().getTime(),
        ...(s.llm ? { llm: s.llm } : {}),
        ...(metrics ? { unitsByProduct: (day: string) => metrics.unitsByProduct(day) } : {}),
      });
    }),
  }),
  async apply(ctx) {
    const [{ createLiveAdminSkill }, { LIVE_CACHE_MS, LIVE_JOB }, { createLiveFansSkill }, { liveRoutes }] = await Promise.all([
      import('./admin.js'),
      import('./desk.js'),
      import('./fans.js'),
      import('./routes.js'),
    ]);
    const { lives, cs, groups, store, prompts, config, clock } = ctx.services;
    // Rerunnable: a run cut short by a crash pushes again, and the outbox's dedupe keys keep what was pushed once.
    ctx.job<JobPayload>(LIVE_JOB, (job) => lives.send(job.payload), { rerunnable: true });
    ctx.skill(createLiveFansSkill({ lives, cs, groups, prompts }));
    const admin = createLiveAdminSkill({ lives, store, prompts, tz: config.tz, now: () => clock.now().getTime() });
    ctx.skill(admin);
    ctx.middleware(admin.conversation);
    for (const route of liveRoutes(lives)) ctx.route(route);
    // The fans' questions and the customer-service scripts read the lives from a cache kept fresh here.
    const refresh = () => lives.refresh(true).catch((err: unknown) => ctx.logger.warn({ err }, 'live: the lives could not be read; the cache stays as it was'));
    void refresh();
    const timer = setInterval(() => void refresh(), LIVE_CACHE_MS);
    timer.unref();
    ctx.onClose(() => clearInterval(timer));
  },
});
