import { reasonInWords } from '../../../bot/deliveries/reasons.js';
import type { Middleware } from '../../../bot/router.js';
import type { Prompts } from '../../../kernel/prompts.js';
import type { EscalationDesk } from './desk.js';

/**
 * Middleware: an agent who pressed 修改 sends the edited reply as their next private message (or 取消).
 * Everything else passes on.
 */
export function editMiddleware(desk: EscalationDesk, prompts: Prompts): Middleware {
  const cancel = new RegExp(`^(${prompts.render('cs/esc-cancel-words')})$`, 'i');
  return async (ctx, next) => {
    // A forwarded customer message is a request for suggestions, never the edited reply.
    if (ctx.chat.type !== 'private' || ctx.role === 'fan' || ctx.forwarded || ctx.text.startsWith('/')) return next();
    const { records } = desk;
    const pending = await records.editing(ctx.platform, ctx.sender.id);
    if (!pending) return next();
    if (cancel.test(ctx.text.trim())) {
      await records.stopEditing(ctx.platform, ctx.sender.id);
      await ctx.reply(prompts.render('cs/esc-edit-cancelled'));
      return;
    }
    const e = await records.get(pending.id);
    if (!e) {
      await records.stopEditing(ctx.platform, ctx.sender.id);
      await ctx.reply(prompts.render('cs/esc-gone'));
      return;
    }
    if (!(await desk.take(e, async (t) => void (await ctx.reply(t))))) {
      await records.stopEditing(ctx.platform, ctx.sender.id);
      return;
    }
    const text = ctx.text.trim();
    const by = { platform: ctx.platform, id: ctx.sender.id, name: ctx.sender.name };
    desk.background(
      desk.deliver(e, text, by).then(async (result) => {
        if (result.status === 'sent') {
          await records.stopEditing(ctx.platform, ctx.sender.id);
          await ctx.reply(prompts.render('cs/esc-edit-sent', { group: desk.groupName(e), fan: e.message.sender.name }));
        } else if (result.status === 'uncertain') {
          await records.stopEditing(ctx.platform, ctx.sender.id);
          await ctx.reply(prompts.render('cs/esc-send-uncertain', { fan: e.message.sender.name, group: desk.groupName(e) }));
        } else {
          await ctx.reply(prompts.render('cs/esc-edit-failed', { reason: reasonInWords(result.reason ?? '', prompts) }));
        }
      }),
      e.id,
    );
  };
}
