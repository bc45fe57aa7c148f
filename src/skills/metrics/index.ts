import type { ChatContext } from '../../bot/context.js';
import type { Skill } from '../../bot/skill.js';
import type { Prompts } from '../../bot/prompts.js';
import { renderChartAsync } from './chart.js';
import { isKpiQuestion } from './parse.js';
import type { MetricsService } from './service.js';

/** The services this skill needs from the runtime. */
export const requires = ['metrics'] as const;

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
        ctx.logger.warn({ err }, 'metrics: could not read the data names; the message goes to the fallback');
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
        await ctx.reply({ kind: 'image', data: await renderChartAsync(chart), mime: 'image/png' });
      } catch (err) {
        // The numbers are already there as text; a chart that cannot be drawn is logged, not shown.
        ctx.logger.error({ err }, 'kpi chart failed');
      }
    },
  };
}
