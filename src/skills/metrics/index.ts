import type { ChatContext } from '../../bot/context.js';
import { definePlugin, provider } from '../../bot/plugin.js';
import type { Skill } from '../../bot/skill.js';
import type { Prompts } from '../../kernel/prompts.js';
import { isKpiQuestion } from './parse.js';
import type { MetricsService } from './service.js';

declare module '../../bot/plugin.js' {
  interface Services {
    /** Shop metrics: the imported exports and the KPI questions answered from them. */
    metrics: MetricsService;
  }
}

export interface MetricsSkillServices {
  readonly metrics: MetricsService;
  readonly prompts: Prompts;
}

/**
 * Shop metrics in chat, for admins only: `/kpi <question>`, or the question as plain text in a private
 * chat, gets the number as text and, for a breakdown, trend or comparison, a chart. Everyone else is
 * politely refused, and numbers never go to a group: there the admin is asked to write privately.
 */
export function createMetricsSkill(services: MetricsSkillServices): Skill {
  const { metrics, prompts } = services;
  return {
    name: 'metrics',
    // Listed for admins only: a fan's menu should not offer what would be refused.
    commands: [{ name: 'kpi', description: 'cmd/kpi', listedFor: ['admin'] }],
    // Every role may ask, so that each gets a reply in words; only admins get numbers.
    roles: ['admin', 'agent', 'fan'],
    claims(ctx: ChatContext): boolean {
      if (ctx.role !== 'admin' || ctx.forwarded) return false;
      try {
        return isKpiQuestion(ctx.text, metrics.context());
      } catch (err) {
        // Said on every staff message while the file is broken: the code at warn, the stack only at debug.
        const { code, params } = err as { code?: unknown; params?: unknown };
        ctx.logger.warn({ code, params }, 'metrics: could not read the data names; the message goes to the fallback');
        ctx.logger.debug({ err }, 'metrics: why the data names could not be read');
        return false;
      }
    },
    async handle(ctx, input) {
      if (ctx.role !== 'admin') {
        await ctx.reply(prompts.render('metrics/admins-only'));
        return;
      }
      if (ctx.chat.type !== 'private') {
        await ctx.reply(prompts.render('metrics/private-only'));
        return;
      }
      if (!input.args.trim()) {
        await ctx.reply(prompts.render('metrics/help'));
        return;
      }
      const { answer, chart } = await metrics.ask(input.args, { chat: true });
      ctx.logger.info({ metric: answer.metric, from: answer.from, to: answer.to, mode: answer.mode, chart: Boolean(chart) }, 'kpi answered');
      await ctx.reply(answer.text);
      if (!chart) return;
      try {
        // ECharts is loaded only when a chart is drawn.
        const { renderChartAsync } = await import('./chart.js');
        await ctx.reply({ kind: 'image', data: await renderChartAsync(chart), mime: 'image/png' });
      } catch (err) {
        // The numbers are already there as text; a chart that cannot be drawn is logged, not shown.
        ctx.logger.error({ err }, 'kpi chart failed');
      }
    },
  };
}

/** Shop metrics as a plugin: the metrics service (its SQLite file opened on first use) and the /kpi skill. */
export const metricsPlugin = definePlugin({
  name: 'metrics',
  inject: ['metrics', 'prompts'],
  provide: () => ({
    metrics: provider(['config', 'clock', 'prompts', 'logger', 'knowledge', 'llm'], async ({ services: s, onClose }) => {
      // The service's code (its SQLite file, the question parser) is loaded when it is used.
      const { MetricsService } = await import('./service.js');
      const metrics = new MetricsService({ dataDir: s.config.dataDir, tz: s.config.tz, clock: s.clock, prompts: s.prompts, logger: s.logger, knowledge: s.knowledge, ...(s.llm ? { llm: s.llm } : {}) });
      onClose(() => metrics.close());
      return metrics;
    }),
  }),
  apply(ctx) {
    ctx.skill(createMetricsSkill(ctx.services));
  },
});
