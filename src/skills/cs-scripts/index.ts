import { definePlugin, provider } from '../../bot/plugin.js';
import type { EscalationDesk } from './escalations/desk.js';
import { FactsSchema, resolveFacts, type ResolvedFacts } from './facts.js';
import type { CsScripts } from './service.js';

declare module '../../bot/plugin.js' {
  interface Services {
    /** The shop's facts, each default filled, and which are still defaults. */
    facts: ResolvedFacts;
    /** Intents and suggested replies (客服话术). */
    cs: CsScripts;
    /** Fans' messages waiting for an agent. */
    escalations: EscalationDesk;
  }
}

/**
 * 客服话术: `/reply` and forwarded customer messages for staff, the fans' front desk, and escalations
 * to the agents with their buttons, their 修改 middleware and their reminders. Its slice of shop.json
 * is `facts`.
 */
export const csScriptsPlugin = definePlugin({
  name: 'cs-scripts',
  config: { key: 'facts', schema: FactsSchema },
  inject: ['cs', 'facts', 'escalations', 'prompts'],
  provide: (config) => ({
    facts: provider(['prompts'], ({ services }) => resolveFacts(config(), services.prompts)),
    cs: provider(['prompts', 'logger', 'llm', 'facts', 'lives?'], async ({ services: s }) => {
      // The skill's code is loaded when it is used, not by every command that builds the app.
      const { CsScripts } = await import('./service.js');
      // Where the live plugin runs, the `live` scripts quote the next live (from its cache, kept fresh by it).
      const lives = s.lives;
      if (lives) await lives.refresh().catch((err: unknown) => s.logger.warn({ err }, 'cs: the planned lives could not be read; the live scripts stay general'));
      return new CsScripts({ prompts: s.prompts, logger: s.logger, facts: s.facts.facts, ...(s.llm ? { llm: s.llm } : {}), ...(lives ? { live: () => lives.scriptFacts() } : {}) });
    }),
    escalations: provider(['store', 'outbox', 'scheduler', 'transports', 'prompts', 'logger', 'roles', 'config', 'clock'], async ({ services: s }) => {
      const { EscalationDesk } = await import('./escalations/desk.js');
      const inTelegram = (people: readonly string[]) => people.filter((p) => p.startsWith('telegram:'));
      return new EscalationDesk({
        ...s,
        tz: s.config.tz,
        now: () => s.clock.now().getTime(),
        // The agents answer escalations in Telegram (its buttons); with no agent there, the admins do.
        agents: () => (inTelegram(s.roles.agents).length > 0 ? inTelegram(s.roles.agents) : inTelegram(s.roles.admins)),
      });
    }),
  }),
  async apply(ctx) {
    const [{ REMINDER_JOB }, { handleEscalationPress }, { editMiddleware }, { createFanDeskSkill }, { createCsScriptsSkill }] = await Promise.all([
      import('./escalations/desk.js'),
      import('./escalations/buttons.js'),
      import('./escalations/edit-middleware.js'),
      import('./fan-desk.js'),
      import('./reply-skill.js'),
    ]);
    const { cs, facts, escalations, prompts } = ctx.services;
    ctx.middleware(editMiddleware(escalations, prompts));
    ctx.job<{ id: string; round: number }>(REMINDER_JOB, (job) => escalations.remind(job.payload));
    ctx.skill(createCsScriptsSkill({ cs, prompts, onPress: (press) => handleEscalationPress(escalations, press, prompts) }));
    ctx.skill(createFanDeskSkill({ cs, prompts, facts: facts.facts, escalations }));
    // Replies an agent approved that are still on their way.
    ctx.onClose(() => escalations.settled());
  },
});
