import { reasonInWords } from '../../../bot/deliveries/reasons.js';
import type { ActionContext } from '../../../bot/skill.js';
import type { Prompts } from '../../../kernel/prompts.js';
import type { EscalationDesk } from './desk.js';

/**
 * A press of 发送 / 修改 / 忽略 under an escalation (`esc:<id>:<s|e|i>:<n>`, see messages.ts): 发送 takes
 * the escalation (one atomic claim) and sends the suggestion; 修改 asks for the agent's text (the edit
 * middleware takes it); 忽略 takes it and records who ignored it.
 */
export async function handleEscalationPress(desk: EscalationDesk, ctx: ActionContext, prompts: Prompts): Promise<void> {
  const [, id = '', op = '', n = ''] = ctx.data.split(':');
  const e = await desk.get(id);
  if (!e) return ctx.answer(prompts.render('cs/esc-gone'));
  const by = { platform: ctx.platform, id: ctx.sender.id, name: ctx.sender.name };
  const toast = (t: string) => ctx.answer(t);
  if (op === 'e') {
    const text = e.suggestions[Number(n)]?.text ?? '';
    if (await desk.alreadyHandled(e, toast)) return;
    await desk.records.startEditing(ctx.platform, ctx.sender.id, id);
    await ctx.answer(prompts.render('cs/esc-toast-edit'));
    await ctx.reply(prompts.render('cs/esc-edit-prompt', { group: desk.groupName(e), fan: e.message.sender.name, text: text || '—' }));
    return;
  }
  if (op === 'i') {
    if (!(await desk.take(e, toast))) return;
    await desk.finish(e, { status: 'ignored', by, at: new Date(desk.now).toISOString() });
    ctx.logger.info({ escalation: id, by: ctx.sender.id }, 'escalation ignored');
    return ctx.answer(prompts.render('cs/esc-toast-ignored'));
  }
  const suggestion = e.suggestions[Number(n)];
  if (op !== 's' || !suggestion) return ctx.answer(prompts.render('cs/esc-gone'));
  if (!(await desk.take(e, toast))) return;
  // The press is answered now; the reply waits its turn in the fan platform's paced queue, and the
  // agent hears how it went (the copies are updated on success, a message on failure).
  await ctx.answer(prompts.render('cs/esc-toast-sending', { group: desk.groupName(e), fan: e.message.sender.name }));
  desk.background(
    desk.deliver(e, suggestion.text, by).then(async (result) => {
      const fan = e.message.sender.name;
      if (result.status === 'uncertain') await ctx.reply(prompts.render('cs/esc-send-uncertain', { fan, group: desk.groupName(e) }));
      else if (result.status !== 'sent') await ctx.reply(prompts.render('cs/esc-send-failed', { fan, reason: reasonInWords(result.reason ?? '', prompts) }));
    }),
    e.id,
  );
}
