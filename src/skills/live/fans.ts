import type { GroupRegistry } from '../../bot/groups.js';
import type { Skill } from '../../bot/skill.js';
import type { Prompts } from '../../kernel/prompts.js';
import type { CsScripts } from '../cs-scripts/service.js';
import type { LiveDesk } from './desk.js';

/** What a question looks like (a remark about the live is not one). */
const QUESTION = /[?？]|吗|呢|嘛|几点|几号|哪天|什么时候|啥时候|多久|什么|啥|有没有|是不是|回放|when|what|\?/i;
const REPLAY = /回放|错过|重播|replay|missed/i;
/** Below this the classifier only guesses it is about the live. */
const MIN_CONFIDENCE = 0.4;

/**
 * Fans asking about the live in a fan group, without an @-mention (今晚几点直播? 明天播什么? 有回放吗?):
 * the next live's time, title and main offer, or the last one's replay link; with nothing planned, the
 * shop's usual answer. A remark about the live, and any chit-chat, is left alone.
 */
export function createLiveFansSkill(services: { readonly lives: LiveDesk; readonly cs: CsScripts; readonly groups: GroupRegistry; readonly prompts: Prompts }): Skill {
  const { lives, cs, groups, prompts } = services;
  const isLiveQuestion = (text: string) => {
    if (!QUESTION.test(text)) return false;
    const { intent, confidence } = cs.classifier.classify(text);
    return intent === 'live' && confidence >= MIN_CONFIDENCE;
  };
  return {
    name: 'live-fans',
    roles: ['fan'],
    async claimsInGroup(ctx) {
      if (ctx.role !== 'fan' || !isLiveQuestion(ctx.text)) return false;
      // The playground's group (opsbot chat --group) stands for a fan group; it is never registered.
      if (ctx.platform === 'local') return true;
      return (await groups.fanGroups(ctx.platform)).some((g) => g.id === ctx.chat.id);
    },
    async handle(ctx, input) {
      await lives.refresh();
      const { next, replay } = lives.scriptFacts();
      const wantsReplay = REPLAY.test(input.args);
      let text: string | undefined;
      if (replay && (wantsReplay || !next)) text = prompts.render('live/fan-replay', replay);
      else if (next) text = prompts.render('live/fan-next', next);
      else text = cs.autoReply(input.args, 'live')?.text;
      ctx.logger.info({ answered: text !== undefined, planned: Boolean(next) }, 'live: a fan asked about the live');
      if (text) await ctx.reply(text);
    },
  };
}
