import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import type { Prompts } from '../../kernel/prompts.js';
import type { ActionContext, Skill } from '../../bot/skill.js';
import type { CsScripts } from './service.js';

export interface CsScriptsSkillServices {
  readonly cs: CsScripts;
  readonly prompts: Prompts;
  /** Handles presses of the buttons under escalations (`esc:…`). */
  readonly onPress?: (press: ActionContext) => Promise<void>;
}

/**
 * 客服话术 for agents and admins: `/reply <customer message>`, or a customer's message forwarded to the
 * bot, gets the intent, then each suggestion as a message of its own (easy to copy). It also owns the
 * buttons under escalations (发送 / 修改 / 忽略).
 */
export function createCsScriptsSkill(services: CsScriptsSkillServices): Skill {
  const { cs, prompts, onPress } = services;
  return {
    name: 'cs-scripts',
    commands: [{ name: 'reply', description: 'cmd/reply' }],
    roles: ['admin', 'agent'],
    forwards: true,
    ...(onPress ? { actions: { prefix: 'esc', handle: onPress } } : {}),
    async handle(ctx, input) {
      // Drafts and the customer's words are for staff only, never for a group.
      if (ctx.chat.type !== 'private') return void (await ctx.reply(prompts.render('cs/reply-private-only')));
      if (!input.args.trim()) throw new UserFacingError(ErrorCode.CS_MESSAGE_EMPTY, 'cs/reply-empty');
      const result = await cs.suggest(input.args);
      ctx.logger.info({ intent: result.intent, confidence: result.confidence, mode: result.mode, suggestions: result.suggestions.length }, 'suggested replies');
      await ctx.reply(
        prompts.render('cs/reply-intent', { label: prompts.render(`cs/intent-${result.intent}`), intent: result.intent, confidence: result.confidence.toFixed(2) }),
      );
      if (result.suggestions.length === 0) {
        await ctx.reply(prompts.render('cs/reply-none'));
        return;
      }
      // One message per suggestion, the reply alone in it: a long press copies exactly what to send.
      for (const s of result.suggestions) await ctx.reply(s.text);
    },
  };
}
