import { ErrorCode, hasCode } from '../../kernel/errors.js';
import type { Prompts } from '../../kernel/prompts.js';
import type { Skill } from '../../bot/skill.js';
import type { EscalationDesk } from './escalations/desk.js';
import { ANSWERED, ESCALATED } from './intents.js';
import type { ShopFacts } from './facts.js';
import type { CsScripts } from './service.js';

/** Below this, the label is a guess: a fan is not answered with a script on a guess. */
export const MIN_CONFIDENCE = 0.3;
/** A guess that a person is needed is enough: a person looking at it costs little, a complaint ignored costs a lot. */
export const MIN_ESCALATE_CONFIDENCE = 0.15;

export interface FanDeskServices {
  readonly cs: CsScripts;
  readonly prompts: Prompts;
  readonly facts: ShopFacts;
  readonly escalations: EscalationDesk;
}

/**
 * The front desk for fans: what a fan asks the bot (an @-mention in a group, or a private message).
 * Shipping, product, coupon, live and payment questions get the shop's script at once (only scripts
 * that state the shop's facts and promise nothing); complaints, returns, parcels and special requests
 * get "a person will follow up" and go to the agents as an escalation; a greeting or thanks gets one
 * back; other chit-chat is left alone in a group. The operators' playbook is never quoted to fans
 * (they can still /ask it).
 */
export function createFanDeskSkill(services: FanDeskServices): Skill {
  const { cs, prompts, facts, escalations } = services;
  return {
    name: 'fan-desk',
    roles: ['fan'],
    fallback: ['fan'],
    async handle(ctx, input) {
      let result;
      try {
        result = await cs.classify(input.args);
      } catch (err) {
        // A bare @-mention says hello; a wall of text gets a request to say it briefly.
        if (hasCode(err, ErrorCode.CS_MESSAGE_EMPTY)) return void (await ctx.reply(prompts.render('cs/script/other-greeting-brief', { shop: facts.shop })));
        if (hasCode(err, ErrorCode.CS_MESSAGE_TOO_LONG)) return void (await ctx.reply(prompts.render('cs/fan-too-long')));
        throw err;
      }
      const { intent, confidence } = result;
      const log = ctx.logger.child({ intent, confidence });
      if (confidence >= MIN_ESCALATE_CONFIDENCE && ESCALATED.has(intent)) {
        // The same fan again about the same thing: the agents see it, but no second escalation.
        const open = await escalations.openFor(ctx);
        if (open) {
          await escalations.followUp(open, ctx);
          // "A person will answer here" only when a person was told; otherwise when and where one can be reached.
          await ctx.reply(open.notices.length > 0 ? prompts.render('cs/fan-still-waiting') : prompts.render('cs/fan-still-no-agent', { hours: facts.hours }));
          log.info({ escalation: open.id }, 'fan: follow-up to an open escalation');
          return;
        }
        const { suggestions } = await cs.suggestionsFor(input.args, intent);
        const e = await escalations.open(ctx, intent, suggestions);
        // Only promise a person when a person was told.
        await ctx.reply(e.notices.length > 0 ? prompts.render('cs/fan-escalated') : prompts.render('cs/fan-no-agent', { hours: facts.hours }));
        log.info({ escalation: e.id, agentsTold: e.notices.length }, 'fan: escalated to a person');
        return;
      }
      if (confidence >= MIN_CONFIDENCE && ANSWERED.has(intent)) {
        const script = cs.autoReply(input.args, intent);
        if (script) {
          log.info({ script: script.source }, 'fan: answered with the script');
          await ctx.reply(script.text);
          return;
        }
      }
      // Not a customer-service question the bot can answer: a greeting or thanks back, else nothing in a
      // group; a private chat is never left without an answer.
      const friendly = cs.autoReply(input.args, 'other');
      if (friendly) await ctx.reply(friendly.text);
      else if (ctx.chat.type === 'private') await ctx.reply(prompts.render('cs/script/other-greeting-brief', { shop: facts.shop }));
      log.info({ replied: Boolean(friendly) || ctx.chat.type === 'private' }, 'fan: not a question for the scripts');
    },
  };
}
