import { ErrorCode, UserFacingError } from '../../kernel/errors.js';
import type { Role } from '../../bot/context.js';
import { definePlugin } from '../../bot/plugin.js';
import type { Skill } from '../../bot/skill.js';
import type { KnowledgeBase } from '../../knowledge/knowledge-base.js';

export interface PlaybookQaServices {
  readonly knowledge: KnowledgeBase;
  /** Whose unclaimed messages it takes. Default staff only: fans' go to the front desk, which asks the playbook in turn. */
  readonly fallback?: readonly Role[];
}

/**
 * Playbook Q&A: `/ask <question>`, or a staff member's private question or @-mention, gets the answer from
 * the shop's playbook with its sources, or an honest "the playbook has nothing on this".
 */
export function createPlaybookQaSkill(services: PlaybookQaServices): Skill {
  return {
    name: 'playbook-qa',
    commands: [{ name: 'ask', description: 'cmd/ask' }],
    roles: ['admin', 'agent', 'fan'],
    fallback: services.fallback ?? ['admin', 'agent'],
    async handle(ctx, input) {
      // In a chat the example is the command, not the CLI the knowledge base's own message shows.
      if (!input.args.trim()) throw new UserFacingError(ErrorCode.KB_QUESTION_EMPTY, 'qa/empty-question');
      // Staff-only passages go to operators and agents in a private chat; in a group every member reads the answer.
      const audience = ctx.role !== 'fan' && ctx.chat.type === 'private' ? 'staff' : 'public';
      const answer = await services.knowledge.ask(input.args, { audience });
      ctx.logger.info({ found: answer.found, mode: answer.mode, sources: answer.sources.length, audience }, 'answered');
      await ctx.reply(answer.answer);
    },
  };
}

/** Playbook Q&A as a plugin: `/ask`, and staff's private questions and @-mentions. */
export const playbookQaPlugin = definePlugin({
  name: 'playbook-qa',
  inject: ['knowledge'],
  apply(ctx) {
    ctx.skill(createPlaybookQaSkill({ knowledge: ctx.services.knowledge }));
  },
});
